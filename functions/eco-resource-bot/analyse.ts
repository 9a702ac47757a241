// From workloads and usage to KRR recommendations with every number explained: which pods of a
// workload count (its current pods and, from history, any pod its ReplicaSets or name pattern
// produced), the recommendation per container, KRR's severity, and the money a change saves.

import type { KubeObject } from '../../shared/index.ts';
import type { PriceBook, PricedNode } from '../../shared/cost/index.ts';
import { containerResources, replicasOf, templateContainers } from '../../shared/workloads/index.ts';
import type { Workload } from '../../shared/workloads/index.ts';
import type { NamespaceUsage } from './history.ts';
import { describeRecommended, formatCpu, formatMemory, recommend, severityOf, worst } from './krr.ts';
import type {
  ContainerRecommendation,
  KrrSettings,
  KrrSeverity,
  PodContainerUsage,
  Recommended,
} from './krr.ts';

/** A pod-name test for a workload: its ReplicaSets' pods, a StatefulSet's ordinals, a DaemonSet's pods. */
export function podMatcher(workload: Workload, replicaSets: readonly KubeObject[]): (pod: string) => boolean {
  const current = new Set(workload.pods.map((pod) => pod.metadata.name));
  const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  let pattern: RegExp | undefined;
  if (workload.kind === 'Deployment') {
    const owned = replicaSets
      .filter(
        (rs) =>
          rs.metadata.namespace === workload.namespace &&
          (rs.metadata.ownerReferences ?? []).some(
            (ref) => ref.kind === 'Deployment' && ref.name === workload.name,
          ),
      )
      .map((rs) => escape(rs.metadata.name));
    if (owned.length > 0) pattern = new RegExp(`^(${owned.join('|')})-[a-z0-9]{5}$`);
  } else if (workload.kind === 'StatefulSet') pattern = new RegExp(`^${escape(workload.name)}-\\d+$`);
  else if (workload.kind === 'DaemonSet') pattern = new RegExp(`^${escape(workload.name)}-[a-z0-9]{5}$`);
  return (pod) => current.has(pod) || (pattern?.test(pod) ?? false);
}

export interface HpaTargets {
  cpu: boolean;
  memory: boolean;
  name: string;
}

/** Per `<namespace>/<Kind>/<name>` of a scale target, the resources its HPAs scale on. */
export function hpaTargets(hpas: readonly KubeObject[]): Map<string, HpaTargets> {
  const out = new Map<string, HpaTargets>();
  for (const hpa of hpas) {
    const spec = hpa['spec'] as
      | {
          scaleTargetRef?: { kind?: string; name?: string };
          metrics?: Array<{
            type?: string;
            resource?: { name?: string };
            containerResource?: { name?: string };
          }>;
          targetCPUUtilizationPercentage?: number;
        }
      | undefined;
    const ref = spec?.scaleTargetRef;
    if (!ref?.kind || !ref.name) continue;
    const names = (spec?.metrics ?? []).map((m) => m.resource?.name ?? m.containerResource?.name);
    // autoscaling/v1 (and v2 without metrics) scales on CPU.
    const cpu =
      names.includes('cpu') ||
      spec?.metrics === undefined ||
      spec.targetCPUUtilizationPercentage !== undefined;
    const key = `${hpa.metadata.namespace ?? ''}/${ref.kind}/${ref.name}`;
    const previous = out.get(key);
    out.set(key, {
      cpu: cpu || (previous?.cpu ?? false),
      memory: names.includes('memory') || (previous?.memory ?? false),
      name: hpa.metadata.name,
    });
  }
  return out;
}

/** The memory limit of a container whose last termination (in any pod of the workload) was an OOMKill. */
export function lastOomKillLimit(
  workload: Workload,
  container: string,
  limitBytes: number | undefined,
): number | undefined {
  if (limitBytes === undefined) return undefined;
  for (const pod of workload.pods) {
    const statuses =
      (
        pod['status'] as {
          containerStatuses?: Array<{ name: string; lastState?: { terminated?: { reason?: string } } }>;
        }
      )?.containerStatuses ?? [];
    if (statuses.some((s) => s.name === container && s.lastState?.terminated?.reason === 'OOMKilled'))
      return limitBytes;
  }
  return undefined;
}

