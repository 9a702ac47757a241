// Server-side printing (`Accept: application/json;as=Table;g=meta.k8s.io;v=v1`), which `kubectl get`
// asks for: a few columns per common kind, Name + Age for the rest, as the apiserver's default
// table convertor does for CRs. Rows carry PartialObjectMetadata (or the object with includeObject=Object).
import type { KubeObject } from '../../shared/k8s/types.ts';
import type { ResourceDef } from './resources.ts';
import type { Reply } from './api.ts';

export function wantsTable(accept: string | undefined): boolean {
  return accept !== undefined && /as=Table/.test(accept);
}

/** kubectl's HumanDuration (apimachinery pkg/util/duration). */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60 * 2) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 60 * 3) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  if (h < 24 * 8) return h % 24 === 0 ? `${Math.floor(h / 24)}d` : `${Math.floor(h / 24)}d${h % 24}h`;
  if (h < 24 * 365 * 2) return `${Math.floor(h / 24)}d`;
  const y = Math.floor(h / 24 / 365);
  if (y < 8) return Math.floor(h / 24) % 365 === 0 ? `${y}y` : `${y}y${Math.floor(h / 24) % 365}d`;
  return `${y}y`;
}

interface Column {
  name: string;
  type: string;
  format?: string;
  priority?: number;
  cell: (o: KubeObject, now: Date) => string | number;
}

const get = (o: unknown, ...path: string[]): unknown => {
  let cur = o;
  for (const p of path)
    cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[p] : undefined;
  return cur;
};

const age: Column = {
  name: 'Age',
  type: 'string',
  cell: (o, now) =>
    o.metadata.creationTimestamp
      ? humanDuration(now.getTime() - Date.parse(o.metadata.creationTimestamp))
      : '<unknown>',
};
const nameCol: Column = { name: 'Name', type: 'string', format: 'name', cell: (o) => o.metadata.name };

interface ContainerStatus {
  ready?: boolean;
  restartCount?: number;
  state?: { waiting?: { reason?: string }; terminated?: { reason?: string } };
}

function podStatus(o: KubeObject): string {
  if (o.metadata.deletionTimestamp) return 'Terminating';
  const st = (o['status'] ?? {}) as {
    phase?: string;
    reason?: string;
    containerStatuses?: ContainerStatus[];
  };
  let reason = st.reason ?? st.phase ?? 'Unknown';
  for (const c of st.containerStatuses ?? []) {
    if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
    else if (c.state?.terminated?.reason && reason === st.phase) reason = c.state.terminated.reason;
  }
  return reason;
}

