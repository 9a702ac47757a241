// What a pod spec references: ConfigMaps and Secrets through env, envFrom, volumes and projected
// volumes (the places kubelet resolves them), plus imagePullSecrets for the "in use" side.
import { createHash } from 'node:crypto';
import type { KubeObject } from '../../shared/index.ts';

export interface ConfigRef {
  kind: 'ConfigMap' | 'Secret';
  name: string;
  /** A single key (configMapKeyRef, secretKeyRef, volume items); undefined: the whole object. */
  key?: string;
  /** `optional: true`: kubelet starts the pod without it. */
  optional: boolean;
  /** Where, e.g. `container app env DB_HOST`, `volume settings`. */
  where: string;
}

interface KeyRef {
  name?: string;
  key?: string;
  optional?: boolean;
}
interface Container {
  name: string;
  env?: { name: string; valueFrom?: { configMapKeyRef?: KeyRef; secretKeyRef?: KeyRef } }[];
  envFrom?: { configMapRef?: KeyRef; secretRef?: KeyRef }[];
}
interface Volume {
  name: string;
  configMap?: { name?: string; optional?: boolean; items?: { key: string }[] };
  secret?: { secretName?: string; optional?: boolean; items?: { key: string }[] };
  projected?: {
    sources?: {
      configMap?: { name?: string; optional?: boolean; items?: { key: string }[] };
      secret?: { name?: string; optional?: boolean; items?: { key: string }[] };
    }[];
  };
}
export interface PodSpec {
  containers?: Container[];
  initContainers?: Container[];
  ephemeralContainers?: Container[];
  volumes?: Volume[];
  imagePullSecrets?: { name?: string }[];
}

/** The pod spec of a workload (Deployment, StatefulSet, DaemonSet, Job, CronJob) or a Pod. */
export function podSpecOf(object: KubeObject): PodSpec | undefined {
  const spec = object.spec as
    | (PodSpec & {
        template?: { spec?: PodSpec };
        jobTemplate?: { spec?: { template?: { spec?: PodSpec } } };
      })
    | undefined;
  if (!spec) return undefined;
  if (object.kind === 'Pod') return spec;
  return spec.jobTemplate?.spec?.template?.spec ?? spec.template?.spec;
}

export function refsOf(spec: PodSpec | undefined): ConfigRef[] {
  if (!spec) return [];
  const out: ConfigRef[] = [];
  const push = (kind: ConfigRef['kind'], ref: KeyRef | undefined, where: string, key?: string): void => {
    if (!ref?.name) return;
    out.push({ kind, name: ref.name, optional: ref.optional === true, where, ...(key ? { key } : {}) });
  };
  for (const c of [
    ...(spec.initContainers ?? []),
    ...(spec.containers ?? []),
    ...(spec.ephemeralContainers ?? []),
  ]) {
    for (const e of c.env ?? []) {
      const cm = e.valueFrom?.configMapKeyRef;
      const sec = e.valueFrom?.secretKeyRef;
      push('ConfigMap', cm, `container ${c.name} env ${e.name}`, cm?.key);
      push('Secret', sec, `container ${c.name} env ${e.name}`, sec?.key);
    }
    for (const e of c.envFrom ?? []) {
      push('ConfigMap', e.configMapRef, `container ${c.name} envFrom`);
      push('Secret', e.secretRef, `container ${c.name} envFrom`);
    }
  }
  for (const v of spec.volumes ?? []) {
    if (v.configMap?.name) push('ConfigMap', v.configMap, `volume ${v.name}`);
    if (v.secret?.secretName)
      push('Secret', { name: v.secret.secretName, optional: v.secret.optional ?? false }, `volume ${v.name}`);
    for (const s of v.projected?.sources ?? []) {
      push('ConfigMap', s.configMap, `projected volume ${v.name}`);
      push('Secret', s.secret, `projected volume ${v.name}`);
    }
  }
  return out;
}

export const keyOf = (kind: string, namespace: string, name: string): string =>
  `${kind}/${namespace}/${name}`;

/** Whether a ConfigMap or Secret has the key (data or binaryData). */
export function hasKey(object: KubeObject, key: string): boolean {
  const o = object as KubeObject & { data?: Record<string, unknown>; binaryData?: Record<string, unknown> };
  return (o.data !== undefined && key in o.data) || (o.binaryData !== undefined && key in o.binaryData);
}

/**
 * The hash of the data a workload consumes (Reloader's SHA over the ConfigMap/Secret data): names and
 * sorted key/value pairs of every referenced object, so a change of any of them changes the hash.
 */
export function dataHash(objects: readonly KubeObject[]): string {
  const h = createHash('sha256');
  for (const o of [...objects].sort((a, b) =>
    `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`),
  )) {
    h.update(`${o.kind}/${o.metadata.name}\u0000`);
    const data = {
      ...((o as { data?: Record<string, string> }).data ?? {}),
      ...((o as { binaryData?: Record<string, string> }).binaryData ?? {}),
    };
    for (const k of Object.keys(data).sort()) h.update(`${k}\u0000${data[k] ?? ''}\u0000`);
  }
  return h.digest('hex');
}

/** When the object's content last changed: the newest managedFields time, else its creation. */
export function modifiedAt(object: KubeObject): number | undefined {
  const managed = (object.metadata as { managedFields?: { time?: string }[] }).managedFields ?? [];
  const times = managed.map((m) => Date.parse(m.time ?? '')).filter((t) => !Number.isNaN(t));
  const created = Date.parse(object.metadata.creationTimestamp ?? '');
  const all = [...times, ...(Number.isNaN(created) ? [] : [created])];
  return all.length === 0 ? undefined : Math.max(...all);
}
