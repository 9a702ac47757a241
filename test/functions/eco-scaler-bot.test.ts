// eco-scaler-bot through the emulator with its own RBAC token: kube-downscaler's off-hours
// scaling (original-replicas saved and restored, 15-minute grace, CronJobs suspended, exclusions),
// the HPA at maxReplicas with ScalingLimited (+20 % when opted in) and an HPA with a missing target.
import { afterEach, describe, expect, it } from 'vitest';
import bot from '../../functions/eco-scaler-bot/handler.ts';
import type { KubeObject } from '../../shared/k8s/types.ts';
import { startBotHarness } from '../helpers/k8s-harness.ts';
import type { BotHarness } from '../helpers/k8s-harness.ts';

// Friday 23:00 UTC: outside "Mon-Fri 07:00-19:00 UTC".
const NIGHT = new Date('2026-12-04T23:00:00Z');
const DAY = new Date('2026-12-07T10:00:00Z'); // Monday 10:00
const old = '2026-06-01T00:00:00Z';
const UPTIME = { 'downscaler/uptime': 'Mon-Fri 07:00-19:00 UTC' };

const deploy = (
  name: string,
  replicas: number,
  annotations: Record<string, string>,
  created = old,
): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name,
    namespace: 'team-a',
    uid: `uid-${name}`,
    creationTimestamp: created,
    annotations,
    resourceVersion: '1',
    generation: 1,
  },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: {
        containers: [
          {
            name: 'app',
            image: 'registry.example/app:1',
            resources: { requests: { cpu: '500m', memory: '512Mi' } },
          },
        ],
      },
    },
  },
});
const objects = (created: string): KubeObject[] => [
  {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'team-a', uid: 'uid-team-a', creationTimestamp: old },
  },
  deploy('web', 3, UPTIME),
  deploy('fresh', 2, UPTIME, created),
  deploy('pinned', 2, { ...UPTIME, 'eco.bsw-arch.org/exclude': 'true' }),
  deploy('always-on', 2, {}),
  {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: {
      name: 'report',
      namespace: 'team-a',
      uid: 'uid-report',
      creationTimestamp: old,
      annotations: UPTIME,
      resourceVersion: '1',
    },
    spec: {
      schedule: '0 * * * *',
      suspend: false,
      jobTemplate: {
        spec: {
          template: {
            spec: { containers: [{ name: 'r', image: 'registry.example/r:1' }], restartPolicy: 'Never' },
          },
        },
      },
    },
  },
  {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: {
      name: 'api',
      namespace: 'team-a',
      uid: 'uid-hpa-api',
      creationTimestamp: old,
      annotations: { 'eco.bsw-arch.org/hpa-raise-max': 'true' },
      resourceVersion: '1',
    },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'always-on' },
      minReplicas: 1,
      maxReplicas: 5,
    },
    status: {
      currentReplicas: 5,
      desiredReplicas: 5,
      conditions: [
        {
          type: 'ScalingLimited',
          status: 'True',
          reason: 'TooManyReplicas',
          message: 'the desired replica count is more than the maximum replica count',
        },
      ],
    },
  },
  {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'ghost', namespace: 'team-a', uid: 'uid-hpa-ghost', creationTimestamp: old },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'gone' },
      minReplicas: 1,
      maxReplicas: 3,
    },
    status: { currentReplicas: 0, desiredReplicas: 0 },
  },
];

let harness: BotHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});
const stored = (h: BotHarness, plural: string, name: string): KubeObject =>
  h.emulator.store.get(
    {
      group: plural === 'cronjobs' ? 'batch' : plural === 'horizontalpodautoscalers' ? 'autoscaling' : 'apps',
      plural,
    },
    name,
    'team-a',
  ) as KubeObject;

describe('eco-scaler-bot', () => {
  it('in downtime scales down (saving original-replicas) and suspends CronJobs; not the excluded, the fresh or the unscheduled', async () => {
    let now = NIGHT;
    harness = await startBotHarness(bot, {
      objects: objects('2026-12-04T22:50:00Z'),
      now: () => now,
      env: { ECO_MODE: 'apply' },
    });
    const report = await harness.run({});
    expect(report.errors).toEqual([]);
    const acted = report.actions.map((a) => `${a.verb} ${a.object.kind}/${a.object.name} ${a.status}`).sort();
    expect(acted).toEqual([
      'patch CronJob/report applied',
      'patch Deployment/pinned skipped', // eco.bsw-arch.org/exclude: the rails refuse
      'patch Deployment/web applied',
      'patch HorizontalPodAutoscaler/api applied', // opted in: 5 → 6
    ]);
    expect(stored(harness, 'deployments', 'web')).toMatchObject({
      spec: { replicas: 0 },
      metadata: { annotations: { 'downscaler/original-replicas': '3' } },
    });
    expect(stored(harness, 'deployments', 'fresh')).toMatchObject({ spec: { replicas: 2 } }); // 10 minutes old: grace
    expect(stored(harness, 'cronjobs', 'report')).toMatchObject({ spec: { suspend: true } });
    expect(stored(harness, 'horizontalpodautoscalers', 'api')).toMatchObject({ spec: { maxReplicas: 6 } });
    const down = report.findings.find((f) => f.check === 'scaler.downscaled');
    expect(down?.object.name).toBe('web');
    expect(down?.impact?.monthlyCost).toBeGreaterThan(0);

    // Monday morning: restored to 3, annotation removed; the CronJob resumes.
    now = DAY;
    const morning = await harness.run({});
    expect(
      morning.actions
        .filter((a) => a.status === 'applied')
        .map((a) => `${a.object.kind}/${a.object.name}`)
        .sort(),
    ).toEqual(['CronJob/report', 'Deployment/web']);
    const web = stored(harness, 'deployments', 'web');
    expect(web['spec']).toMatchObject({ replicas: 3 });
    expect(web.metadata.annotations?.['downscaler/original-replicas']).toBeUndefined();
    expect(stored(harness, 'cronjobs', 'report')).toMatchObject({ spec: { suspend: false } });
  });

  it('plans (dry-run) by default and reports the HPA at max and the HPA without a target', async () => {
    harness = await startBotHarness(bot, { objects: objects(old), now: () => NIGHT });
    const report = await harness.run({});
    expect(report.actions.filter((a) => a.status === 'applied')).toEqual([]);
    expect(stored(harness, 'deployments', 'web')).toMatchObject({ spec: { replicas: 3 } });
    const byCheck = report.findings
      .map((f) => `${f.check} ${f.object.name}`)
      .filter((s) => s.startsWith('scaler.hpa'))
      .sort();
    expect(byCheck).toEqual(['scaler.hpa-at-max api', 'scaler.hpa-target-missing ghost']);
    expect(report.findings.find((f) => f.check === 'scaler.hpa-at-max')?.evidence).toMatchObject({
      maxReplicas: 5,
      suggestedMaxReplicas: 6,
    });
  });
});
