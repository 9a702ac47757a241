// eco-volume-bot: PVCs no pod mounts and no workload or StatefulSet template uses, Released PVs, and
// PVs whose reclaimPolicy Delete would take the only copy of their data, each priced from the price
// book. Optionally deletes unused PVCs after a grace period, through the rails (dry-run by default).
import * as Type from '../../shared/schema/index.ts';
import type { Static } from '../../shared/schema/index.ts';
import {
  SAFETY_RAILS_RBAC,
  defineBot,
  finding,
  resources,
  setting,
  takeSnapshot,
  type Finding,
  type RunResult,
} from '../../shared/index.ts';
import { PRICE_BOOK_RBAC, PRICE_BOOK_SETTINGS, priceBookFor } from '../../shared/cost/index.ts';
import { volumeProblems, type VolumeProblem } from './checks.ts';

const NAME = 'eco-volume-bot';

const KINDS = {
  pvcs: resources.persistentvolumeclaims,
  pvs: resources.persistentvolumes,
  pods: resources.pods,
  deployments: resources.deployments,
  statefulsets: resources.statefulsets,
  daemonsets: resources.daemonsets,
  replicasets: resources.replicasets,
  jobs: resources.jobs,
  cronjobs: resources.cronjobs,
  snapshots: resources.volumesnapshots,
};

const CHECK_IDS = ['volume.unused-pvc', 'volume.released-pv', 'volume.reclaim-delete-unprotected'] as const;

const SETTINGS = {
  ...PRICE_BOOK_SETTINGS,
  graceDays: setting.number({
    env: 'ECO_VOLUME_GRACE_DAYS',
    default: 4,
    min: 0,
    max: 3650,
    meaning: 'an unused PVC is deleted only when older than this many days (kube-janitor example: 4)',
  }),
  deleteUnused: setting.boolean({
    env: 'ECO_VOLUME_DELETE_UNUSED',
    default: false,
    meaning: 'delete unused PVCs past the grace period (through the rails: ECO_MODE=apply, exclusions, cap)',
  }),
};

const Input = Type.Object(
  {
    namespace: Type.Optional(Type.String({ pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$' })),
    checks: Type.Optional(
      Type.Array(Type.Union(CHECK_IDS.map((id) => Type.Literal(id))), { uniqueItems: true }),
    ),
  },
  { additionalProperties: false },
);

export default defineBot({
  name: NAME,
  category: 'storage',
  tier: 'small',
  summary:
    'Unused PVCs (not mounted, not in a StatefulSet template), Released PVs, reclaim-policy risks, monthly cost of each',
  triggers: { http: true, cron: '15 6 * * *' },
  rbac: [
    ...SAFETY_RAILS_RBAC,
    PRICE_BOOK_RBAC,
    { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['get', 'list', 'delete'] },
    { apiGroups: [''], resources: ['persistentvolumes', 'pods'], verbs: ['list'] },
    {
      apiGroups: ['apps'],
      resources: ['deployments', 'statefulsets', 'daemonsets', 'replicasets'],
      verbs: ['list'],
    },
    { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: ['list'] },
    { apiGroups: ['snapshot.storage.k8s.io'], resources: ['volumesnapshots'], verbs: ['list'] },
  ],
  mutates: true,
  input: Input,
  settings: SETTINGS,
  async run(input: Static<typeof Input>, ctx): Promise<RunResult> {
    const snap = await takeSnapshot(ctx, KINDS, {
      ...(input.namespace ? { namespace: input.namespace } : {}),
      optional: ['snapshots'],
    });
    const { book, errors: priceErrors } = await priceBookFor(ctx, ctx.settings);
    const o = snap.objects;
    const problems = volumeProblems({
      pvcs: o.pvcs,
      // PVs are cluster-wide; narrowed to the namespace's claims when a namespace is given.
      pvs: input.namespace
        ? o.pvs.filter(
            (pv) =>
              (pv.spec as { claimRef?: { namespace?: string } } | undefined)?.claimRef?.namespace ===
              input.namespace,
          )
        : o.pvs,
      pods: o.pods,
      workloads: [
        ...o.deployments,
        ...o.statefulsets,
        ...o.daemonsets,
        ...o.replicasets,
        ...o.jobs,
        ...o.cronjobs,
      ],
      snapshots: o.snapshots,
      now: ctx.now(),
      priceOf: (bytes, storageClass) => book.pvMonthlyCost(bytes, storageClass),
      graceDays: ctx.settings.graceDays,
    }).filter((p) => !input.checks || input.checks.includes(p.check));
    const findings: Finding[] = problems.map((p: VolumeProblem) =>
      finding({
        bot: NAME,
        check: p.check,
        severity: p.severity,
        object: p.object,
        message: p.message,
        evidence: p.evidence,
        fix: p.fix,
        impact: { monthlyCost: p.monthlyCost, currency: book.currency },
      }),
    );
    if (ctx.settings.deleteUnused) {
      for (const p of problems) {
        if (p.check !== 'volume.unused-pvc') continue;
        const pvc = o.pvcs.find(
          (c) => c.metadata.namespace === p.object.namespace && c.metadata.name === p.object.name,
        );
        if (!pvc) continue;
        if (!p.pastGrace) {
          ctx.safety.skip(
            'delete',
            pvc,
            `not due: unused PVC younger than ${ctx.settings.graceDays} days`,
            resources.persistentvolumeclaims,
          );
          continue;
        }
        await ctx.safety.delete(
          resources.persistentvolumeclaims,
          pvc,
          `unused for more than ${ctx.settings.graceDays} days (no pod mounts it, no workload or StatefulSet template uses it)`,
          {
            // A pod may have started using it since the read: then it is no longer a candidate.
            redecide: (fresh) =>
              (fresh.status as { phase?: string } | undefined)?.phase === 'Bound'
                ? 'still unused at delete time'
                : false,
            eventReason: 'UnusedVolumeDeleted',
          },
        );
      }
    }
    const cost = Math.round(problems.reduce((sum, p) => sum + p.monthlyCost, 0) * 100) / 100;
    return {
      summary: `${o.pvcs.length} PVCs and ${o.pvs.length} PVs checked: ${findings.length} findings, ${cost} ${book.currency}/month at stake`,
      findings: [...snap.findings, ...findings],
      errors: [...snap.errors, ...priceErrors],
    };
  },
});
