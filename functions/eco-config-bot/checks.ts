// ConfigMap/Secret checks: references to objects (or keys) that do not exist (Popeye 304/407, the
// kubelet's CreateContainerConfigError), objects nothing references (Popeye 400, k8s-cleaner
// orphaned ConfigMaps/Secrets), and workloads whose pods run with data older than their config
// (Reloader; k8s-cleaner "pods with outdated Secret data").
import { check, resources, type KubeObject, type ResourceType, type Snapshot } from '../../shared/index.ts';
import { dataHash, hasKey, keyOf, modifiedAt, podSpecOf, refsOf, type ConfigRef } from './refs.ts';

export const KINDS = {
  deployments: resources.deployments,
  statefulsets: resources.statefulsets,
  daemonsets: resources.daemonsets,
  jobs: resources.jobs,
  cronjobs: resources.cronjobs,
  pods: resources.pods,
  configmaps: resources.configmaps,
  secrets: resources.secrets,
  ingresses: resources.ingresses,
  serviceaccounts: resources.serviceaccounts,
};
export type ConfigSnap = Snapshot<typeof KINDS>;

export interface ConfigSettings {
  skipNamespaces: readonly string[];
}

/** Reloader's annotations (stakater/Reloader README) and the hash this bot writes on the pod template. */
export const RELOADER = Object.freeze({
  auto: 'reloader.stakater.com/auto',
  configmaps: 'configmap.reloader.stakater.com/reload',
  secrets: 'secret.reloader.stakater.com/reload',
  hash: 'eco.bsw-arch.org/config-hash',
});

const RESTARTABLE = ['deployments', 'statefulsets', 'daemonsets'] as const;

export interface Consumer {
  object: KubeObject;
  type: ResourceType;
  refs: ConfigRef[];
}

/** The objects that declare pod specs a person owns: controllers, and pods/jobs nobody owns. */
export function consumers(snap: ConfigSnap, settings: ConfigSettings): Consumer[] {
  const out: Consumer[] = [];
  const add = (object: KubeObject, type: ResourceType): void => {
    if (settings.skipNamespaces.includes(object.metadata.namespace ?? '')) return;
    out.push({ object, type, refs: refsOf(podSpecOf(object)) });
  };
  for (const k of [...RESTARTABLE, 'cronjobs'] as const) for (const o of snap.objects[k]) add(o, KINDS[k]);
  for (const k of ['jobs', 'pods'] as const)
    for (const o of snap.objects[k]) if ((o.metadata.ownerReferences ?? []).length === 0) add(o, KINDS[k]);
  return out;
}

function index(snap: ConfigSnap): Map<string, KubeObject> {
  const map = new Map<string, KubeObject>();
  for (const o of snap.objects.configmaps)
    map.set(keyOf('ConfigMap', o.metadata.namespace ?? '', o.metadata.name), o);
  for (const o of snap.objects.secrets)
    map.set(keyOf('Secret', o.metadata.namespace ?? '', o.metadata.name), o);
  return map;
}

export const missingReference = check<ConfigSnap, ConfigSettings>({
  id: 'config.missing-reference',
  severity: 'critical',
  title: 'pod spec referencing a ConfigMap, Secret or key that does not exist',
  anchor: 'Popeye POP-304 (missing Secret) and POP-407 (missing reference)',
  *run(snap, settings) {
    if (snap.failed.has('configmaps') || snap.failed.has('secrets')) return;
    const known = index(snap);
    for (const c of consumers(snap, settings)) {
      const ns = c.object.metadata.namespace ?? '';
      const missing: { ref: ConfigRef; what: string }[] = [];
      for (const ref of c.refs) {
        if (ref.optional) continue;
        const target = known.get(keyOf(ref.kind, ns, ref.name));
        if (!target) missing.push({ ref, what: `${ref.kind} "${ref.name}"` });
        else if (ref.key && !hasKey(target, ref.key))
          missing.push({ ref, what: `key "${ref.key}" of ${ref.kind} "${ref.name}"` });
      }
      if (missing.length === 0) continue;
      const unique = [...new Set(missing.map((m) => m.what))];
      yield {
        object: c.object,
        type: c.type,
        message: `${c.type.kind} ${ns}/${c.object.metadata.name} references ${unique.join(', ')}, which does not exist: its pods cannot start (CreateContainerConfigError).`,
        evidence: {
          missing: missing.map((m) => ({
            kind: m.ref.kind,
            name: m.ref.name,
            ...(m.ref.key ? { key: m.ref.key } : {}),
            where: m.ref.where,
          })),
        },
        fix: `Create the missing object in ${ns} (kubectl -n ${ns} create configmap|secret ...), fix the name in the spec, or mark the reference optional: true.`,
      };
    }
  },
});

