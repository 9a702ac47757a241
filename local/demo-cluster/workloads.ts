// Workload helpers: each emits the objects the real controllers would have produced, with statuses
// that agree with the pods (replicas, readyReplicas, job completions).
import type { KubeObject } from '../../shared/k8s/types.ts';
import { NODES, suffix, hash } from './build.ts';
import type { Builder, Ctr, PodOpts } from './build.ts';

export interface DeploymentOpts {
  replicas: number;
  containers: Ctr[];
  createdAgo?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  podSpec?: Record<string, unknown>;
  podAnnotations?: Record<string, string>;
  revisionHistoryLimit?: number;
  /** Older ReplicaSets (scaled to 0) kept as rollout history. */
  oldRevisions?: number;
  /** Per-pod overrides (index 0..replicas-1). */
  pod?: (i: number) => PodOpts;
  /** Extra pods of the current ReplicaSet that are not counted (e.g. evicted ones). */
  extraPods?: PodOpts[];
}

export function podTemplateHash(seed: string): string {
  return suffix(`rs:${seed}`, 9).replace(/^[^b-z]/, 'b');
}

export function deployment(b: Builder, ns: string, name: string, o: DeploymentOpts): KubeObject {
  const created = o.createdAgo ?? '30d';
  const labels = { app: name, ...(o.labels ?? {}) };
  const revisions = (o.oldRevisions ?? 0) + 1;
  const template = {
    metadata: { labels: { app: name }, ...(o.podAnnotations ? { annotations: o.podAnnotations } : {}) },
    spec: {
      containers: o.containers.map((c) => b.container(c)),
      restartPolicy: 'Always',
      ...(o.podSpec ?? {}),
    },
  };
  const dep = b.add({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: b.meta('Deployment', ns, name, created, {
      labels,
      generation: revisions,
      annotations: { 'deployment.kubernetes.io/revision': String(revisions), ...(o.annotations ?? {}) },
    }),
    spec: {
      replicas: o.replicas,
      selector: { matchLabels: { app: name } },
      template,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      revisionHistoryLimit: o.revisionHistoryLimit ?? 10,
      progressDeadlineSeconds: 600,
    },
    status: {},
  });
  for (let r = 1; r < revisions; r++) {
    const h = podTemplateHash(`${ns}/${name}/${r}`);
    b.add({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: b.meta('ReplicaSet', ns, `${name}-${h}`, `${(revisions - r) * 5 + 2}d`, {
        labels: { app: name, 'pod-template-hash': h },
        annotations: {
          'deployment.kubernetes.io/revision': String(r),
          'deployment.kubernetes.io/desired-replicas': String(o.replicas),
        },
        ownerReferences: [b.ownerRef(dep)],
      }),
      spec: { replicas: 0, selector: { matchLabels: { app: name, 'pod-template-hash': h } }, template },
      status: { replicas: 0, observedGeneration: 2 },
    });
  }
  const h = podTemplateHash(`${ns}/${name}/${revisions}`);
  const rs = b.add({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: b.meta('ReplicaSet', ns, `${name}-${h}`, revisions > 1 ? '2d' : created, {
      labels: { app: name, 'pod-template-hash': h },
      annotations: {
        'deployment.kubernetes.io/revision': String(revisions),
        'deployment.kubernetes.io/desired-replicas': String(o.replicas),
      },
      ownerReferences: [b.ownerRef(dep)],
    }),
    spec: {
      replicas: o.replicas,
      selector: { matchLabels: { app: name, 'pod-template-hash': h } },
      template,
    },
    status: {},
  });
  const pods: KubeObject[] = [];
  const podLabels = { app: name, 'pod-template-hash': h };
  for (let i = 0; i < o.replicas; i++) {
    const po = o.pod?.(i) ?? {};
    pods.push(
      b.pod(
        ns,
        `${name}-${h}-${suffix(`${ns}/${name}/${i}`)}`,
        o.containers,
        {
          createdAgo: revisions > 1 ? '2d' : created,
          ...po,
          labels: { ...podLabels, ...(po.labels ?? {}) },
          spec: { ...(o.podSpec ?? {}), ...(po.spec ?? {}) },
          ...(o.podAnnotations || po.annotations
            ? { annotations: { ...(o.podAnnotations ?? {}), ...(po.annotations ?? {}) } }
            : {}),
        },
        rs,
      ),
    );
  }
  (o.extraPods ?? []).forEach((po, i) => {
    b.pod(
      ns,
      `${name}-${h}-${suffix(`${ns}/${name}/extra/${i}`)}`,
      o.containers,
      { ...po, labels: podLabels, spec: o.podSpec ?? {} },
      rs,
    );
  });
  const ready = pods.filter((p) => isReady(p)).length;
  rs['status'] = {
    replicas: o.replicas,
    fullyLabeledReplicas: o.replicas,
    readyReplicas: ready,
    availableReplicas: ready,
    observedGeneration: 1,
  };
  dep['status'] = {
    observedGeneration: revisions,
    replicas: o.replicas,
    updatedReplicas: o.replicas,
    readyReplicas: ready,
    availableReplicas: ready,
    ...(ready < o.replicas ? { unavailableReplicas: o.replicas - ready } : {}),
    conditions: [
      {
        type: 'Available',
        status: ready >= Math.max(1, Math.floor(o.replicas * 0.75)) ? 'True' : 'False',
        lastUpdateTime: b.ts(created),
        lastTransitionTime: b.ts(created),
        reason:
          ready >= Math.max(1, Math.floor(o.replicas * 0.75))
            ? 'MinimumReplicasAvailable'
            : 'MinimumReplicasUnavailable',
        message:
          ready >= Math.max(1, Math.floor(o.replicas * 0.75))
            ? 'Deployment has minimum availability.'
            : 'Deployment does not have minimum availability.',
      },
      {
        type: 'Progressing',
        status: 'True',
        lastUpdateTime: b.ts(created),
        lastTransitionTime: b.ts(created),
        reason: 'NewReplicaSetAvailable',
        message: `ReplicaSet "${rs.metadata.name}" has successfully progressed.`,
      },
    ],
  };
  return dep;
}

