// eco-storage-bot: PV and PVC phases (Popeye 1000-1004), PVCs filling up by the kubernetes-mixin's
// rules evaluated in Prometheus (< 3 % free, or < 15 % and the 6 h trend empty within 4 days; inodes
// alike), and volume expansion through the rails when the StorageClass allows it and the PVC opted in.
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
  type ReportError,
  type RunResult,
  unconfiguredFinding,
} from '../../shared/index.ts';
import {
  PROMETHEUS_SETTINGS,
  isPrometheusError,
  prometheusClientFrom,
} from '../../shared/prometheus/index.ts';
import { EXPAND_ANNOTATION, planExpansion } from './expansion.ts';
import { fillingQueries, fillingVolumes, type FillingVolume } from './filling.ts';
import { phaseProblems } from './phases.ts';

const NAME = 'eco-storage-bot';
const GIB = 1024 ** 3;

const KINDS = {
  pvcs: resources.persistentvolumeclaims,
  pvs: resources.persistentvolumes,
  storageClasses: resources.storageclasses,
  pods: resources.pods,
};

const SETTINGS = {
  ...PROMETHEUS_SETTINGS,
  pendingGrace: setting.duration({
    env: 'ECO_STORAGE_PENDING_GRACE',
    default: '15m',
    min: '0s',
    meaning: 'a PVC Pending longer than this is reported (at once when its StorageClass is missing)',
  }),
  expandStepPercent: setting.number({
    env: 'ECO_STORAGE_EXPAND_STEP_PERCENT',
    default: 50,
    min: 1,
    max: 1000,
    meaning: 'an opted-in filling PVC grows by this share of its size (rounded up to whole GiB)',
  }),
  expandMaxGiB: setting.number({
    env: 'ECO_STORAGE_EXPAND_MAX_GIB',
    default: 1024,
    min: 1,
    meaning: 'no PVC is expanded past this size (a PVC may set a lower eco.bsw-arch.org/auto-expand-max)',
  }),
};