/** ConfigMaps and Secrets the platform manages itself: never "unused". */
function managedBySystem(object: KubeObject): boolean {
  const type = (object as { type?: string }).type ?? '';
  return (
    (object.metadata.ownerReferences ?? []).length > 0 ||
    type === 'kubernetes.io/service-account-token' ||
    type === 'bootstrap.kubernetes.io/token' ||
    type.startsWith('helm.sh/') ||
    object.metadata.name === 'kube-root-ca.crt' ||
    object.metadata.name === 'istio-ca-root-cert' ||
    object.metadata.annotations?.['kubernetes.io/service-account.name'] !== undefined
  );
}

export function referenced(snap: ConfigSnap): Set<string> {
  const used = new Set<string>();
  const all: KubeObject[] = [
    ...snap.objects.deployments,
    ...snap.objects.statefulsets,
    ...snap.objects.daemonsets,
    ...snap.objects.jobs,
    ...snap.objects.cronjobs,
    ...snap.objects.pods,
  ];
  for (const o of all) {
    const ns = o.metadata.namespace ?? '';
    const spec = podSpecOf(o);
    for (const ref of refsOf(spec)) used.add(keyOf(ref.kind, ns, ref.name));
    for (const p of spec?.imagePullSecrets ?? []) if (p.name) used.add(keyOf('Secret', ns, p.name));
  }
  for (const ing of snap.objects.ingresses)
    for (const t of (ing.spec as { tls?: { secretName?: string }[] } | undefined)?.tls ?? [])
      if (t.secretName) used.add(keyOf('Secret', ing.metadata.namespace ?? '', t.secretName));
  for (const sa of snap.objects.serviceaccounts) {
    const s = sa as KubeObject & { secrets?: { name?: string }[]; imagePullSecrets?: { name?: string }[] };
    for (const r of [...(s.secrets ?? []), ...(s.imagePullSecrets ?? [])])
      if (r.name) used.add(keyOf('Secret', sa.metadata.namespace ?? '', r.name));
  }
  return used;
}

export const unused = check<ConfigSnap, ConfigSettings>({
  id: 'config.unused',
  severity: 'info',
  title: 'ConfigMap or Secret no workload, Ingress or ServiceAccount references',
  anchor: 'Popeye POP-400 (unused); k8s-cleaner orphaned ConfigMaps/Secrets',
  *run(snap, settings) {
    // Without every consumer kind the answer would be wrong: report nothing rather than guess.
    const consumerKinds = [
      'deployments',
      'statefulsets',
      'daemonsets',
      'jobs',
      'cronjobs',
      'pods',
      'ingresses',
      'serviceaccounts',
    ] as const;
    if (consumerKinds.some((k) => snap.failed.has(k))) return;
    const used = referenced(snap);
    for (const [kind, list] of [
      ['ConfigMap', snap.objects.configmaps],
      ['Secret', snap.objects.secrets],
    ] as const) {
      for (const o of list) {
        const ns = o.metadata.namespace ?? '';
        if (settings.skipNamespaces.includes(ns) || managedBySystem(o)) continue;
        if (used.has(keyOf(kind, ns, o.metadata.name))) continue;
        const keys = Object.keys((o as { data?: Record<string, unknown> }).data ?? {}).length;
        yield {
          object: o,
          type: kind === 'ConfigMap' ? resources.configmaps : resources.secrets,
          message: `${kind} ${ns}/${o.metadata.name} is not referenced by any workload, pod, Ingress or ServiceAccount.`,
          evidence: { keys, createdAt: o.metadata.creationTimestamp ?? null },
          fix: `If nothing outside the cluster reads it: kubectl -n ${ns} delete ${kind.toLowerCase()} ${o.metadata.name}`,
        };
      }
    }
  },
});

export interface Staleness {
  consumer: Consumer;
  /** The referenced objects that exist. */
  configs: KubeObject[];
  hash: string;
  templateHash: string | undefined;
  optedIn: boolean;
  changed: boolean;
  /** Why it is judged changed: the hash differs, or config changed after the oldest pod started. */
  basis: 'hash' | 'time' | 'none';
  oldestPodStart?: string;
  configModified?: string;
}

/** Reloader's opt-in: `auto: "true"`, or the object named in the configmap/secret reload lists. */
export function optedIn(object: KubeObject, ref: ConfigRef): boolean {
  const a = { ...(object.metadata.annotations ?? {}) };
  if (a[RELOADER.auto] === 'true') return true;
  const list = (a[ref.kind === 'ConfigMap' ? RELOADER.configmaps : RELOADER.secrets] ?? '')
    .split(',')
    .map((s) => s.trim());
  return list.includes(ref.name);
}

