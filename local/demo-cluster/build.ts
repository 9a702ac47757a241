// Builders for the demo cluster: deterministic names, uids and timestamps derived from `now` and the
// object's identity, and workload helpers that emit the whole owner chain the real controllers would
// have created (Deployment -> ReplicaSet -> Pods, StatefulSet -> Pods + PVCs, DaemonSet -> one Pod per
// node, CronJob -> Jobs -> Pods), plus the metrics.k8s.io usage of every running pod.
import { createHash } from 'node:crypto';
import type { KubeObject, OwnerReference } from '../../shared/k8s/types.ts';
import type { PodLogEntry } from '../k8s-emulator/pod-logs.ts';

export type Res = { cpu?: string; memory?: string };

export interface Ctr {
  name: string;
  image: string;
  requests?: Res;
  limits?: Res;
  /** Usage reported by metrics.k8s.io for each pod of the workload (omit: no metrics). */
  usage?: { cpu: string; memory: string };
  securityContext?: Record<string, unknown>;
  ports?: number[];
  env?: Array<Record<string, unknown>>;
  envFrom?: Array<Record<string, unknown>>;
  volumeMounts?: Array<Record<string, unknown>>;
  args?: string[];
}

export interface ContainerState {
  state?: Record<string, unknown>;
  lastState?: Record<string, unknown>;
  ready?: boolean;
  restartCount?: number;
}

export interface PodOpts {
  node?: string;
  phase?: 'Running' | 'Succeeded' | 'Failed' | 'Pending';
  reason?: string;
  message?: string;
  /** State of the first container (others run normally). */
  first?: ContainerState;
  createdAgo?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  spec?: Record<string, unknown>;
  deletionAgo?: string;
  finalizers?: string[];
  noMetrics?: boolean;
  /** Completed/failed pods: when the container terminated. */
  finishedAgo?: string;
  exitCode?: number;
}

export const NODES = ['eco-node-1', 'eco-node-2', 'eco-node-3'] as const;
/** eco-node-3 is NotReady: the kubelet stopped posting, so metrics-server has nothing for it. */
export const NOT_READY_NODE = 'eco-node-3';