const Options = Type.Object(
  { namespace: Type.Optional(Type.String({ pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$' })) },
  { additionalProperties: false },
);
/** A filling-up alert routed by eco-alert-bot (its normalised form): the run is narrowed to its namespace. */
const Alert = Type.Object(
  {
    alertname: Type.String(),
    status: Type.Union([Type.Literal('firing'), Type.Literal('resolved')]),
    labels: Type.Record(Type.String(), Type.String()),
  },
  { additionalProperties: true },
);
const Input = Type.Union([Options, Alert]);

function promError(error: unknown): ReportError {
  if (isPrometheusError(error) && error.status !== undefined) {
    return {
      code: `prometheus-http-${error.status}`,
      message: `querying kubelet_volume_stats: ${error.message}`,
    };
  }
  return {
    code: 'prometheus-unavailable',
    message: `querying kubelet_volume_stats: ${(error as Error).message}`,
  };
}

export default defineBot({
  name: NAME,
  category: 'storage',
  tier: 'medium',
  summary:
    'PVC fill level (kubelet_volume_stats_*), filling-up prediction, pending/lost PVs and PVCs, expansion when allowed',
  triggers: {
    http: true,
    cron: '*/30 * * * *',
    alerts: ['KubePersistentVolumeFillingUp', 'KubePersistentVolumeInodesFillingUp'],
  },
  rbac: [
    ...SAFETY_RAILS_RBAC,
    { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['get', 'list', 'patch'] },
    { apiGroups: [''], resources: ['persistentvolumes', 'pods'], verbs: ['list'] },
    { apiGroups: ['storage.k8s.io'], resources: ['storageclasses'], verbs: ['list'] },
  ],
  mutates: true,
  input: Input,
  settings: SETTINGS,
  async run(raw: Static<typeof Input>, ctx): Promise<RunResult> {
    const ns = 'alertname' in raw ? raw.labels.namespace : raw.namespace;
    const input =
      ns !== undefined && /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(ns) ? { namespace: ns } : {};
    const snap = await takeSnapshot(ctx, KINDS, input.namespace ? { namespace: input.namespace } : {});
    const o = snap.objects;
    const findings: Finding[] = [...snap.findings];
    const errors: ReportError[] = [...snap.errors];
    for (const p of phaseProblems({
      pvcs: o.pvcs,
      pvs: input.namespace ? [] : o.pvs,
      storageClasses: o.storageClasses,
      pods: o.pods,
      now: ctx.now(),
      pendingGraceMinutes: ctx.settings.pendingGrace / 60_000,
    })) {
      findings.push(finding({ bot: NAME, ...p }));
    }

    const prometheus = prometheusClientFrom(ctx.settings);
    let filling: FillingVolume[] = [];
    if (prometheus === undefined) {
      findings.push(
        unconfiguredFinding({
          bot: NAME,
          setting: 'PROMETHEUS_URL',
          message:
            'PROMETHEUS_URL is not set, so fill levels and the filling-up prediction were not checked.',
          fix: 'Set PROMETHEUS_URL to a Prometheus that scrapes the kubelets (kubelet_volume_stats_*).',
        }),
      );
    } else {
      const selector = input.namespace ? `namespace="${input.namespace}"` : '';
      const q = fillingQueries(selector);
      try {
        const [critical, warning, inodesCritical, inodesWarning] = await Promise.all(
          [q.critical, q.warning, q.inodesCritical, q.inodesWarning].map((expr) =>
            prometheus.queryVector(expr, { signal: ctx.signal }),
          ),
        );
        filling = fillingVolumes({
          critical: critical ?? [],
          warning: warning ?? [],
          inodesCritical: inodesCritical ?? [],
          inodesWarning: inodesWarning ?? [],
        });
      } catch (error) {
        errors.push(promError(error));
      }
    }

    for (const f of filling) {
      const pvc = o.pvcs.find((c) => c.metadata.namespace === f.namespace && c.metadata.name === f.pvc);
      const className = (pvc?.spec as { storageClassName?: string } | undefined)?.storageClassName;
      const storageClass = o.storageClasses.find((c) => c.metadata.name === className);
      const plan =
        pvc && f.kind === 'bytes'
          ? planExpansion(pvc, storageClass, {
              stepPercent: ctx.settings.expandStepPercent,
              maxBytes: ctx.settings.expandMaxGiB * GIB,
            })
          : undefined;
      const what = f.kind === 'bytes' ? 'space' : 'inodes';
      findings.push(
        finding({
          bot: NAME,
          check: f.kind === 'bytes' ? 'storage.pvc-filling-up' : 'storage.pvc-inodes-filling-up',
          severity: f.severity,
          object: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: f.namespace, name: f.pvc },
          message:
            f.severity === 'critical'
              ? `PVC ${f.namespace}/${f.pvc} has only ${f.freePercent} % of its ${what} free.`
              : `PVC ${f.namespace}/${f.pvc} has ${f.freePercent} % of its ${what} free and, at the rate of the last 6 hours, fills up within 4 days.`,
          evidence: {
            freePercent: f.freePercent,
            rule:
              f.severity === 'critical' ? 'free < 3 %' : 'free < 15 % and predict_linear(6h) < 0 within 4 d',
            ...(plan ? { expansion: plan } : {}),
          },
          fix:
            plan?.expand === true
              ? `The bot expands it from ${plan.from} to ${plan.to} (ECO_MODE=apply).`
              : plan?.expand === false && plan.reason === 'class-forbids'
                ? `StorageClass ${className ?? ''} does not allow expansion: free space, or move the data to a larger volume.`
                : `Free ${what}, or expand the PVC (opt in with ${EXPAND_ANNOTATION}=true where the StorageClass allows expansion).`,
        }),
      );
      if (pvc && plan?.expand === true) {
        await ctx.safety.patch(
          resources.persistentvolumeclaims,
          pvc,
          { spec: { resources: { requests: { storage: plan.to } } } },
          'merge',
          `filling up (${f.freePercent} % free): expand ${plan.from} -> ${plan.to}`,
          { eventReason: 'VolumeExpanded' },
        );
      }
    }
    return {
      summary: `${o.pvcs.length} PVCs and ${o.pvs.length} PVs checked${prometheus ? `, ${filling.length} filling up` : ', fill levels not checked (no PROMETHEUS_URL)'}: ${findings.length} findings`,
      findings,
      errors,
    };
  },
});