export function isReady(p: KubeObject): boolean {
  const conds =
    (p['status'] as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions ?? [];
  return conds.some((c) => c.type === 'Ready' && c.status === 'True');
}

export interface StatefulSetOpts {
  replicas: number;
  containers: Ctr[];
  createdAgo?: string;
  storage?: { size: string; storageClass: string; mountPath: string };
}

export function statefulSet(b: Builder, ns: string, name: string, o: StatefulSetOpts): KubeObject {
  const created = o.createdAgo ?? '60d';
  const mounts = o.storage ? [{ name: 'data', mountPath: o.storage.mountPath }] : undefined;
  const containers = o.containers.map((c) => (mounts ? { ...c, volumeMounts: mounts } : c));
  const sts = b.add({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: b.meta('StatefulSet', ns, name, created, { labels: { app: name }, generation: 1 }),
    spec: {
      replicas: o.replicas,
      serviceName: name,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: containers.map((c) => b.container(c)) },
      },
      ...(o.storage
        ? {
            volumeClaimTemplates: [
              {
                metadata: { name: 'data' },
                spec: {
                  accessModes: ['ReadWriteOnce'],
                  storageClassName: o.storage.storageClass,
                  resources: { requests: { storage: o.storage.size } },
                },
              },
            ],
          }
        : {}),
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
    },
    status: {},
  });
  const revision = `${name}-${podTemplateHash(`${ns}/${name}/sts`)}`;
  let ready = 0;
  for (let i = 0; i < o.replicas; i++) {
    const podName = `${name}-${i}`;
    let spec: Record<string, unknown> = {};
    if (o.storage) {
      const claim = `data-${podName}`;
      pvc(b, ns, claim, {
        size: o.storage.size,
        storageClass: o.storage.storageClass,
        createdAgo: created,
        labels: { app: name },
      });
      spec = {
        volumes: [{ name: 'data', persistentVolumeClaim: { claimName: claim } }],
        hostname: podName,
        subdomain: name,
      };
    }
    const pod = b.pod(
      ns,
      podName,
      containers,
      {
        createdAgo: created,
        labels: {
          app: name,
          'apps.kubernetes.io/pod-index': String(i),
          'controller-revision-hash': revision,
          'statefulset.kubernetes.io/pod-name': podName,
        },
        spec,
      },
      sts,
    );
    if (isReady(pod)) ready++;
  }
  sts['status'] = {
    observedGeneration: 1,
    replicas: o.replicas,
    readyReplicas: ready,
    currentReplicas: o.replicas,
    updatedReplicas: o.replicas,
    availableReplicas: ready,
    currentRevision: revision,
    updateRevision: revision,
    collisionCount: 0,
  };
  return sts;
}

export interface DaemonSetOpts {
  containers: Ctr[];
  createdAgo?: string;
  podSpec?: Record<string, unknown>;
  tolerateAll?: boolean;
}