const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function hash(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

export function frac(s: string): number {
  return hash(s).readUInt32BE(0) / 0x1_0000_0000;
}

export function suffix(seed: string, n = 5): string {
  const h = hash(seed);
  let out = '';
  for (let i = 0; i < n; i++) out += ALPHABET[(h[i] as number) % ALPHABET.length];
  return out;
}

export function uidFor(seed: string): string {
  const h = hash(`uid:${seed}`).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Parses `90s`, `45m`, `6h`, `3d`, `2w` into milliseconds. */
export function duration(spec: string): number {
  const m = /^(\d+)([smhdw])$/.exec(spec);
  if (!m) throw new Error(`bad duration ${spec}`);
  const unit = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 }[m[2] as 's'];
  return Number(m[1]) * unit;
}

/** CPU quantity in cores (`250m`, `2`, `1500000n`). */
export function cpuCores(q: string): number {
  if (q.endsWith('n')) return Number(q.slice(0, -1)) / 1e9;
  if (q.endsWith('m')) return Number(q.slice(0, -1)) / 1e3;
  return Number(q);
}

/** Memory quantity in bytes (`128Mi`, `2Gi`, `1346256Ki`, `500M`). */
export function memBytes(q: string): number {
  const units: Record<string, number> = {
    Ki: 1024,
    Mi: 1024 ** 2,
    Gi: 1024 ** 3,
    Ti: 1024 ** 4,
    k: 1e3,
    M: 1e6,
    G: 1e9,
  };
  const m = /^(\d+(?:\.\d+)?)([A-Za-z]*)$/.exec(q);
  if (!m) return 0;
  return Number(m[1]) * (units[m[2] as string] ?? 1);
}

export const nano = (cores: number): string => `${Math.round(cores * 1e9)}n`;
export const kib = (bytes: number): string => `${Math.round(bytes / 1024)}Ki`;

export class Builder {
  readonly objects: KubeObject[] = [];
  readonly logs: PodLogEntry[] = [];
  private podIndex = 0;
  private readonly ipCounters = new Map<string, number>();

  constructor(readonly now: Date) {}

  ts(ago: string): string {
    return new Date(this.now.getTime() - duration(ago)).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  future(ahead: string): string {
    return new Date(this.now.getTime() + duration(ahead)).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  add<T extends KubeObject>(o: T): T {
    this.objects.push(o);
    return o;
  }

  meta(
    kind: string,
    ns: string | undefined,
    name: string,
    ago: string,
    extra: Partial<KubeObject['metadata']> = {},
  ): KubeObject['metadata'] {
    const m: KubeObject['metadata'] = { name };
    if (ns) m.namespace = ns;
    m.uid = uidFor(`${kind}/${ns ?? ''}/${name}`);
    m.creationTimestamp = this.ts(ago);
    return { ...m, ...extra };
  }

  ownerRef(o: KubeObject): OwnerReference {
    return {
      apiVersion: o.apiVersion as string,
      kind: o.kind as string,
      name: o.metadata.name,
      uid: o.metadata.uid as string,
      controller: true,
      blockOwnerDeletion: true,
    };
  }

  private nextNode(): string {
    // Regular workloads land on the two Ready nodes.
    return NODES[this.podIndex++ % 2] as string;
  }

  private ip(node: string): string {
    const n = (this.ipCounters.get(node) ?? 10) + 1;
    this.ipCounters.set(node, n);
    return `10.244.${NODES.indexOf(node as (typeof NODES)[number]) + 1}.${n}`;
  }

  container(c: Ctr): Record<string, unknown> {
    const out: Record<string, unknown> = { name: c.name, image: c.image };
    if (c.args) out['args'] = c.args;
    if (c.ports) out['ports'] = c.ports.map((p) => ({ containerPort: p, protocol: 'TCP' }));
    if (c.env) out['env'] = c.env;
    if (c.envFrom) out['envFrom'] = c.envFrom;
    const resources: Record<string, unknown> = {};
    if (c.requests) resources['requests'] = c.requests;
    if (c.limits) resources['limits'] = c.limits;
    out['resources'] = resources;
    if (c.volumeMounts) out['volumeMounts'] = c.volumeMounts;
    out['terminationMessagePath'] = '/dev/termination-log';
    out['terminationMessagePolicy'] = 'File';
    out['imagePullPolicy'] =
      c.image.endsWith(':latest') || !/:[^/]+$/.test(c.image) ? 'Always' : 'IfNotPresent';
    if (c.securityContext) out['securityContext'] = c.securityContext;
    return out;
  }

  /** A Pod (and its PodMetrics when running with usage). */
  pod(ns: string, name: string, containers: Ctr[], o: PodOpts = {}, owner?: KubeObject): KubeObject {
    const node = o.node ?? this.nextNode();
    const created = o.createdAgo ?? '10d';
    const phase = o.phase ?? 'Running';
    const extra: Partial<KubeObject['metadata']> = {};
    if (o.labels) extra.labels = o.labels;
    if (o.annotations) extra.annotations = o.annotations;
    if (owner) extra.ownerReferences = [this.ownerRef(owner)];
    if (o.finalizers) extra.finalizers = o.finalizers;
    if (o.deletionAgo) {
      extra.deletionTimestamp = this.ts(o.deletionAgo);
      (extra as Record<string, unknown>)['deletionGracePeriodSeconds'] = 30;
    }
    const started = this.ts(created);
    const running = phase === 'Running';
    const statuses = containers.map((c, i) => {
      const st: Record<string, unknown> = {
        name: c.name,
        image: c.image,
        imageID: `${c.image.replace(/:[^/:]+$/, '')}@sha256:${hash(c.image).toString('hex')}`,
        containerID: `containerd://${hash(`${ns}/${name}/${c.name}`).toString('hex')}`,
        ready: running,
        restartCount: 0,
        started: running,
        state: running
          ? { running: { startedAt: started } }
          : {
              terminated: {
                exitCode: o.exitCode ?? (phase === 'Succeeded' ? 0 : 1),
                reason: phase === 'Succeeded' ? 'Completed' : 'Error',
                startedAt: started,
                finishedAt: this.ts(o.finishedAgo ?? created),
              },
            },
      };
      if (i === 0 && o.first) {
        if (o.first.state) st['state'] = o.first.state;
        if (o.first.lastState) st['lastState'] = o.first.lastState;
        if (o.first.ready !== undefined) {
          st['ready'] = o.first.ready;
          st['started'] = o.first.ready;
        }
        if (o.first.restartCount !== undefined) st['restartCount'] = o.first.restartCount;
      }
      return st;
    });
    const allReady = statuses.every((s) => s['ready'] === true);
    const status: Record<string, unknown> = { phase };
    if (o.reason) status['reason'] = o.reason;
    if (o.message) status['message'] = o.message;
    const condTime = started;
    status['conditions'] = [
      { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: condTime },
      {
        type: 'Ready',
        status: allReady && running ? 'True' : 'False',
        lastProbeTime: null,
        lastTransitionTime: condTime,
      },
      {
        type: 'ContainersReady',
        status: allReady && running ? 'True' : 'False',
        lastProbeTime: null,
        lastTransitionTime: condTime,
      },
      { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: condTime },
    ];
    if (o.reason !== 'Evicted') {
      const podIP = o.spec?.['hostNetwork'] === true ? nodeIp(node) : this.ip(node);
      status['hostIP'] = nodeIp(node);
      status['hostIPs'] = [{ ip: nodeIp(node) }];
      status['podIP'] = podIP;
      status['podIPs'] = [{ ip: podIP }];
    }
    status['startTime'] = started;
    status['containerStatuses'] = o.reason === 'Evicted' ? [] : statuses;
    status['qosClass'] = qosClass(containers);
    const pod = this.add({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: this.meta('Pod', ns, name, created, extra),
      spec: {
        containers: containers.map((c) => this.container(c)),
        restartPolicy: owner?.kind === 'Job' ? 'Never' : 'Always',
        terminationGracePeriodSeconds: 30,
        dnsPolicy: 'ClusterFirst',
        serviceAccountName: 'default',
        schedulerName: 'default-scheduler',
        nodeName: node,
        securityContext: {},
        ...(o.spec ?? {}),
      },
      status,
    });
    const hasUsage = containers.some((c) => c.usage);
    if (running && hasUsage && !o.noMetrics && node !== NOT_READY_NODE) {
      this.add({
        apiVersion: 'metrics.k8s.io/v1beta1',
        kind: 'PodMetrics',
        metadata: {
          name,
          namespace: ns,
          creationTimestamp: this.ts('0s'),
          ...(o.labels ? { labels: o.labels } : {}),
        },
        timestamp: this.ts('12s'),
        window: '15.003s',
        containers: containers.map((c) => {
          const jitter = 0.9 + 0.2 * frac(`${ns}/${name}/${c.name}`);
          const u = c.usage ?? { cpu: '1m', memory: '4Mi' };
          // Usage never passes the limits: CPU is throttled at its limit, memory past it is OOM-killed.
          const cpuLimit = c.limits?.cpu ? cpuCores(c.limits.cpu) * 0.99 : Infinity;
          const memLimit = c.limits?.memory ? memBytes(c.limits.memory) * 0.98 : Infinity;
          return {
            name: c.name,
            usage: {
              cpu: nano(Math.min(cpuCores(u.cpu) * jitter, cpuLimit)),
              memory: kib(Math.min(memBytes(u.memory) * jitter, memLimit)),
            },
          };
        }),
      });
    }
    return pod;
  }
}

export function nodeIp(node: string): string {
  return `10.0.0.${11 + NODES.indexOf(node as (typeof NODES)[number])}`;
}

function qosClass(cs: Ctr[]): string {
  const anyReq = cs.some((c) => c.requests || c.limits);
  if (!anyReq) return 'BestEffort';
  const guaranteed = cs.every(
    (c) =>
      c.limits?.cpu &&
      c.limits.memory &&
      (!c.requests || (c.requests.cpu === c.limits.cpu && c.requests.memory === c.limits.memory)),
  );
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
