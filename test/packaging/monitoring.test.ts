import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../../shared/metrics/index.ts';
import { SEED_ALERTS } from '../../functions/eco-alert-bot/default-routes.ts';
import { generateAll } from '../../scripts/generate/index.ts';
import { ALERT_RULES, rulesDocument } from '../../scripts/generate/monitoring/rules.ts';
import { RULE_TEST_CASES, ruleTestsDocument } from '../../scripts/generate/monitoring/rule-tests.ts';
import { FIXTURE_FLEET } from './fixture-bots.ts';
import { at, docsOf, file, ROOT } from './helpers.ts';

const run = promisify(execFile);
const PROMTOOL = '/usr/bin/promtool';
const AMTOOL = '/usr/bin/amtool';
const MONITORING = join(ROOT, 'deploy/monitoring');

/** Runs a binary; a missing binary fails the test (CI installs it), it never skips. */
async function tool(binary: string, args: string[], cwd: string): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await run(binary, args, { cwd, timeout: 60_000 });
    return { ok: true, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: string | number; stdout?: string; stderr?: string };
    if (e.code === 'ENOENT')
      throw new Error(`${binary} is missing: npm test installs it (scripts/test-deps)`);
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

const temps: string[] = [];
afterAll(async () => {
  await Promise.all(temps.map((dir) => rm(dir, { recursive: true, force: true })));
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'eco-monitoring-'));
  temps.push(dir);
  return dir;
}

describe('Prometheus rules', () => {
  it('promtool check rules accepts rules.yml', async () => {
    const result = await tool(PROMTOOL, ['check', 'rules', 'rules.yml'], MONITORING);
    expect(result.ok, result.output).toBe(true);
    expect(result.output).toContain('SUCCESS: 5 rules found');
  });

  it('promtool test rules passes every unit test (fires just over each threshold, quiet just under)', async () => {
    const result = await tool(PROMTOOL, ['test', 'rules', 'rules.test.yml'], MONITORING);
    expect(result.ok, result.output).toBe(true);
  });

  it('the unit tests have teeth: a rule with a wrong threshold fails them', async () => {
    const dir = await tempDir();
    const doc = rulesDocument() as { groups: { rules: { alert: string; expr: string }[] }[] };
    for (const rule of doc.groups[0]?.rules ?? []) {
      if (rule.alert === 'HighCPUUsage') rule.expr = rule.expr.replace('> 0.80', '> 0.78');
      if (rule.alert === 'PodRestartingTooOften') rule.expr = rule.expr.replace(') > 3', ') > 2');
    }
    await writeFile(join(dir, 'rules.yml'), stringify(doc));
    await writeFile(join(dir, 'rules.test.yml'), stringify(ruleTestsDocument('rules.yml')));
    const result = await tool(PROMTOOL, ['test', 'rules', 'rules.test.yml'], dir);
    expect(result.ok).toBe(false);
    expect(result.output).toContain('HighCPUUsage stays quiet at 79%');
    expect(result.output).toContain('PodRestartingTooOften stays quiet on 3 restarts');
  });

  it('the five alerts carry the agreed names and severities, each tested firing and quiet', () => {
    expect(ALERT_RULES.map((r) => [r.alert, r.severity])).toEqual([
      ['HighCPUUsage', 'warning'],
      ['HighMemoryUsage', 'warning'],
      ['PodRestartingTooOften', 'warning'],
      ['ContainerImageTooLarge', 'warning'],
      ['HighErrorRate', 'critical'],
    ]);
    for (const rule of ALERT_RULES) {
      const cases = RULE_TEST_CASES.flatMap((c) => c.expect).filter((e) => e.alertname === rule.alert);
      expect(
        cases.some((c) => c.firing.length > 0),
        `${rule.alert} fires somewhere`,
      ).toBe(true);
      expect(
        cases.some((c) => c.firing.length === 0),
        `${rule.alert} is quiet somewhere`,
      ).toBe(true);
    }
  });

  it('the rules fire exactly the alert names eco-alert-bot routes by default', () => {
    expect(ALERT_RULES.map((r) => r.alert).sort()).toEqual(Object.values(SEED_ALERTS).sort());
  });

  it('the PrometheusRule carries exactly rules.yml', async () => {
    const rules = parse(await readFile(join(MONITORING, 'rules.yml'), 'utf8')) as unknown;
    const [prometheusRule] = docsOf(generateAll(FIXTURE_FLEET), 'deploy/monitoring/prometheusrule.yml');
    expect(prometheusRule?.['apiVersion']).toBe('monitoring.coreos.com/v1');
    expect(prometheusRule?.['kind']).toBe('PrometheusRule');
    expect(prometheusRule?.['spec']).toEqual(rules);
  });
});