export function daemonSet(b: Builder, ns: string, name: string, o: DaemonSetOpts): KubeObject {
  const created = o.createdAgo ?? '90d';
  const tolerations = o.tolerateAll ? [{ operator: 'Exists' }] : undefined;
  const podSpec = { ...(o.podSpec ?? {}), ...(tolerations ? { tolerations } : {}) };
  const ds = b.add({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: b.meta('DaemonSet', ns, name, created, { labels: { app: name }, generation: 1 }),
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: o.containers.map((c) => b.container(c)), ...podSpec },
      },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
      revisionHistoryLimit: 10,
    },
    status: {},
  });
  let ready = 0;
  for (const node of NODES) {
    const pod = b.pod(
      ns,
      `${name}-${suffix(`${ns}/${name}/${node}`)}`,
      o.containers,
      { node, createdAgo: created, labels: { app: name }, spec: podSpec },
      ds,
    );
    if (node !== 'eco-node-3' && pod) ready++;
  }
  ds['status'] = {
    currentNumberScheduled: NODES.length,
    desiredNumberScheduled: NODES.length,
    numberMisscheduled: 0,
    numberReady: ready,
    numberAvailable: ready,
    numberUnavailable: NODES.length - ready,
    updatedNumberScheduled: NODES.length,
    observedGeneration: 1,
  };
  return ds;
}

export interface JobOpts {
  containers: Ctr[];
  /** When the job started (creation). */
  createdAgo: string;
  /** Completed: when it finished; omit with failed to mark a failure time. */
  finishedAgo: string;
  failed?: boolean;
  owner?: KubeObject;
  annotations?: Record<string, string>;
  ttlSecondsAfterFinished?: number;
}

export function job(b: Builder, ns: string, name: string, o: JobOpts): KubeObject {
  const extra: Partial<KubeObject['metadata']> = { labels: { 'job-name': name }, generation: 1 };
  if (o.owner) extra.ownerReferences = [b.ownerRef(o.owner)];
  if (o.annotations) extra.annotations = o.annotations;
  const uid = b.meta('Job', ns, name, o.createdAgo).uid as string;
  const selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
  const j = b.add({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: b.meta('Job', ns, name, o.createdAgo, extra),
    spec: {
      parallelism: 1,
      completions: 1,
      backoffLimit: o.failed ? 0 : 6,
      completionMode: 'NonIndexed',
      selector,
      ...(o.ttlSecondsAfterFinished !== undefined
        ? { ttlSecondsAfterFinished: o.ttlSecondsAfterFinished }
        : {}),
      template: {
        metadata: { labels: { 'job-name': name, 'batch.kubernetes.io/controller-uid': uid } },
        spec: { containers: o.containers.map((c) => b.container(c)), restartPolicy: 'Never' },
      },
    },
    status: {},
  });
  b.pod(
    ns,
    `${name}-${suffix(`${ns}/${name}/pod`)}`,
    o.containers,
    {
      createdAgo: o.createdAgo,
      finishedAgo: o.finishedAgo,
      phase: o.failed ? 'Failed' : 'Succeeded',
      exitCode: o.failed ? 1 : 0,
      labels: {
        'job-name': name,
        'batch.kubernetes.io/controller-uid': uid,
        'batch.kubernetes.io/job-name': name,
      },
    },
    j,
  );
  const cond = o.failed
    ? {
        type: 'Failed',
        status: 'True',
        reason: 'BackoffLimitExceeded',
        message: 'Job has reached the specified backoff limit',
      }
    : { type: 'Complete', status: 'True' };
  j['status'] = {
    startTime: b.ts(o.createdAgo),
    ...(o.failed ? { failed: 1 } : { succeeded: 1, completionTime: b.ts(o.finishedAgo) }),
    ready: 0,
    terminating: 0,
    uncountedTerminatedPods: {},
    conditions: [
      ...(o.failed
        ? [
            {
              type: 'FailureTarget',
              status: 'True',
              reason: 'BackoffLimitExceeded',
              message: 'Job has reached the specified backoff limit',
              lastProbeTime: b.ts(o.finishedAgo),
              lastTransitionTime: b.ts(o.finishedAgo),
            },
          ]
        : [
            {
              type: 'SuccessCriteriaMet',
              status: 'True',
              lastProbeTime: b.ts(o.finishedAgo),
              lastTransitionTime: b.ts(o.finishedAgo),
            },
          ]),
      { ...cond, lastProbeTime: b.ts(o.finishedAgo), lastTransitionTime: b.ts(o.finishedAgo) },
    ],
  };
  return j;
}

