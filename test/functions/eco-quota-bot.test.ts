// eco-quota-bot through the emulator with its own RBAC token: the kubernetes-mixin quota alerts
// (KubeQuotaAlmostFull > 90 %, KubeQuotaFullyUsed, KubeQuotaExceeded), Kyverno add-ns-quota's
// "every tenant namespace has a quota", and the opt-in raise within the tier's bound.
import { afterEach, describe, expect, it } from 'vitest';
import bot from '../../functions/eco-quota-bot/handler.ts';
import type { KubeObject } from '../../shared/k8s/types.ts';
import { startBotHarness } from '../helpers/k8s-harness.ts';
import type { BotHarness } from '../helpers/k8s-harness.ts';

const NOW = new Date('2026-12-04T12:00:00Z');
const created = '2026-06-01T00:00:00Z';
const ns = (name: string, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, uid: `uid-${name}`, creationTimestamp: created, labels },
  status: { phase: 'Active' },
});
const quota = (
  namespace: string,
  hard: Record<string, string>,
  used: Record<string, string>,
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ResourceQuota',
  metadata: {
    name: 'compute',
    namespace,
    uid: `uid-q-${namespace}`,
    creationTimestamp: created,
    resourceVersion: '1',
  },
  spec: { hard },
  status: { hard, used },
});

const objects = [
  ns('team-a', { owner: 'a', 'eco.bsw-arch.org/tier': 'small' }),
  ns('team-b', { owner: 'b' }),
  ns('team-c', { owner: 'c' }),
  ns('kube-system'),
  ns('sandbox'),
  // 95 % CPU (near full), memory full, pods exceeded, secrets fine.
  quota(
    'team-a',
    { 'requests.cpu': '2', 'requests.memory': '4Gi', pods: '10', 'count/secrets': '20' },
    { 'requests.cpu': '1900m', 'requests.memory': '4Gi', pods: '11', 'count/secrets': '3' },
  ),
  // At the small tier's bound already (4 cores).
  quota('team-b', { 'requests.cpu': '4' }, { 'requests.cpu': '3900m' }),
  quota('kube-system', { pods: '10' }, { pods: '10' }),
];

let harness: BotHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('eco-quota-bot', () => {
  it('finds near-full (> 90 %), full and exceeded lines, as the mixin alerts do', async () => {
    harness = await startBotHarness(bot, { objects, now: () => NOW });
    const report = await harness.run({});
    expect(report.errors).toEqual([]);
    const quotaFindings = report.findings
      .filter((f) => f.object.kind === 'ResourceQuota')
      .map((f) => `${f.check} ${f.object.namespace} ${String(f.evidence?.['resource'])} ${f.severity}`)
      .sort();
    expect(quotaFindings).toEqual([
      'quota.exceeded team-a pods warning', // KubeQuotaExceeded: warning
      'quota.full kube-system pods info', // KubeQuotaFullyUsed: info
      'quota.full team-a requests.memory info',
      'quota.near-full team-a requests.cpu info', // KubeQuotaAlmostFull: info
      'quota.near-full team-b requests.cpu info',
    ]);
    const cpu = report.findings.find((f) => f.check === 'quota.near-full' && f.object.namespace === 'team-a');
    expect(cpu?.message).toBe('ResourceQuota team-a/compute: requests.cpu 1900m of 2 used (95%)');
  });

  it('asks every tenant namespace (owner label) for a quota, not system or unlabelled ones', async () => {
    harness = await startBotHarness(bot, { objects, now: () => NOW });
    const report = await harness.run({});
    expect(report.findings.filter((f) => f.check === 'quota.missing').map((f) => f.object.name)).toEqual([
      'team-c',
    ]);
  });

  it('raises only when opted in, to used / 0.8 within the tier bound; skips what is at its bound; leaves protected namespaces', async () => {
    harness = await startBotHarness(bot, { objects, now: () => NOW, env: { ECO_MODE: 'apply' } });
    expect((await harness.run({})).actions).toEqual([]);
    const report = await harness.run({}, { env: { ECO_QUOTA_RAISE: 'true' } });
    expect(report.actions.map((a) => `${a.verb} ${a.object.namespace} ${a.status}`)).toEqual([
      'patch team-a applied',
      'patch team-b skipped',
    ]);
    const stored = harness.emulator.store.get('resourcequotas', 'compute', 'team-a') as KubeObject;
    // cpu 1.9 / 0.8 = 2.375 → 3 cores; memory 4Gi / 0.8 = 5Gi; pods 11 / 0.8 = 13.75 → 14.
    expect((stored['spec'] as { hard: Record<string, string> }).hard).toEqual({
      'requests.cpu': '3',
      'requests.memory': '5Gi',
      pods: '14',
      'count/secrets': '20',
    });
    expect(report.actions.some((a) => a.object.namespace === 'kube-system')).toBe(false);
  });

  it('refuses bad tier bounds at start with the variable named', async () => {
    harness = await startBotHarness(bot, { objects, now: () => NOW });
    await expect(harness.run({}, { env: { ECO_QUOTA_TIER_BOUNDS: '{"huge":{}}' } })).rejects.toThrow(
      /ECO_QUOTA_TIER_BOUNDS/,
    );
  });
});
