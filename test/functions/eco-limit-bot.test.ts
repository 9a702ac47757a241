// eco-limit-bot through the emulator with its own RBAC token: Polaris' four efficiency checks and
// Kyverno require-pod-requests-limits per container (anchor names in each case), LimitRange
// defaults per seed tier, and the opt-in create of missing defaults (and what it leaves alone).
import { afterEach, describe, expect, it } from 'vitest';
import bot from '../../functions/eco-limit-bot/handler.ts';
import type { KubeObject } from '../../shared/k8s/types.ts';
import { startBotHarness } from '../helpers/k8s-harness.ts';
import type { BotHarness } from '../helpers/k8s-harness.ts';

const NOW = new Date('2026-12-04T12:00:00Z');
const created = '2026-06-01T00:00:00Z';
const ns = (
  name: string,
  labels: Record<string, string> = {},
  annotations: Record<string, string> = {},
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, uid: `uid-${name}`, creationTimestamp: created, labels, annotations },
  status: { phase: 'Active' },
});
const deploy = (
  namespace: string,
  name: string,
  resources: unknown,
  annotations: Record<string, string> = {},
): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace, uid: `uid-${namespace}-${name}`, creationTimestamp: created, annotations },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: 'app', image: 'registry.example/app:1', resources }] },
    },
  },
});
const limitRange = (namespace: string, name: string, item: Record<string, unknown>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'LimitRange',
  metadata: { name, namespace, uid: `uid-lr-${namespace}-${name}`, creationTimestamp: created },
  spec: { limits: [{ type: 'Container', ...item }] },
});

const objects = [
  ns('team-a', { owner: 'a', 'eco.bsw-arch.org/tier': 'medium' }),
  ns('team-b', { owner: 'b' }),
  ns('legacy'),
  ns('kube-system'),
  deploy('legacy', 'bare', {}),
  deploy('legacy', 'no-cpu-limit', {
    requests: { cpu: '100m', memory: '64Mi' },
    limits: { memory: '128Mi' },
  }),
  deploy('legacy', 'exempt', {}, { 'polaris.fairwinds.com/exempt': 'true' }),
  deploy('legacy', 'opted-out', {}, { 'eco.bsw-arch.org/exclude': 'true' }),
  deploy('team-a', 'covered', {}),
  deploy('kube-system', 'coredns', { requests: { cpu: '100m', memory: '70Mi' } }),
  limitRange('team-a', 'team-defaults', {
    defaultRequest: { cpu: '100m', memory: '128Mi' },
    default: { cpu: '500m', memory: '512Mi' },
  }),
];

let harness: BotHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('eco-limit-bot', () => {
  it('reports containers by Polaris’ four checks and Kyverno’s required fields; LimitRange-covered ones as info', async () => {
    harness = await startBotHarness(bot, { objects, now: () => NOW });
    const report = await harness.run({});
    expect(report.errors).toEqual([]);
    const missing = Object.fromEntries(
      report.findings
        .filter((f) => f.check === 'limit.missing')
        .map((f) => [`${f.object.namespace}/${f.object.name}`, f]),
    );
    expect(Object.keys(missing).sort()).toEqual(['legacy/bare', 'legacy/no-cpu-limit', 'team-a/covered']);
    // Polaris cpuRequestsMissing … memoryLimitsMissing; Kyverno require-pod-requests-limits.
    expect(missing['legacy/bare']?.evidence).toMatchObject({
      polaris: ['cpuRequestsMissing', 'memoryRequestsMissing', 'cpuLimitsMissing', 'memoryLimitsMissing'],
      kyvernoRequirePodRequestsLimits: {
        missing: ['resources.requests.memory', 'resources.requests.cpu', 'resources.limits.memory'],
      },
    });
    expect(missing['legacy/bare']?.message).toBe(
      'Deployment legacy/bare container app sets no CPU request, memory request, CPU limit, memory limit',
    );
    // Polaris flags the CPU limit; Kyverno's policy does not require one.
    expect(missing['legacy/no-cpu-limit']?.evidence).toMatchObject({
      polaris: ['cpuLimitsMissing'],
      kyvernoRequirePodRequestsLimits: 'pass',
    });
    expect(missing['legacy/no-cpu-limit']?.severity).toBe('warning');
    expect(missing['team-a/covered']?.severity).toBe('info');
  });

  it('checks tenant namespaces’ LimitRange defaults against their seed tier', async () => {
    harness = await startBotHarness(bot, { objects, now: () => NOW });
    const report = await harness.run({});
    const byCheck = report.findings
      .filter((f) => f.check.startsWith('limit.range'))
      .map((f) => `${f.check} ${f.object.name}`);
    expect(byCheck.sort()).toEqual(['limit.range-defaults team-a', 'limit.range-missing team-b']);
    const defaults = report.findings.find((f) => f.check === 'limit.range-defaults');
    // medium tier: requests 250m/256Mi, limits 500m/512Mi
    expect(defaults?.evidence?.['gaps']).toEqual([
      { field: 'defaultRequest.cpu', want: '250m', have: '100m' },
      { field: 'defaultRequest.memory', want: '256Mi', have: '128Mi' },
    ]);
  });

  it('creates the missing defaults only when opted in, never rewrites a team’s own LimitRange', async () => {
    harness = await startBotHarness(bot, { objects, now: () => NOW, env: { ECO_MODE: 'apply' } });
    expect((await harness.run({})).actions).toEqual([]);
    const report = await harness.run({}, { env: { ECO_LIMIT_APPLY_DEFAULTS: 'true' } });
    expect(
      report.actions.map(
        (a) => `${a.verb} ${a.object.kind} ${a.object.namespace}/${a.object.name} ${a.status}`,
      ),
    ).toEqual(['create LimitRange team-b/eco-defaults applied']);
    const created = harness.emulator.store.get('limitranges', 'eco-defaults', 'team-b') as KubeObject;
    expect(created['spec']).toEqual({
      limits: [
        {
          type: 'Container',
          defaultRequest: { cpu: '100m', memory: '128Mi' },
          default: { cpu: '200m', memory: '256Mi' },
        },
      ],
    });
    expect(harness.emulator.store.get('limitranges', 'team-defaults', 'team-a')).toMatchObject({
      spec: { limits: [{ defaultRequest: { cpu: '100m' } }] },
    });
  });

  it('refuses an unknown check with the allowed ids', async () => {
    harness = await startBotHarness(bot, { objects, now: () => NOW });
    await expect(harness.run({ checks: ['limit.nope'] })).rejects.toThrow(/checks/);
  });
});
