// eco-optimize-bot: OOMKilled containers (last state) with VPA's OOM bump, CPU throttling over the
// kubernetes-mixin's 25 % (CPUThrottlingHigh, sustained 15 minutes) from Prometheus, and CPU limits
// that cause it (p95 usage at ≥ 80 % of the limit).
import * as Type from '../../shared/schema/index.ts';
import type { Static } from '../../shared/schema/index.ts';
import {
  defineBot,
  finding,
  objectRef,
  optOut,
  resources,
  takeSnapshot,
  unconfiguredFinding,
} from '../../shared/index.ts';
import type { Finding, KubeObject, RunResult } from '../../shared/index.ts';
import {
  PROMETHEUS_SETTINGS,
  prometheusClientFrom,
  prometheusReportError,
} from '../../shared/prometheus/index.ts';
import { containerResources } from '../../shared/workloads/index.ts';
import type { ContainerSpec } from '../../shared/workloads/index.ts';
import { loadThrottling } from './history.ts';
import {
  LIMIT_BOUND_RATIO,
  limitCausesThrottling,
  OOM_BUMP_RATIO,
  OOM_MIN_BUMP_BYTES,
  oomBump,
  oomKilled,
  suggestedCpuLimit,
  THROTTLING_THRESHOLD,
  throttled,
} from './performance.ts';
import type { ContainerStatusLike } from './performance.ts';

const NAME = 'eco-optimize-bot';
const KINDS = { namespaces: resources.namespaces, pods: resources.pods };