export interface ContainerResult {
  workload: Workload;
  container: string;
  replicas: number;
  current: { cpuRequest?: number; cpuLimit?: number; memoryRequest?: number; memoryLimit?: number };
  recommendation: ContainerRecommendation;
  severity: KrrSeverity;
  severities: {
    cpuRequest: KrrSeverity;
    cpuLimit: KrrSeverity;
    memoryRequest: KrrSeverity;
    memoryLimit: KrrSeverity;
  };
  pods: string[];
  hpa?: HpaTargets;
  /** Monthly cost of the requests now and as recommended, for all replicas; undefined when a side is unknown. */
  monthlyCost?: { current: number; recommended: number; savings: number };
}

const valueOf = (r: Recommended): number | undefined => (r.kind === 'value' ? r.value : undefined);

export function analyseWorkload(
  workload: Workload,
  usage: NamespaceUsage | undefined,
  matcher: (pod: string) => boolean,
  settings: KrrSettings,
  options: { hpa?: HpaTargets; book: PriceBook; node?: PricedNode },
): ContainerResult[] {
  const results: ContainerResult[] = [];
  const replicas = replicasOf(workload);
  for (const container of templateContainers(workload)) {
    const res = containerResources(container);
    const explicit = container.resources ?? {};
    const current = {
      ...(explicit.requests?.['cpu'] !== undefined && res.requests.cpu !== undefined
        ? { cpuRequest: res.requests.cpu }
        : {}),
      ...(res.limits.cpu !== undefined ? { cpuLimit: res.limits.cpu } : {}),
      ...(explicit.requests?.['memory'] !== undefined && res.requests.memory !== undefined
        ? { memoryRequest: res.requests.memory }
        : {}),
      ...(res.limits.memory !== undefined ? { memoryLimit: res.limits.memory } : {}),
    };
    const pods: PodContainerUsage[] = [...(usage?.get(container.name)?.values() ?? [])].filter((u) =>
      matcher(u.pod),
    );
    const oom = lastOomKillLimit(workload, container.name, res.limits.memory);
    const recommendation = recommend(
      {
        usage: pods,
        ...(options.hpa ? { hpaScalesOn: { cpu: options.hpa.cpu, memory: options.hpa.memory } } : {}),
        ...(oom !== undefined ? { lastOomKillLimitBytes: oom } : {}),
      },
      settings,
    );
    const severities = {
      cpuRequest: severityOf('cpu', current.cpuRequest, recommendation.cpuRequest),
      cpuLimit: severityOf('cpu', current.cpuLimit, recommendation.cpuLimit),
      memoryRequest: severityOf('memory', current.memoryRequest, recommendation.memoryRequest),
      memoryLimit: severityOf('memory', current.memoryLimit, recommendation.memoryLimit),
    };
    const recCpu = valueOf(recommendation.cpuRequest) ?? current.cpuRequest;
    const recMemory = valueOf(recommendation.memoryRequest) ?? current.memoryRequest;
    let monthlyCost: ContainerResult['monthlyCost'];
    if (current.cpuRequest !== undefined || current.memoryRequest !== undefined) {
      const now =
        options.book.monthlyCost(current.cpuRequest ?? 0, current.memoryRequest ?? 0, options.node) *
        replicas;
      const then = options.book.monthlyCost(recCpu ?? 0, recMemory ?? 0, options.node) * replicas;
      monthlyCost = { current: now, recommended: then, savings: now - then };
    }
    results.push({
      workload,
      container: container.name,
      replicas,
      current,
      recommendation,
      severity: worst(...Object.values(severities)),
      severities,
      pods: pods.map((p) => p.pod).sort(),
      ...(options.hpa ? { hpa: options.hpa } : {}),
      ...(monthlyCost ? { monthlyCost } : {}),
    });
  }
  return results;
}

/** One line per resource: `CPU request 1 → 10m`. */
export function changeText(result: ContainerResult): string {
  const parts: string[] = [];
  const fmt = (n: number | undefined, f: (n: number) => string): string => (n === undefined ? 'unset' : f(n));
  const show = (
    label: string,
    current: number | undefined,
    rec: Recommended,
    f: (n: number) => string,
  ): void => {
    const target = describeRecommended(rec, f);
    if (rec.kind === 'value' && current !== undefined && f(current) === f(rec.value)) return;
    if (rec.kind === 'unset' && current === undefined) return;
    if (rec.kind === 'none') return;
    parts.push(`${label} ${fmt(current, f)} → ${target}`);
  };
  show('CPU request', result.current.cpuRequest, result.recommendation.cpuRequest, formatCpu);
  show('CPU limit', result.current.cpuLimit, result.recommendation.cpuLimit, formatCpu);
  show('memory request', result.current.memoryRequest, result.recommendation.memoryRequest, formatMemory);
  show('memory limit', result.current.memoryLimit, result.recommendation.memoryLimit, formatMemory);
  return parts.join(', ');
}
