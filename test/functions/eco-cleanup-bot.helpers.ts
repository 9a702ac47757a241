// The cleanup bot's test cluster: what is due for deletion (DUE) and the look-alikes around it.
import type { Action } from '../../shared/bot/types.ts';
import type { KubeObject } from '../../shared/k8s/types.ts';

export const NOW = new Date('2026-06-01T12:00:00Z');
/** The clock the cluster is built around (see clusterAt). */
let anchor = NOW;
export const ago = (ms: number) => new Date(anchor.getTime() - ms).toISOString();
const dateOnly = (ms: number) => ago(ms).slice(0, 10);
export const H = 3_600_000;
export const D = 24 * H;

export function job(
  name: string,
  opts: {
    ns?: string;
    finishedAgo?: number;
    annotations?: Record<string, string>;
    owner?: string;
    ttlSeconds?: number;
  } = {},
): KubeObject {
  const finished = opts.finishedAgo === undefined ? undefined : ago(opts.finishedAgo);
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: opts.ns ?? 'team-a',
      creationTimestamp: ago(30 * D),
      ...(opts.annotations ? { annotations: opts.annotations } : {}),
      ...(opts.owner
        ? {
            ownerReferences: [
              {
                apiVersion: 'batch/v1',
                kind: opts.owner,
                name: 'nightly',
                uid: 'owner-uid',
                controller: true,
              },
            ],
          }
        : {}),
    },
    spec: {
      template: { spec: { containers: [{ name: 'c', image: 'busybox' }], restartPolicy: 'Never' } },
      ...(opts.ttlSeconds !== undefined ? { ttlSecondsAfterFinished: opts.ttlSeconds } : {}),
    },
    status: finished
      ? {
          succeeded: 1,
          completionTime: finished,
          conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: finished }],
        }
      : { active: 1 },
  };
}
export function pod(
  name: string,
  opts: { ns?: string; phase?: string; reason?: string; endedAgo?: number; owner?: string } = {},
): KubeObject {
  const ended = opts.endedAgo === undefined ? undefined : ago(opts.endedAgo);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: opts.ns ?? 'team-a',
      creationTimestamp: ago(30 * D),
      ...(opts.owner
        ? {
            ownerReferences: [
              { apiVersion: 'v1', kind: opts.owner, name: 'o', uid: 'o-uid', controller: true },
            ],
          }
        : {}),
    },
    spec: { containers: [{ name: 'c', image: 'nginx' }] },
    status: {
      phase: opts.phase ?? 'Running',
      ...(opts.reason ? { reason: opts.reason, message: 'The node was low on resource: memory.' } : {}),
      startTime: ago(30 * D),
      ...(ended ? { conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: ended }] } : {}),
    },
  };
}
export function replicaSet(name: string, replicas: number, owned: boolean): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name,
      namespace: 'team-a',
      creationTimestamp: ago(30 * D),
      ...(owned
        ? {
            ownerReferences: [
              { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd-uid', controller: true },
            ],
          }
        : {}),
    },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'c', image: 'nginx' }] },
      },
    },
    status: { replicas },
  };
}
export const ns = (
  name: string,
  annotations?: Record<string, string>,
  created = ago(30 * D),
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, creationTimestamp: created, ...(annotations ? { annotations } : {}) },
});

function build(): KubeObject[] {
  return [
    ns('team-a'),
    ns('quiet', { 'eco.bsw-arch.org/exclude': 'true' }),
    ns('preview-42', { 'janitor/ttl': '1d' }, ago(3 * D)),
    ns('preview-43', { 'eco.bsw-arch.org/ttl': '7d' }, ago(3 * D)),
    // due
    job('job-old-done', { finishedAgo: 10 * D }),
    pod('pod-evicted-old', { phase: 'Failed', reason: 'Evicted', endedAgo: 3 * D, owner: 'ReplicaSet' }),
    pod('pod-failed-old', { phase: 'Failed', endedAgo: 2 * D }),
    replicaSet('rs-orphan', 0, false),
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'cm-ttl-expired',
        namespace: 'team-a',
        creationTimestamp: ago(D),
        annotations: { 'janitor/ttl': '2h' },
      },
      data: {},
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'svc-expired',
        namespace: 'team-a',
        creationTimestamp: ago(D),
        annotations: { 'eco.bsw-arch.org/expires': dateOnly(31 * D) },
      },
      spec: { ports: [{ port: 80 }] },
    },
    // not due, or protected
    job('job-recent-done', { finishedAgo: 2 * D }),
    job('job-cron-owned', { finishedAgo: 10 * D, owner: 'CronJob' }),
    job('job-ttl-controller', { finishedAgo: 10 * D, ttlSeconds: 100 }),
    job('job-running'),
    job('job-excluded', { finishedAgo: 10 * D, annotations: { 'eco.bsw-arch.org/exclude': 'true' } }),
    job('job-exclude-until', {
      finishedAgo: 10 * D,
      annotations: { 'eco.bsw-arch.org/exclude-until': ago(-30 * D) },
    }),
    job('job-forever', { finishedAgo: 10 * D, annotations: { 'janitor/ttl': 'forever' } }),
    job('job-quiet', { ns: 'quiet', finishedAgo: 10 * D }),
    pod('pod-failed-recent', { phase: 'Failed', endedAgo: H }),
    pod('pod-running'),
    pod('pod-failed-job-owned', { phase: 'Failed', endedAgo: 3 * D, owner: 'Job' }),
    pod('pod-evicted-system', { ns: 'kube-system', phase: 'Failed', reason: 'Evicted', endedAgo: 3 * D }),
    replicaSet('rs-owned', 0, true),
    replicaSet('rs-orphan-scaled', 2, false),
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'cm-ttl-future',
        namespace: 'team-a',
        creationTimestamp: ago(D),
        annotations: { 'eco.bsw-arch.org/ttl': '7d' },
      },
      data: {},
    },
    // An expired Secret: secrets are outside the bot's RBAC, so it is never even listed.
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'secret-expired',
        namespace: 'team-a',
        creationTimestamp: ago(D),
        annotations: { 'janitor/ttl': '1h' },
      },
      type: 'Opaque',
    },
  ];
}

/** The test cluster with every time relative to `now` (a bundle run uses the real clock). */
export function clusterAt(now: Date): KubeObject[] {
  anchor = now;
  try {
    return build();
  } finally {
    anchor = NOW;
  }
}

export const cluster: KubeObject[] = clusterAt(NOW);

export const DUE = [
  'configmaps/team-a/cm-ttl-expired',
  'jobs/team-a/job-old-done',
  'namespaces//preview-42',
  'pods/team-a/pod-evicted-old',
  'pods/team-a/pod-failed-old',
  'replicasets/team-a/rs-orphan',
  'services/team-a/svc-expired',
];
export const PLURAL: Record<string, string> = {
  ConfigMap: 'configmaps',
  Job: 'jobs',
  Namespace: 'namespaces',
  Pod: 'pods',
  ReplicaSet: 'replicasets',
  Service: 'services',
};
export const key = (a: Action) =>
  `${PLURAL[a.object.kind] ?? a.object.kind}/${a.object.namespace ?? ''}/${a.object.name}`;
export const withStatus = (actions: Action[], status: Action['status']) =>
  actions
    .filter((a) => a.status === status)
    .map(key)
    .sort();

/** The emulator store's key for a plural this suite uses (jobs and replicasets live in named groups). */
export function storeRef(plural: string): string | { group: string; plural: string } {
  if (plural === 'jobs') return { group: 'batch', plural };
  if (plural === 'replicasets') return { group: 'apps', plural };
  return plural;
}