const Input = Type.Object(
  { namespace: Type.Optional(Type.String({ pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$' })) },
  { additionalProperties: false },
);

const MiB = 2 ** 20;
const mi = (bytes: number): string => `${Math.ceil(bytes / MiB)}Mi`;
const milli = (cores: number): string => `${Math.round(cores * 1000)}m`;

function p95Query(namespace: string): string {
  const ns = namespace.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  return `quantile_over_time(0.95, sum(rate(container_cpu_usage_seconds_total{namespace="${ns}",container!=""}[5m])) by (namespace, pod, container)[1h:1m])`;
}

export default defineBot({
  name: NAME,
  category: 'optimisation',
  tier: 'medium',
  summary:
    "Performance: CPU throttling over 25 % (mixin CPUThrottlingHigh), OOMKilled containers with VPA's OOM bump, CPU limits that cause throttling",
  triggers: { http: true, cron: '*/30 * * * *', alerts: ['CPUThrottlingHigh', 'KubePodCrashLooping'] },
  rbac: [{ apiGroups: [''], resources: ['namespaces', 'pods'], verbs: ['list'] }],
  mutates: false,
  input: Input,
  settings: { ...PROMETHEUS_SETTINGS },
  async run(input: Static<typeof Input>, ctx): Promise<RunResult> {
    const snap = await takeSnapshot(ctx, KINDS, input.namespace ? { namespace: input.namespace } : {});
    const findings: Finding[] = [...snap.findings];
    const errors = [...snap.errors];
    const now = ctx.now();
    const namespaces = new Map(snap.objects.namespaces.map((n) => [n.metadata.name, n]));
    const excluded = (pod: KubeObject): boolean =>
      optOut(pod.metadata.annotations, now, pod.metadata.name).excluded ||
      optOut(
        namespaces.get(pod.metadata.namespace ?? '')?.metadata.annotations,
        now,
        pod.metadata.namespace ?? '',
      ).excluded;
    const pods = snap.objects.pods.filter((p) => !excluded(p));

    // OOMKilled, from the API alone.
    for (const pod of pods) {
      const spec = pod['spec'] as { containers?: ContainerSpec[] } | undefined;
      const statuses =
        (pod['status'] as { containerStatuses?: ContainerStatusLike[] } | undefined)?.containerStatuses ?? [];
      for (const status of statuses) {
        const oom = oomKilled(status);
        if (!oom) continue;
        const container = spec?.containers?.find((c) => c.name === status.name);
        const limit = container ? containerResources(container).limits.memory : undefined;
        const bump = limit === undefined ? undefined : oomBump(limit);
        findings.push(
          finding({
            bot: NAME,
            check: 'optimize.oom-killed',
            severity: 'warning',
            object: objectRef(pod, resources.pods),
            discriminator: status.name,
            message: `Pod ${pod.metadata.namespace}/${pod.metadata.name} container ${status.name} was OOMKilled${limit === undefined ? ' (no memory limit: the node ran out)' : ` at its ${mi(limit)} limit`}; ${oom.restartCount} restarts`,
            evidence: {
              reason: 'OOMKilled',
              restartCount: oom.restartCount,
              ...(oom.finishedAt ? { finishedAt: oom.finishedAt } : {}),
              memoryLimit: limit === undefined ? null : mi(limit),
              vpaOomBump: {
                ratio: OOM_BUMP_RATIO,
                minBump: mi(OOM_MIN_BUMP_BYTES),
                recommended: bump === undefined ? null : mi(bump),
              },
            },
            fix:
              bump === undefined
                ? `Set a memory request and limit for ${status.name} above its peak (eco-resource-bot recommends one)`
                : `Raise the memory limit of ${status.name} to ${mi(bump)} (VPA: × 1.2, at least + 100Mi), or fix the leak`,
          }),
        );
      }
    }

    // Throttling, from Prometheus.
    const client = prometheusClientFrom(ctx.settings);
    let throttledCount = 0;
    if (!client) {
      findings.push(
        unconfiguredFinding({
          bot: NAME,
          setting: 'PROMETHEUS_URL',
          message:
            'PROMETHEUS_URL is not set: CPU throttling (cAdvisor CFS counters) was not checked; OOMKills were',
          fix: 'Set PROMETHEUS_URL to a Prometheus scraping cAdvisor (container_cpu_cfs_periods_total)',
        }),
      );
    } else {
      const byName = new Map(pods.map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, p]));
      const names = [...new Set(pods.map((p) => p.metadata.namespace ?? ''))].sort();
      for (const namespace of names) {
        try {
          const [{ samples, queries }, p95] = await Promise.all([
            loadThrottling(client, namespace, { time: now, signal: ctx.signal }),
            client.queryVector(p95Query(namespace), { time: now, signal: ctx.signal }),
          ]);
          const p95By = new Map(p95.map((s) => [`${s.metric['pod']}/${s.metric['container']}`, s.value[1]]));
          for (const sample of samples) {
            if (!throttled(sample.sustained)) continue;
            const pod = byName.get(`${namespace}/${sample.pod}`);
            if (!pod) continue;
            throttledCount += 1;
            const container = (pod['spec'] as { containers?: ContainerSpec[] }).containers?.find(
              (c) => c.name === sample.container,
            );
            const limit = container ? containerResources(container).limits.cpu : undefined;
            const p95Usage = p95By.get(`${sample.pod}/${sample.container}`);
            const evidence = {
              throttledRatio5m: Number(sample.now.toFixed(4)),
              minRatio15m: Number((sample.sustained ?? 0).toFixed(4)),
              threshold: THROTTLING_THRESHOLD,
              cpuLimit: limit === undefined ? null : milli(limit),
              p95UsageCores1h: p95Usage === undefined ? null : Number(p95Usage.toFixed(4)),
              queries,
            };
            findings.push(
              finding({
                bot: NAME,
                check: 'optimize.cpu-throttling',
                severity: 'warning',
                object: objectRef(pod, resources.pods),
                discriminator: sample.container,
                message: `Pod ${namespace}/${sample.pod} container ${sample.container} is throttled in ${Math.round(sample.now * 100)}% of its CFS periods (over 25 % for 15 minutes)`,
                evidence,
                fix: 'Raise or remove the CPU limit, or spread the load (more replicas)',
              }),
            );
            if (limitCausesThrottling(sample.sustained, p95Usage, limit)) {
              findings.push(
                finding({
                  bot: NAME,
                  check: 'optimize.limit-throttling',
                  severity: 'warning',
                  object: objectRef(pod, resources.pods),
                  discriminator: sample.container,
                  message: `The CPU limit ${milli(limit as number)} of ${namespace}/${sample.pod} container ${sample.container} is what throttles it: p95 usage ${milli(p95Usage as number)} is ${Math.round(((p95Usage as number) / (limit as number)) * 100)}% of it`,
                  evidence: {
                    ...evidence,
                    boundRatio: LIMIT_BOUND_RATIO,
                    suggestedLimit: milli(suggestedCpuLimit(p95Usage as number)),
                  },
                  fix: `Raise the CPU limit to ${milli(suggestedCpuLimit(p95Usage as number))} (p95 at 80 % of it) or remove it (KRR sets none)`,
                }),
              );
            }
          }
        } catch (error) {
          errors.push(prometheusReportError(error, `throttling in namespace ${namespace}`));
        }
      }
    }
    const oomCount = findings.filter((f) => f.check === 'optimize.oom-killed').length;
    return {
      summary: `${pods.length} pods checked: ${oomCount} OOMKilled containers, ${client ? `${throttledCount} throttled over 25 %` : 'throttling not checked (no Prometheus)'}`,
      findings,
      errors,
    };
  },
});