const COLUMNS: Record<string, Column[]> = {
  '/pods': [
    nameCol,
    {
      name: 'Ready',
      type: 'string',
      cell: (o) => {
        const cs = (get(o, 'status', 'containerStatuses') as ContainerStatus[] | undefined) ?? [];
        const total = ((get(o, 'spec', 'containers') as unknown[] | undefined) ?? []).length;
        return `${cs.filter((c) => c.ready).length}/${total}`;
      },
    },
    { name: 'Status', type: 'string', cell: podStatus },
    {
      name: 'Restarts',
      type: 'string',
      cell: (o) =>
        String(
          ((get(o, 'status', 'containerStatuses') as ContainerStatus[] | undefined) ?? []).reduce(
            (n, c) => n + (c.restartCount ?? 0),
            0,
          ),
        ),
    },
    age,
    { name: 'IP', type: 'string', priority: 1, cell: (o) => String(get(o, 'status', 'podIP') ?? '<none>') },
    {
      name: 'Node',
      type: 'string',
      priority: 1,
      cell: (o) => String(get(o, 'spec', 'nodeName') ?? '<none>'),
    },
  ],
  '/nodes': [
    nameCol,
    {
      name: 'Status',
      type: 'string',
      cell: (o) => {
        const conds =
          (get(o, 'status', 'conditions') as Array<{ type: string; status: string }> | undefined) ?? [];
        const ready = conds.find((c) => c.type === 'Ready');
        const s = ready?.status === 'True' ? 'Ready' : ready ? 'NotReady' : 'Unknown';
        return get(o, 'spec', 'unschedulable') === true ? `${s},SchedulingDisabled` : s;
      },
    },
    {
      name: 'Roles',
      type: 'string',
      cell: (o) =>
        Object.keys(o.metadata.labels ?? {})
          .filter((k) => k.startsWith('node-role.kubernetes.io/'))
          .map((k) => k.slice('node-role.kubernetes.io/'.length))
          .join(',') || '<none>',
    },
    age,
    {
      name: 'Version',
      type: 'string',
      cell: (o) => String(get(o, 'status', 'nodeInfo', 'kubeletVersion') ?? ''),
    },
  ],
  '/namespaces': [
    nameCol,
    { name: 'Status', type: 'string', cell: (o) => String(get(o, 'status', 'phase') ?? 'Active') },
    age,
  ],
  'apps/deployments': [
    nameCol,
    {
      name: 'Ready',
      type: 'string',
      cell: (o) =>
        `${Number(get(o, 'status', 'readyReplicas') ?? 0)}/${Number(get(o, 'spec', 'replicas') ?? 1)}`,
    },
    { name: 'Up-to-date', type: 'integer', cell: (o) => Number(get(o, 'status', 'updatedReplicas') ?? 0) },
    { name: 'Available', type: 'integer', cell: (o) => Number(get(o, 'status', 'availableReplicas') ?? 0) },
    age,
  ],
  '/services': [
    nameCol,
    { name: 'Type', type: 'string', cell: (o) => String(get(o, 'spec', 'type') ?? 'ClusterIP') },
    { name: 'Cluster-IP', type: 'string', cell: (o) => String(get(o, 'spec', 'clusterIP') ?? '<none>') },
    {
      name: 'External-IP',
      type: 'string',
      cell: (o) => {
        const ing =
          (get(o, 'status', 'loadBalancer', 'ingress') as
            Array<{ ip?: string; hostname?: string }> | undefined) ?? [];
        if (ing.length > 0) return ing.map((i) => i.ip ?? i.hostname ?? '').join(',');
        return get(o, 'spec', 'type') === 'LoadBalancer' ? '<pending>' : '<none>';
      },
    },
    {
      name: 'Port(s)',
      type: 'string',
      cell: (o) =>
        (
          (get(o, 'spec', 'ports') as
            Array<{ port: number; protocol?: string; nodePort?: number }> | undefined) ?? []
        )
          .map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`)
          .join(',') || '<none>',
    },
    age,
  ],
  '/events': [
    {
      name: 'Last Seen',
      type: 'string',
      cell: (o, now) => {
        const t = (get(o, 'lastTimestamp') ?? get(o, 'eventTime') ?? o.metadata.creationTimestamp) as
          string | undefined;
        return t ? humanDuration(now.getTime() - Date.parse(t)) : '<unknown>';
      },
    },
    { name: 'Type', type: 'string', cell: (o) => String(get(o, 'type') ?? '') },
    { name: 'Reason', type: 'string', cell: (o) => String(get(o, 'reason') ?? '') },
    {
      name: 'Object',
      type: 'string',
      cell: (o) =>
        `${String(get(o, 'involvedObject', 'kind') ?? '').toLowerCase()}/${String(get(o, 'involvedObject', 'name') ?? '')}`,
    },
    { name: 'Message', type: 'string', cell: (o) => String(get(o, 'message') ?? '') },
  ],
  'apps/replicasets': [
    nameCol,
    { name: 'Desired', type: 'integer', cell: (o) => Number(get(o, 'spec', 'replicas') ?? 1) },
    { name: 'Current', type: 'integer', cell: (o) => Number(get(o, 'status', 'replicas') ?? 0) },
    { name: 'Ready', type: 'integer', cell: (o) => Number(get(o, 'status', 'readyReplicas') ?? 0) },
    age,
  ],
  'apps/statefulsets': [
    nameCol,
    {
      name: 'Ready',
      type: 'string',
      cell: (o) =>
        `${Number(get(o, 'status', 'readyReplicas') ?? 0)}/${Number(get(o, 'spec', 'replicas') ?? 1)}`,
    },
    age,
  ],
  'apps/daemonsets': [
    nameCol,
    {
      name: 'Desired',
      type: 'integer',
      cell: (o) => Number(get(o, 'status', 'desiredNumberScheduled') ?? 0),
    },
    {
      name: 'Current',
      type: 'integer',
      cell: (o) => Number(get(o, 'status', 'currentNumberScheduled') ?? 0),
    },
    { name: 'Ready', type: 'integer', cell: (o) => Number(get(o, 'status', 'numberReady') ?? 0) },
    age,
  ],
  'batch/jobs': [
    nameCol,
    {
      name: 'Status',
      type: 'string',
      cell: (o) => {
        const conds =
          (get(o, 'status', 'conditions') as Array<{ type: string; status: string }> | undefined) ?? [];
        if (conds.some((c) => c.type === 'Complete' && c.status === 'True')) return 'Complete';
        if (conds.some((c) => c.type === 'Failed' && c.status === 'True')) return 'Failed';
        return 'Running';
      },
    },
    {
      name: 'Completions',
      type: 'string',
      cell: (o) =>
        `${Number(get(o, 'status', 'succeeded') ?? 0)}/${Number(get(o, 'spec', 'completions') ?? 1)}`,
    },
    age,
  ],
  'batch/cronjobs': [
    nameCol,
    { name: 'Schedule', type: 'string', cell: (o) => String(get(o, 'spec', 'schedule') ?? '') },
    { name: 'Suspend', type: 'boolean', cell: (o) => String(get(o, 'spec', 'suspend') === true) },
    {
      name: 'Last Schedule',
      type: 'string',
      cell: (o, now) => {
        const t = get(o, 'status', 'lastScheduleTime') as string | undefined;
        return t ? humanDuration(now.getTime() - Date.parse(t)) : '<none>';
      },
    },
    age,
  ],
  '/persistentvolumeclaims': [
    nameCol,
    { name: 'Status', type: 'string', cell: (o) => String(get(o, 'status', 'phase') ?? 'Pending') },
    { name: 'Volume', type: 'string', cell: (o) => String(get(o, 'spec', 'volumeName') ?? '') },
    { name: 'Capacity', type: 'string', cell: (o) => String(get(o, 'status', 'capacity', 'storage') ?? '') },
    { name: 'StorageClass', type: 'string', cell: (o) => String(get(o, 'spec', 'storageClassName') ?? '') },
    age,
  ],
  '/persistentvolumes': [
    nameCol,
    { name: 'Capacity', type: 'string', cell: (o) => String(get(o, 'spec', 'capacity', 'storage') ?? '') },
    {
      name: 'Reclaim Policy',
      type: 'string',
      cell: (o) => String(get(o, 'spec', 'persistentVolumeReclaimPolicy') ?? ''),
    },
    { name: 'Status', type: 'string', cell: (o) => String(get(o, 'status', 'phase') ?? '') },
    {
      name: 'Claim',
      type: 'string',
      cell: (o) => {
        const ref = get(o, 'spec', 'claimRef') as { namespace?: string; name?: string } | undefined;
        return ref ? `${ref.namespace ?? ''}/${ref.name ?? ''}` : '';
      },
    },
    age,
  ],
  'networking.k8s.io/ingresses': [
    nameCol,
    { name: 'Class', type: 'string', cell: (o) => String(get(o, 'spec', 'ingressClassName') ?? '<none>') },
    {
      name: 'Hosts',
      type: 'string',
      cell: (o) =>
        ((get(o, 'spec', 'rules') as Array<{ host?: string }> | undefined) ?? [])
          .map((r) => r.host ?? '*')
          .join(',') || '*',
    },
    age,
  ],
  'autoscaling/horizontalpodautoscalers': [
    nameCol,
    {
      name: 'Reference',
      type: 'string',
      cell: (o) =>
        `${String(get(o, 'spec', 'scaleTargetRef', 'kind') ?? '')}/${String(get(o, 'spec', 'scaleTargetRef', 'name') ?? '')}`,
    },
    { name: 'MinPods', type: 'integer', cell: (o) => Number(get(o, 'spec', 'minReplicas') ?? 1) },
    { name: 'MaxPods', type: 'integer', cell: (o) => Number(get(o, 'spec', 'maxReplicas') ?? 0) },
    { name: 'Replicas', type: 'integer', cell: (o) => Number(get(o, 'status', 'currentReplicas') ?? 0) },
    age,
  ],
  '/configmaps': [
    nameCol,
    {
      name: 'Data',
      type: 'integer',
      cell: (o) => Object.keys((get(o, 'data') as object | undefined) ?? {}).length,
    },
    age,
  ],
  '/secrets': [
    nameCol,
    { name: 'Type', type: 'string', cell: (o) => String(get(o, 'type') ?? 'Opaque') },
    {
      name: 'Data',
      type: 'integer',
      cell: (o) => Object.keys((get(o, 'data') as object | undefined) ?? {}).length,
    },
    age,
  ],
};

function columnsFor(def: ResourceDef): Column[] {
  return COLUMNS[`${def.group}/${def.plural}`] ?? [nameCol, age];
}

/** Converts a JSON list/object reply to a meta.k8s.io/v1 Table; error replies pass through. */
export function tableFor(def: ResourceDef, reply: Reply, now: Date, includeObject = false): Reply {
  if (reply.code !== 200 || typeof reply.body !== 'string') return reply;
  const parsed = JSON.parse(reply.body) as {
    items?: KubeObject[];
    metadata: Record<string, unknown>;
  } & KubeObject;
  const isList = Array.isArray(parsed.items);
  const objects: KubeObject[] = isList ? (parsed.items as KubeObject[]) : [parsed];
  const cols = columnsFor(def);
  const table = {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: isList ? parsed.metadata : { resourceVersion: parsed.metadata['resourceVersion'] },
    columnDefinitions: cols.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format ?? '',
      description: c.name,
      priority: c.priority ?? 0,
    })),
    rows: objects.map((o) => ({
      cells: cols.map((c) => c.cell(o, now)),
      object: includeObject
        ? o
        : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
  return { code: 200, body: JSON.stringify(table) };
}
