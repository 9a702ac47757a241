// eco-scaler-bot: HPAs at maxReplicas with ScalingLimited (raise max by 20 % when opted in), HPAs
// whose target is missing (Popeye 600/601), and kube-downscaler's off-hours scaling of
// Deployments, StatefulSets (replicas, `downscaler/original-replicas` saved and restored) and
// CronJobs (suspended). Every write goes through the rails.
import * as Type from '../../shared/schema/index.ts';
import type { Static } from '../../shared/schema/index.ts';
import {
  defineBot,
  finding,
  objectRef,
  resources,
  SAFETY_RAILS_RBAC,
  setting,
  takeSnapshot,
} from '../../shared/index.ts';
import type { Finding, KubeObject, ResourceType, RunResult } from '../../shared/index.ts';
import { PRICE_BOOK_RBAC, PRICE_BOOK_SETTINGS, priceBookFor, roundCost } from '../../shared/cost/index.ts';
import { containerResources, templateContainers } from '../../shared/workloads/index.ts';
import {
  ANNOTATION,
  atMaxAndLimited,
  decide,
  isUptime,
  raisedMaxReplicas,
  TimeSpecError,
} from './schedule.ts';
import type { HpaLike, ScheduleInput } from './schedule.ts';

const NAME = 'eco-scaler-bot';
const RAISE_ANNOTATION = 'eco.bsw-arch.org/hpa-raise-max';

const KINDS = {
  namespaces: resources.namespaces,
  deployments: resources.deployments,
  statefulsets: resources.statefulsets,
  replicasets: resources.replicasets,
  cronjobs: resources.cronjobs,
  hpas: resources.horizontalpodautoscalers,
};

const SETTINGS = {
  ...PRICE_BOOK_SETTINGS,
  defaultUptime: setting.string({
    env: 'ECO_SCALER_DEFAULT_UPTIME',
    meaning:
      'uptime spec for workloads without one, e.g. "Mon-Fri 07:30-20:30 Europe/Berlin"; unset: only annotated workloads are scaled',
  }),
  defaultDowntime: setting.string({
    env: 'ECO_SCALER_DEFAULT_DOWNTIME',
    meaning: 'downtime spec for workloads without one (wins over uptime)',
  }),
  downtimeReplicas: setting.number({
    env: 'ECO_SCALER_DOWNTIME_REPLICAS',
    default: 0,
    min: 0,
    integer: true,
    meaning: 'replicas in downtime when the workload has no downscaler/downtime-replicas',
  }),
  raiseHpaMax: setting.boolean({
    env: 'ECO_SCALER_RAISE_HPA_MAX',
    default: false,
    meaning: `raise maxReplicas by 20 % of every HPA at max and ScalingLimited (else only those annotated ${RAISE_ANNOTATION}: "true")`,
  }),
};

