// eco-snapshot-bot: VolumeSnapshots (snapshot.storage.k8s.io/v1) for PVCs opted in with the
// annotation eco.bsw-arch.org/snapshot=true, on its schedule or when KubePersistentVolumeFillingUp
// fires for one (Robusta create_pvc_snapshot); readiness checked on the next run (Velero CSI's
// 10-minute timeout); retention keep-last-N and GFS over its own snapshots, never deleting one that
// is not ready or the newest ready one. Writes go through the rails (dry-run by default).
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
  type KubeObject,
  type RunResult,
} from '../../shared/index.ts';
import { duePvcs, health, retention, snapshotFor, snapshotState, READY_TIMEOUT_MINUTES } from './plan.ts';

const NAME = 'eco-snapshot-bot';
const DEFAULT_CLASS_ANNOTATION = 'snapshot.storage.kubernetes.io/is-default-class';

const KINDS = {
  pvcs: resources.persistentvolumeclaims,
  snapshots: resources.volumesnapshots,
  classes: resources.volumesnapshotclasses,
  storageClasses: resources.storageclasses,
};

const SETTINGS = {
  interval: setting.duration({
    env: 'ECO_SNAPSHOT_INTERVAL',
    default: '24h',
    min: '1m',
    meaning: 'an opted-in PVC gets a new snapshot when its newest is older than this',
  }),
  keepLast: setting.number({
    env: 'ECO_SNAPSHOT_KEEP_LAST',
    default: 3,
    min: 0,
    max: 1000,
    integer: true,
    meaning: 'retention: newest ready snapshots kept per PVC',
  }),
  keepDaily: setting.number({
    env: 'ECO_SNAPSHOT_KEEP_DAILY',
    default: 7,
    min: 0,
    max: 1000,
    integer: true,
    meaning: 'retention: days kept (newest of each)',
  }),
  keepWeekly: setting.number({
    env: 'ECO_SNAPSHOT_KEEP_WEEKLY',
    default: 0,
    min: 0,
    max: 1000,
    integer: true,
    meaning: 'retention: ISO weeks kept',
  }),
  keepMonthly: setting.number({
    env: 'ECO_SNAPSHOT_KEEP_MONTHLY',
    default: 0,
    min: 0,
    max: 1000,
    integer: true,
    meaning: 'retention: months kept',
  }),
  maxAgeDays: setting.number({
    env: 'ECO_SNAPSHOT_MAX_AGE_DAYS',
    default: 14,
    min: 1,
    max: 36500,
    integer: true,
    meaning: 'retention: older snapshots fill no bucket (Velero TTL); the newest ready one always stays',
  }),
};