describe('Alertmanager', () => {
  it('amtool check-config accepts both configs', async () => {
    const result = await tool(
      AMTOOL,
      ['check-config', 'alertmanager.yml', 'alertmanager.knative.yml'],
      MONITORING,
    );
    expect(result.ok, result.output).toBe(true);
    expect(result.output.match(/SUCCESS/g)).toHaveLength(2);
  });

  it('amtool rejects a broken config (the check is real)', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'bad.yml'), 'route:\n  receiver: nowhere\nreceivers: []\n');
    expect((await tool(AMTOOL, ['check-config', 'bad.yml'], dir)).ok).toBe(false);
  });

  it('routes everything to eco-alert-bot, resolved too, with the token read from a file', () => {
    const [config] = docsOf(generateAll(FIXTURE_FLEET), 'deploy/monitoring/alertmanager.yml');
    expect(at(config, 'route.receiver')).toBe('eco-alert-bot');
    const hook = at(config, 'receivers.0.webhook_configs.0') as Record<string, unknown>;
    expect(hook['url']).toBe(
      'http://gateway.openfaas.svc.cluster.local:8080/function/eco-alert-bot.openfaas-fn',
    );
    expect(hook['send_resolved']).toBe(true);
    expect(at(hook, 'http_config.authorization.credentials_file')).toBe(
      '/etc/alertmanager/secrets/eco-alert-bot-token/token',
    );
    const [knative] = docsOf(generateAll(FIXTURE_FLEET), 'deploy/monitoring/alertmanager.knative.yml');
    expect(at(knative, 'receivers.0.webhook_configs.0.url')).toBe(
      'http://eco-alert-bot.eco-bots.svc.cluster.local',
    );
  });
});

describe('Prometheus config and scrape jobs', () => {
  it('promtool check config accepts the local config', async () => {
    const result = await tool(PROMTOOL, ['check', 'config', 'prometheus.local.yml'], MONITORING);
    expect(result.ok, result.output).toBe(true);
  });

  it('the in-cluster config passes promtool with its kubernetes_sd swapped for file_sd (Debian builds omit kubernetes_sd)', async () => {
    const dir = await tempDir();
    const config = parse(await readFile(join(MONITORING, 'prometheus.yml'), 'utf8')) as {
      scrape_configs: Record<string, unknown>[];
    };
    for (const job of config.scrape_configs) {
      // The Pushgateway is one static target; every other job discovers pods.
      if (job['job_name'] === 'eco-bots-pushgateway') {
        expect(job['honor_labels']).toBe(true);
        expect(job['static_configs']).toEqual([{ targets: ['pushgateway.monitoring.svc:9091'] }]);
        continue;
      }
      expect(job['kubernetes_sd_configs'], String(job['job_name'])).toBeDefined();
      delete job['kubernetes_sd_configs'];
      job['file_sd_configs'] = [{ files: ['targets.json'] }];
    }
    await writeFile(join(dir, 'prometheus.yml'), stringify(config));
    await writeFile(join(dir, 'targets.json'), '[]');
    await copyFile(join(MONITORING, 'rules.yml'), join(dir, 'rules.yml'));
    const result = await tool(PROMTOOL, ['check', 'config', 'prometheus.yml'], dir);
    expect(result.ok, result.output).toBe(true);
  });

  it('scrapes the pods that carry the prometheus.io annotations the generated workloads set', () => {
    const files = generateAll(FIXTURE_FLEET);
    const [jobs] = docsOf(files, 'deploy/monitoring/scrape-configs.yml') as unknown as Record<
      string,
      unknown
    >[][];
    const bots = jobs?.find((job) => job['job_name'] === 'eco-bots');
    expect(at(bots, 'relabel_configs.0')).toEqual({
      source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_scrape'],
      action: 'keep',
      regex: 'true',
    });
    expect(file(files, 'deploy/knative/20-services.yml').content).toMatch(
      /prometheus\.io\/scrape: ['"]true['"]/,
    );
    expect(file(files, 'stack.yml').content).toMatch(/prometheus\.io\/scrape: ['"]true['"]/);
  });
});

describe('Grafana dashboard', () => {
  const dashboard = JSON.parse(
    file(generateAll(FIXTURE_FLEET), 'deploy/monitoring/grafana/eco-bots-fleet.json').content,
  ) as {
    panels: { title: string; targets: { expr: string; legendFormat: string }[] }[];
  };

  it('has the panels the issue asks for', () => {
    const titles = dashboard.panels.map((p) => p.title.toLowerCase()).join(' | ');
    for (const word of ['invocations', 'error', 'duration', 'severity', 'category', 'actions', 'cost']) {
      expect(titles).toContain(word);
    }
  });

  it('queries metric names the kit really exports', async () => {
    const metrics = createMetrics({ processName: 'test', defaultMetrics: false });
    const exported = (await metrics.registry.getMetricsAsJSON()).map((m) => m.name);
    for (const name of [
      'eco_bot_invocations_total',
      'eco_bot_duration_seconds',
      'eco_bot_findings',
      'eco_bot_actions_total',
    ]) {
      expect(exported).toContain(name);
      expect(JSON.stringify(dashboard)).toContain(name);
    }
  });

  it('sums findings per category over the bots each category declares', () => {
    const panel = dashboard.panels.find((p) => p.title === 'Findings by category');
    expect(panel?.targets.map((t) => t.legendFormat).sort()).toEqual([
      'maintenance',
      'observability',
      'optimisation',
    ]);
    const observability = panel?.targets.find((t) => t.legendFormat === 'observability');
    expect(observability?.expr).toBe('sum(eco_bot_findings{bot=~"eco-alert-bot|eco-fixture-status-bot"})');
  });
});