const Input = Type.Object(
  { namespace: Type.Optional(Type.String({ pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$' })) },
  { additionalProperties: false },
);

/** Share of the coming week (15-minute slots) the workload spends in downtime. */
function downtimeShare(input: ScheduleInput, from: Date): number {
  let down = 0;
  const slots = 7 * 24 * 4;
  for (let i = 0; i < slots; i += 1) {
    if (!isUptime(input, new Date(from.getTime() + i * 15 * 60_000)).uptime) down += 1;
  }
  return down / slots;
}

export default defineBot({
  name: NAME,
  category: 'optimisation',
  tier: 'medium',
  summary:
    "HPAs at maxReplicas (raise max 20 % when opted in) or with a missing target; kube-downscaler's off-hours scaling (uptime/downtime with time zones, original-replicas saved and restored, 15 min grace, CronJobs suspended)",
  triggers: { http: true, cron: '*/5 * * * *', alerts: ['KubeHpaMaxedOut', 'HighCPU'] },
  rbac: [
    ...SAFETY_RAILS_RBAC,
    { apiGroups: [''], resources: ['namespaces'], verbs: ['list'] },
    { apiGroups: ['apps'], resources: ['replicasets'], verbs: ['list'] },
    { apiGroups: ['apps'], resources: ['deployments', 'statefulsets'], verbs: ['get', 'list', 'patch'] },
    { apiGroups: ['batch'], resources: ['cronjobs'], verbs: ['get', 'list', 'patch'] },
    { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: ['get', 'list', 'patch'] },
    PRICE_BOOK_RBAC,
  ],
  mutates: true,
  input: Input,
  settings: SETTINGS,
  async run(input: Static<typeof Input>, ctx): Promise<RunResult> {
    const snap = await takeSnapshot(ctx, KINDS, {
      ...(input.namespace ? { namespace: input.namespace } : {}),
      optional: ['hpas'],
    });
    const findings: Finding[] = [...snap.findings];
    const { book, errors: bookErrors } = await priceBookFor(ctx, ctx.settings);
    const errors = [...snap.errors, ...bookErrors];
    const now = ctx.now();
    const key = (ns: string | undefined, kind: string, name: string): string => `${ns ?? ''}/${kind}/${name}`;
    const targets = new Map<string, KubeObject>();
    for (const [kind, list] of [
      ['Deployment', snap.objects.deployments],
      ['StatefulSet', snap.objects.statefulsets],
      ['ReplicaSet', snap.objects.replicasets],
    ] as const) {
      for (const o of list) targets.set(key(o.metadata.namespace, kind, o.metadata.name), o);
    }

    // HPAs.
    const hpaTargets = new Set<string>();
    for (const hpa of snap.objects.hpas) {
      const h = hpa as KubeObject & HpaLike;
      const ref = h.spec?.scaleTargetRef;
      if (!ref?.kind || !ref.name) continue;
      hpaTargets.add(key(hpa.metadata.namespace, ref.kind, ref.name));
      const known = ['Deployment', 'StatefulSet', 'ReplicaSet'].includes(ref.kind);
      if (
        known &&
        !targets.has(key(hpa.metadata.namespace, ref.kind, ref.name)) &&
        !snap.failed.has('deployments')
      ) {
        findings.push(
          finding({
            bot: NAME,
            check: 'scaler.hpa-target-missing',
            severity: 'warning',
            object: objectRef(hpa, resources.horizontalpodautoscalers),
            message: `HPA ${hpa.metadata.namespace}/${hpa.metadata.name} scales ${ref.kind} ${ref.name}, which does not exist`,
            evidence: { scaleTargetRef: ref },
            fix: `Delete the HPA or point scaleTargetRef at an existing workload (Popeye POP-600/601)`,
          }),
        );
      }
      if (!atMaxAndLimited(h)) continue;
      const max = h.spec?.maxReplicas ?? 0;
      const raised = raisedMaxReplicas(max);
      const condition = h.status?.conditions?.find((c) => c.type === 'ScalingLimited');
      const target = targets.get(key(hpa.metadata.namespace, ref.kind, ref.name));
      const perPod = target
        ? templateContainers({ kind: 'Deployment', object: target }).reduce(
            (sum, c) => {
              const r = containerResources(c);
              return { cpu: sum.cpu + (r.requests.cpu ?? 0), memory: sum.memory + (r.requests.memory ?? 0) };
            },
            { cpu: 0, memory: 0 },
          )
        : undefined;
      const extraCost = perPod ? book.monthlyCost(perPod.cpu, perPod.memory) * (raised - max) : undefined;
      findings.push(
        finding({
          bot: NAME,
          check: 'scaler.hpa-at-max',
          severity: 'warning',
          object: objectRef(hpa, resources.horizontalpodautoscalers),
          message: `HPA ${hpa.metadata.namespace}/${hpa.metadata.name} is at maxReplicas ${max} and wants more (ScalingLimited: ${condition?.reason ?? 'True'})`,
          evidence: {
            currentReplicas: h.status?.currentReplicas,
            desiredReplicas: h.status?.desiredReplicas,
            maxReplicas: max,
            suggestedMaxReplicas: raised,
            condition,
            ...(extraCost !== undefined ? { extraMonthlyCostAtNewMax: roundCost(extraCost) } : {}),
          },
          fix: `kubectl -n ${hpa.metadata.namespace} patch hpa ${hpa.metadata.name} -p '{"spec":{"maxReplicas":${raised}}}' (+20 %), after checking the cluster has room (eco-capacity-bot)`,
          ...(extraCost !== undefined
            ? { impact: { monthlyCost: roundCost(extraCost), currency: book.currency } }
            : {}),
        }),
      );
      if (ctx.settings.raiseHpaMax || hpa.metadata.annotations?.[RAISE_ANNOTATION] === 'true') {
        await ctx.safety.patch(
          resources.horizontalpodautoscalers,
          hpa,
          { spec: { maxReplicas: raised } },
          'merge',
          `at maxReplicas ${max} with ScalingLimited: raise by 20 % to ${raised}`,
        );
      }
    }

    // Off-hours scaling.
    const namespaces = new Map(snap.objects.namespaces.map((n) => [n.metadata.name, n]));
    const scalable: Array<[ScheduleInput['kind'], ResourceType, KubeObject]> = [
      ...snap.objects.deployments.map(
        (o) => ['Deployment', resources.deployments, o] as [ScheduleInput['kind'], ResourceType, KubeObject],
      ),
      ...snap.objects.statefulsets.map(
        (o) =>
          ['StatefulSet', resources.statefulsets, o] as [ScheduleInput['kind'], ResourceType, KubeObject],
      ),
      ...snap.objects.cronjobs.map(
        (o) => ['CronJob', resources.cronjobs, o] as [ScheduleInput['kind'], ResourceType, KubeObject],
      ),
    ];
    let scheduled = 0;
    for (const [kind, type, object] of scalable) {
      const spec = object['spec'] as { replicas?: number; suspend?: boolean } | undefined;
      const input: ScheduleInput = {
        kind,
        annotations: object.metadata.annotations ?? {},
        ...(object.metadata.creationTimestamp
          ? { creationTimestamp: object.metadata.creationTimestamp }
          : {}),
        ...(kind === 'CronJob' ? { suspended: spec?.suspend === true } : { replicas: spec?.replicas ?? 1 }),
        namespaceAnnotations: namespaces.get(object.metadata.namespace ?? '')?.metadata.annotations ?? {},
        ...(ctx.settings.defaultUptime ? { defaultUptime: ctx.settings.defaultUptime } : {}),
        ...(ctx.settings.defaultDowntime ? { defaultDowntime: ctx.settings.defaultDowntime } : {}),
        defaultDowntimeReplicas: ctx.settings.downtimeReplicas,
      };
      const hasSpec =
        input.annotations[ANNOTATION.uptime] ??
        input.annotations[ANNOTATION.downtime] ??
        input.namespaceAnnotations?.[ANNOTATION.uptime] ??
        input.namespaceAnnotations?.[ANNOTATION.downtime] ??
        input.defaultUptime ??
        input.defaultDowntime;
      if (hasSpec === undefined && input.annotations[ANNOTATION.originalReplicas] === undefined) continue;
      scheduled += 1;
      let decision;
      try {
        decision = decide(input, now);
      } catch (error) {
        if (!(error instanceof TimeSpecError)) throw error;
        findings.push(
          finding({
            bot: NAME,
            check: 'scaler.bad-schedule',
            severity: 'warning',
            object: objectRef(object, type),
            message: `${kind} ${object.metadata.namespace}/${object.metadata.name} has an unreadable schedule: ${error.message}`,
            evidence: {
              uptime: input.annotations[ANNOTATION.uptime] ?? null,
              downtime: input.annotations[ANNOTATION.downtime] ?? null,
            },
            fix: 'Use "Mon-Fri 07:30-20:30 Europe/Berlin" or an ISO range "2026-12-24T00:00:00+01:00-2026-12-27T00:00:00+01:00"',
          }),
        );
        continue;
      }
      if (decision.action === 'none') continue;
      if (
        (decision.action === 'scale-down' || decision.action === 'scale-up') &&
        hpaTargets.has(key(object.metadata.namespace, kind, object.metadata.name))
      ) {
        ctx.safety.skip(
          'scale',
          object,
          'an HPA scales this workload (annotate the HPA, as kube-downscaler advises)',
          type,
        );
        continue;
      }
      const reason = `${decision.action}: ${decision.reason}`;
      if (decision.action === 'scale-down') {
        const action = await ctx.safety.patch(
          type,
          object,
          {
            metadata: { annotations: { [ANNOTATION.originalReplicas]: String(decision.originalReplicas) } },
            spec: { replicas: decision.replicas },
          },
          'merge',
          reason,
        );
        if (action.status === 'skipped' || action.status === 'failed') continue;
        const perPod = templateContainers({ kind, object }).reduce((sum, c) => {
          const r = containerResources(c);
          return sum + book.monthlyCost(r.requests.cpu ?? 0, r.requests.memory ?? 0);
        }, 0);
        const saved = perPod * (decision.originalReplicas - decision.replicas) * downtimeShare(input, now);
        findings.push(
          finding({
            bot: NAME,
            check: 'scaler.downscaled',
            severity: 'info',
            object: objectRef(object, type),
            message: `${kind} ${object.metadata.namespace}/${object.metadata.name} scaled from ${decision.originalReplicas} to ${decision.replicas} for its downtime (${decision.reason})`,
            evidence: {
              originalReplicas: decision.originalReplicas,
              replicas: decision.replicas,
              reason: decision.reason,
            },
            fix: `To bring it back now: annotate it ${ANNOTATION.forceUptime}=true, or exclude it with eco.bsw-arch.org/exclude=true`,
            impact: { monthlyCost: roundCost(saved), currency: book.currency },
          }),
        );
      } else if (decision.action === 'scale-up') {
        await ctx.safety.patch(
          type,
          object,
          {
            metadata: { annotations: { [ANNOTATION.originalReplicas]: null } },
            spec: { replicas: decision.replicas },
          },
          'merge',
          reason,
        );
      } else if (decision.action === 'suspend') {
        await ctx.safety.patch(
          type,
          object,
          { metadata: { annotations: { [ANNOTATION.originalReplicas]: '1' } }, spec: { suspend: true } },
          'merge',
          reason,
        );
      } else {
        await ctx.safety.patch(
          type,
          object,
          { metadata: { annotations: { [ANNOTATION.originalReplicas]: null } }, spec: { suspend: false } },
          'merge',
          reason,
        );
      }
    }
    const atMax = findings.filter((f) => f.check === 'scaler.hpa-at-max').length;
    return {
      summary: `${snap.objects.hpas.length} HPAs (${atMax} at max), ${scheduled} workloads on an uptime/downtime schedule, ${ctx.safety.actions().length} actions`,
      findings,
      errors,
    };
  },
});