const Options = Type.Object(
  {
    namespace: Type.Optional(Type.String({ pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$' })),
    /** Skip retention this run. */
    retention: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
/** An alert routed by eco-alert-bot (its normalised form): the PVC is in its labels. */
const Alert = Type.Object(
  {
    alertname: Type.String(),
    status: Type.Union([Type.Literal('firing'), Type.Literal('resolved')]),
    labels: Type.Record(Type.String(), Type.String()),
  },
  { additionalProperties: true },
);
const Input = Type.Union([Options, Alert]);
type InputT = Static<typeof Input>;

function isAlert(input: InputT): input is Static<typeof Alert> {
  return 'alertname' in input;
}

/** The class for a PVC: the default VolumeSnapshotClass of its StorageClass's CSI driver. */
function classFor(
  pvc: KubeObject,
  classes: readonly KubeObject[],
  storageClasses: readonly KubeObject[],
): string | undefined {
  const scName = (pvc.spec as { storageClassName?: string } | undefined)?.storageClassName;
  const driver = storageClasses.find((s) => s.metadata.name === scName)?.['provisioner'];
  const ofDriver = classes.filter((c) => c['driver'] === driver);
  const chosen =
    ofDriver.find((c) => c.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true') ??
    (ofDriver.length === 1 ? ofDriver[0] : undefined);
  return chosen?.metadata.name;
}

export default defineBot({
  name: NAME,
  category: 'storage',
  tier: 'small',
  summary:
    'VolumeSnapshots for opted-in PVCs on schedule or a filling-up alert, readiness check, retention (keep-last-N, GFS)',
  triggers: { http: true, cron: '0 1 * * *', alerts: ['KubePersistentVolumeFillingUp'] },
  rbac: [
    ...SAFETY_RAILS_RBAC,
    { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['list'] },
    { apiGroups: ['storage.k8s.io'], resources: ['storageclasses'], verbs: ['list'] },
    { apiGroups: ['snapshot.storage.k8s.io'], resources: ['volumesnapshotclasses'], verbs: ['list'] },
    {
      apiGroups: ['snapshot.storage.k8s.io'],
      resources: ['volumesnapshots'],
      verbs: ['get', 'list', 'create', 'delete'],
    },
  ],
  mutates: true,
  input: Input,
  settings: SETTINGS,
  scopeOptions: ['namespace'],
  async run(input: InputT, ctx): Promise<RunResult> {
    const alert = isAlert(input) ? input : undefined;
    const namespace = alert ? alert.labels.namespace : (input as Static<typeof Options>).namespace;
    const snap = await takeSnapshot(ctx, KINDS, namespace ? { namespace } : {});
    if (snap.missing.has('snapshots')) {
      return {
        summary: 'VolumeSnapshots are not served by this cluster: nothing to do',
        findings: [...snap.findings],
        errors: [...snap.errors],
      };
    }
    const now = ctx.now();
    const states = snap.objects.snapshots.map(snapshotState);
    const findings: Finding[] = [...snap.findings];
    const alerted = new Set<string>();
    if (alert?.status === 'firing' && alert.labels.namespace && alert.labels.persistentvolumeclaim) {
      alerted.add(`${alert.labels.namespace}/${alert.labels.persistentvolumeclaim}`);
    }

    // 1. Readiness of what earlier runs created.
    for (const s of states) {
      const h = health(s, now);
      if (h.state === 'stuck' || h.state === 'failed') {
        findings.push(
          finding({
            bot: NAME,
            check: h.state === 'failed' ? 'snapshot.failed' : 'snapshot.not-ready',
            severity: 'warning',
            object: {
              apiVersion: 'snapshot.storage.k8s.io/v1',
              kind: 'VolumeSnapshot',
              namespace: s.namespace,
              name: s.snapshot.metadata.name,
            },
            message:
              h.state === 'failed'
                ? `VolumeSnapshot ${s.namespace}/${s.snapshot.metadata.name} of PVC ${s.pvc} failed: ${h.message}.`
                : `VolumeSnapshot ${s.namespace}/${s.snapshot.metadata.name} of PVC ${s.pvc} is not ready after ${h.minutes} minutes (limit ${READY_TIMEOUT_MINUTES}).`,
            evidence: {
              pvc: s.pvc,
              createdAt: s.created.toISOString(),
              readyToUse: s.ready,
              ...(h.state === 'failed' ? { error: h.message } : { minutes: h.minutes }),
            },
            fix: `kubectl -n ${s.namespace} describe volumesnapshot ${s.snapshot.metadata.name}; check the CSI snapshotter and its VolumeSnapshotClass.`,
          }),
        );
      }
    }

    // 2. New snapshots for what is due.
    const due = duePvcs(snap.objects.pvcs, states, {
      now,
      intervalHours: ctx.settings.interval / 3_600_000,
      alerted,
    });
    for (const d of due) {
      const className = classFor(d.pvc, snap.objects.classes, snap.objects.storageClasses);
      await ctx.safety.create(
        resources.volumesnapshots,
        snapshotFor(d.pvc, now, className, d.reason === 'alert'),
        d.reason === 'alert'
          ? `${alert?.alertname ?? 'alert'} fired for ${d.pvc.metadata.namespace}/${d.pvc.metadata.name}`
          : d.newestAgeHours === undefined
            ? 'opted in and never snapshotted'
            : `newest snapshot is ${Math.floor(d.newestAgeHours)} hours old`,
        { eventReason: 'SnapshotCreated' },
      );
    }

    // 3. Retention over the bot's own snapshots.
    const policy = {
      keepLast: ctx.settings.keepLast,
      keepDaily: ctx.settings.keepDaily,
      keepWeekly: ctx.settings.keepWeekly,
      keepMonthly: ctx.settings.keepMonthly,
      maxAgeDays: ctx.settings.maxAgeDays,
    };
    let toDelete = 0;
    if (!alert && (input as Static<typeof Options>).retention !== false) {
      for (const d of retention(states, policy, now)) {
        if (d.keep) continue;
        toDelete += 1;
        const s = d.snapshot;
        const ageDays = Math.floor((now.getTime() - s.created.getTime()) / 86_400_000);
        findings.push(
          finding({
            bot: NAME,
            check: 'snapshot.retention',
            severity: 'info',
            object: {
              apiVersion: 'snapshot.storage.k8s.io/v1',
              kind: 'VolumeSnapshot',
              namespace: s.namespace,
              name: s.snapshot.metadata.name,
            },
            message: `VolumeSnapshot ${s.namespace}/${s.snapshot.metadata.name} of PVC ${s.pvc} (${ageDays} days old) is beyond retention and is deleted.`,
            evidence: { pvc: s.pvc, ageDays, policy },
            fix: 'Nothing to do: the bot deletes it (ECO_MODE=apply). Raise ECO_SNAPSHOT_KEEP_* or ECO_SNAPSHOT_MAX_AGE_DAYS to keep more.',
          }),
        );
        await ctx.safety.delete(
          resources.volumesnapshots,
          s.snapshot,
          `beyond retention (keep-last ${policy.keepLast}, daily ${policy.keepDaily}, max age ${policy.maxAgeDays} d)`,
          {
            eventReason: 'SnapshotRetention',
          },
        );
      }
    }
    return {
      summary: `${states.length} snapshots of ${new Set(states.map((s) => `${s.namespace}/${s.pvc}`)).size} PVCs: ${due.length} new ${ctx.mode === 'apply' ? 'created' : 'planned'}, ${toDelete} beyond retention`,
      findings,
      errors: [...snap.errors],
    };
  },
});