// Pods grouped by namespace once per snapshot: matching each workload against every pod of the
// cluster would grow with workloads x pods.
const podsByNamespace = new WeakMap<ConfigSnap, Map<string, KubeObject[]>>();
function namespacePods(snap: ConfigSnap, namespace: string): readonly KubeObject[] {
  let index = podsByNamespace.get(snap);
  if (!index) {
    index = new Map();
    for (const p of snap.objects.pods) {
      const ns = p.metadata.namespace ?? '';
      const list = index.get(ns);
      if (list) list.push(p);
      else index.set(ns, [p]);
    }
    podsByNamespace.set(snap, index);
  }
  return index.get(namespace) ?? [];
}

function podsOf(snap: ConfigSnap, workload: KubeObject): KubeObject[] {
  const match = (workload.spec as { selector?: { matchLabels?: Record<string, string> } } | undefined)
    ?.selector?.matchLabels;
  if (!match || Object.keys(match).length === 0) return [];
  return namespacePods(snap, workload.metadata.namespace ?? '').filter(
    (p) =>
      Object.entries(match).every(([k, v]) => p.metadata.labels?.[k] === v) &&
      (p.status as { phase?: string } | undefined)?.phase === 'Running',
  );
}

/** For each restartable workload with references: whether its pods run with data older than their config. */
export function staleness(snap: ConfigSnap, settings: ConfigSettings): Staleness[] {
  const known = index(snap);
  const out: Staleness[] = [];
  for (const c of consumers(snap, settings)) {
    if (!(RESTARTABLE as readonly string[]).includes(c.type.plural) || c.refs.length === 0) continue;
    const ns = c.object.metadata.namespace ?? '';
    const configs = [
      ...new Map(
        c.refs
          .map((r) => known.get(keyOf(r.kind, ns, r.name)))
          .filter((o): o is KubeObject => o !== undefined)
          .map((o) => [`${o.kind ?? ''}/${o.metadata.name}`, o]),
      ).values(),
    ];
    if (configs.length === 0) continue;
    const template = (c.object.spec as { template?: { metadata?: { annotations?: Record<string, string> } } })
      ?.template;
    const templateHash = template?.metadata?.annotations?.[RELOADER.hash];
    const hash = dataHash(configs);
    const starts = podsOf(snap, c.object)
      .map((p) => Date.parse((p.status as { startTime?: string } | undefined)?.startTime ?? ''))
      .filter((t) => !Number.isNaN(t));
    const oldest = starts.length > 0 ? Math.min(...starts) : undefined;
    const modified = Math.max(...configs.map((o) => modifiedAt(o) ?? 0));
    let changed = false;
    let basis: Staleness['basis'] = 'none';
    if (templateHash !== undefined) {
      changed = templateHash !== hash;
      basis = 'hash';
    } else if (oldest !== undefined && modified > oldest) {
      changed = true;
      basis = 'time';
    }
    out.push({
      consumer: c,
      configs,
      hash,
      templateHash,
      optedIn: c.refs.some((r) => optedIn(c.object, r)),
      changed,
      basis,
      ...(oldest !== undefined ? { oldestPodStart: new Date(oldest).toISOString() } : {}),
      ...(modified > 0 ? { configModified: new Date(modified).toISOString() } : {}),
    });
  }
  return out;
}

function staleCheck(id: string, opted: boolean) {
  return check<ConfigSnap, ConfigSettings>({
    id,
    severity: opted ? 'warning' : 'info',
    title: opted
      ? 'opted-in workload whose ConfigMap/Secret data changed since its pods started (rolled by this bot)'
      : 'workload running with ConfigMap/Secret data older than the current one (not opted in to reload)',
    anchor: opted ? 'Reloader reloader.stakater.com/auto' : 'k8s-cleaner pods with outdated Secret data',
    *run(snap, settings) {
      for (const s of staleness(snap, settings)) {
        if (!s.changed || s.optedIn !== opted) continue;
        const o = s.consumer.object;
        const names = s.configs.map((x) => `${x.kind ?? ''} ${x.metadata.name}`).join(', ');
        yield {
          object: o,
          type: s.consumer.type,
          message: `${s.consumer.type.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name} runs with older data than ${names} now holds.`,
          evidence: {
            basis: s.basis,
            hash: s.hash,
            templateHash: s.templateHash ?? null,
            oldestPodStart: s.oldestPodStart ?? null,
            configModified: s.configModified ?? null,
            configs: s.configs.map((x) => `${x.kind ?? ''}/${x.metadata.name}`),
          },
          fix: opted
            ? `eco-config-bot rolls it in apply mode (pod template annotation ${RELOADER.hash}).`
            : `kubectl -n ${o.metadata.namespace ?? ''} rollout restart ${s.consumer.type.kind.toLowerCase()}/${o.metadata.name}, or opt in: kubectl annotate ${s.consumer.type.kind.toLowerCase()} ${o.metadata.name} ${RELOADER.auto}=true`,
        };
      }
    },
  });
}

export const reloadNeeded = staleCheck('config.reload-needed', true);
export const stale = staleCheck('config.stale', false);

export const CHECKS = [missingReference, unused, reloadNeeded, stale];