export interface PvcOpts {
  size: string;
  storageClass: string;
  createdAgo?: string;
  labels?: Record<string, string>;
  /** Bind to a PersistentVolume created alongside (default true). */
  bound?: boolean;
}

export function pvc(b: Builder, ns: string, name: string, o: PvcOpts): KubeObject {
  const created = o.createdAgo ?? '30d';
  const bound = o.bound ?? true;
  const claim = b.add({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: b.meta('PersistentVolumeClaim', ns, name, created, {
      ...(o.labels ? { labels: o.labels } : {}),
      finalizers: ['kubernetes.io/pvc-protection'],
    }),
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: o.size } },
      storageClassName: o.storageClass,
      volumeMode: 'Filesystem',
    },
    status: bound
      ? { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: o.size } }
      : { phase: 'Pending' },
  });
  if (bound) {
    const pvName = `pvc-${claim.metadata.uid as string}`;
    (claim['spec'] as Record<string, unknown>)['volumeName'] = pvName;
    pv(b, pvName, {
      size: o.size,
      storageClass: o.storageClass,
      createdAgo: created,
      claim,
      phase: 'Bound',
      reclaimPolicy: 'Delete',
    });
  }
  return claim;
}

export interface PvOpts {
  size: string;
  storageClass: string;
  createdAgo: string;
  claim?: KubeObject;
  claimRef?: { namespace: string; name: string; uid: string };
  phase: 'Bound' | 'Released' | 'Available' | 'Failed';
  reclaimPolicy: 'Delete' | 'Retain';
}

export function pv(b: Builder, name: string, o: PvOpts): KubeObject {
  const claimRef = o.claim
    ? {
        kind: 'PersistentVolumeClaim',
        namespace: o.claim.metadata.namespace,
        name: o.claim.metadata.name,
        uid: o.claim.metadata.uid,
        apiVersion: 'v1',
      }
    : o.claimRef
      ? { kind: 'PersistentVolumeClaim', apiVersion: 'v1', ...o.claimRef }
      : undefined;
  return b.add({
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: b.meta('PersistentVolume', undefined, name, o.createdAgo, {
      annotations: { 'pv.kubernetes.io/provisioned-by': 'csi.eco.local' },
      finalizers: ['kubernetes.io/pv-protection'],
    }),
    spec: {
      capacity: { storage: o.size },
      accessModes: ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: o.reclaimPolicy,
      storageClassName: o.storageClass,
      volumeMode: 'Filesystem',
      csi: {
        driver: 'csi.eco.local',
        volumeHandle: `vol-${hash(name).toString('hex').slice(0, 16)}`,
        fsType: 'ext4',
      },
      ...(claimRef ? { claimRef } : {}),
    },
    status: { phase: o.phase, lastPhaseTransitionTime: b.ts(o.phase === 'Released' ? '12d' : o.createdAgo) },
  });
}

export interface ServiceOpts {
  selector?: Record<string, string>;
  ports: Array<{ port: number; targetPort?: number; name?: string; nodePort?: number }>;
  type?: 'ClusterIP' | 'LoadBalancer' | 'NodePort';
  createdAgo?: string;
  annotations?: Record<string, string>;
  loadBalancerIP?: string;
}

export function service(b: Builder, ns: string, name: string, o: ServiceOpts): KubeObject {
  const h = hash(`svc:${ns}/${name}`);
  const clusterIP = `10.96.${h[0] as number}.${((h[1] as number) % 250) + 2}`;
  const type = o.type ?? 'ClusterIP';
  return b.add({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: b.meta('Service', ns, name, o.createdAgo ?? '30d', {
      labels: { app: name },
      ...(o.annotations ? { annotations: o.annotations } : {}),
    }),
    spec: {
      type,
      ...(o.selector ? { selector: o.selector } : {}),
      ports: o.ports.map((p) => ({
        name: p.name ?? `tcp-${p.port}`,
        protocol: 'TCP',
        port: p.port,
        targetPort: p.targetPort ?? p.port,
        ...(type !== 'ClusterIP'
          ? { nodePort: p.nodePort ?? 30000 + (((h[2] as number) * 7 + p.port) % 2767) }
          : {}),
      })),
      clusterIP,
      clusterIPs: [clusterIP],
      sessionAffinity: 'None',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      internalTrafficPolicy: 'Cluster',
      ...(type === 'LoadBalancer'
        ? { externalTrafficPolicy: 'Cluster', allocateLoadBalancerNodePorts: true }
        : {}),
    },
    status: { loadBalancer: o.loadBalancerIP ? { ingress: [{ ip: o.loadBalancerIP, ipMode: 'VIP' }] } : {} },
  });
}
