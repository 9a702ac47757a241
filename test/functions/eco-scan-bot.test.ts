// eco-scan-bot through the kit with its own RBAC token: trivy-operator's reports in the demo cluster
// (served by the emulator through their CRDs), and a cluster without trivy-operator.
import { afterEach, describe, expect, it } from 'vitest';
import bot from '../../functions/eco-scan-bot/handler.ts';
import { startBotHarness, type BotHarness } from '../helpers/k8s-harness.ts';

let harness: BotHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('eco-scan-bot', () => {
  it('trivy-operator VulnerabilityReport/ConfigAuditReport: finds the planted workloads, leaves the clean one', async () => {
    const { PLANTED } = await import('../../local/demo-cluster/index.ts');
    harness = await startBotHarness(bot, { demo: true });
    const report = await harness.run({});
    expect(report.errors).toEqual([]);
    const found = new Set(
      report.findings.map((f) => `${f.check} ${f.object.kind}/${f.object.namespace ?? ''}/${f.object.name}`),
    );
    const mine = PLANTED.filter((p) => p.bot === bot.name);
    expect(mine.length).toBe(3);
    for (const planted of mine) {
      const o = planted.object;
      const key = `${planted.check} ${o.kind}/${o.namespace ?? ''}/${o.name}`;
      if (planted.expect === 'found') expect(found).toContain(key);
      else expect(found).not.toContain(key);
    }
    const storefront = report.findings.find((f) => f.object.name === 'storefront');
    expect(storefront).toMatchObject({ severity: 'critical' });
    expect(storefront?.fix).toContain('golang.org/x/crypto v0.28.0 → 0.31.0 (CVE-2024-45337)');
    expect(report.findings.find((f) => f.check === 'scan.config-audit')?.fix).toBe(
      'start with KSV014: Root file system is not read-only',
    );
  });

  it('the minimum severity and the checks option narrow the run', async () => {
    harness = await startBotHarness(bot, { demo: true, env: { ECO_SCAN_MIN_SEVERITY: 'CRITICAL' } });
    const critical = await harness.run({});
    expect(critical.findings.map((f) => `${f.check} ${f.object.name}`)).toEqual([
      'scan.vulnerabilities storefront',
    ]);
    const audits = await harness.run({ checks: ['scan.config-audit'] });
    expect(audits.findings).toEqual([]);
    await expect(harness.run({ checks: ['scan.nope'] })).rejects.toThrow(/checks/);
  });

  it('trivy-operator not installed: one api-missing finding per API, not a crash', async () => {
    harness = await startBotHarness(bot, { objects: [] });
    const report = await harness.run({});
    expect(report.errors).toEqual([]);
    expect(report.findings.map((f) => [f.check, f.severity, f.object.name])).toEqual([
      ['eco-scan-bot.api-missing', 'info', 'vulnerabilityreports.aquasecurity.github.io'],
      ['eco-scan-bot.api-missing', 'info', 'configauditreports.aquasecurity.github.io'],
    ]);
    expect(report.summary).toBe('trivy-operator is not installed: no reports to read');
  });
});
