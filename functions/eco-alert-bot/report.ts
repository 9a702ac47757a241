import { finding } from '../../shared/index.ts';
import type { FindingInput } from '../../shared/index.ts';
import type { Action, Finding, ObjectRef, RunResult } from '../../shared/index.ts';
import type { DeliveryRecord } from './delivery.ts';
import { BOT_NAME } from './events.ts';
import type { NormalisedAlert } from './normalise.ts';

// Label -> object kind, most specific first, so a finding points at what the alert is about.
const OBJECT_LABELS: ReadonlyArray<{ label: string; apiVersion: string; kind: string; namespaced: boolean }> =
  [
    { label: 'pod', apiVersion: 'v1', kind: 'Pod', namespaced: true },
    { label: 'persistentvolumeclaim', apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespaced: true },
    { label: 'job_name', apiVersion: 'batch/v1', kind: 'Job', namespaced: true },
    {
      label: 'horizontalpodautoscaler',
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      namespaced: true,
    },
    { label: 'deployment', apiVersion: 'apps/v1', kind: 'Deployment', namespaced: true },
    { label: 'statefulset', apiVersion: 'apps/v1', kind: 'StatefulSet', namespaced: true },
    { label: 'daemonset', apiVersion: 'apps/v1', kind: 'DaemonSet', namespaced: true },
    { label: 'resourcequota', apiVersion: 'v1', kind: 'ResourceQuota', namespaced: true },
    { label: 'node', apiVersion: 'v1', kind: 'Node', namespaced: false },
  ];

/** The object an alert is about, from its labels; the alert itself when no label names one. */
export function alertObject(alert: NormalisedAlert): ObjectRef {
  const namespace = alert.labels['namespace'];
  for (const entry of OBJECT_LABELS) {
    const name = alert.labels[entry.label];
    if (name === undefined || name === '') continue;
    if (entry.namespaced && (namespace === undefined || namespace === '')) continue;
    const ref: ObjectRef = { apiVersion: entry.apiVersion, kind: entry.kind, name };
    if (entry.namespaced && namespace !== undefined) ref.namespace = namespace;
    return ref;
  }
  const ref: ObjectRef = {
    apiVersion: 'alertmanager.prometheus.io/v2',
    kind: 'Alert',
    name: alert.alertname || alert.fingerprint,
  };
  if (namespace !== undefined && namespace !== '') ref.namespace = namespace;
  return ref;
}

function describe(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace === undefined ? '' : `${ref.namespace}/`}${ref.name}`;
}

export interface AlertOutcome {
  alert: NormalisedAlert;
  targets: string[];
  routes: string[];
}

export interface ReportInput {
  received: number;
  duplicates: number;
  truncated: number;
  outcomes: readonly AlertOutcome[];
  deliveries: readonly DeliveryRecord[];
  channels: { sink: boolean; openfaas: string | undefined };
  notification: Record<string, unknown>;
  table: { source: string; mode: string; routes: number };
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The run's result and its delivery actions (the handler records them through ctx.safety.note). */
export function buildReport(input: ReportInput): RunResult & { actions: Action[] } {
  const findings: Finding[] = [];
  const actions: Action[] = [];
  const routed: Array<Record<string, unknown>> = [];
  const unrouted: Array<Record<string, unknown>> = [];
  const byKey = new Map<string, AlertOutcome>();

  // Written without object spreads: this loop runs per alert on every webhook (the bench's hot path).
  const objects = new Map<AlertOutcome, ObjectRef>();
  for (const outcome of input.outcomes) {
    const { alert, targets, routes } = outcome;
    byKey.set(`${alert.fingerprint}\u0000${alert.status}`, outcome);
    const object = alertObject(alert);
    objects.set(outcome, object);
    const isRouted = targets.length > 0;
    if (isRouted) {
      routed.push({
        alertname: alert.alertname,
        fingerprint: alert.fingerprint,
        status: alert.status,
        severity: alert.severity,
        targets,
        routes,
      });
    } else {
      unrouted.push({
        alertname: alert.alertname,
        fingerprint: alert.fingerprint,
        status: alert.status,
        severity: alert.severity,
      });
    }
    const spec: FindingInput = {
      bot: BOT_NAME,
      check: isRouted ? 'alert.routed' : 'alert.unrouted',
      // A resolved alert is news, not a problem: it keeps its severity in the evidence only.
      severity: alert.status === 'firing' ? alert.severity : 'info',
      object,
      discriminator: `${alert.fingerprint}/${alert.status}`,
      message: `${alert.status} ${alert.alertname || '(no alertname)'} (${alert.severity}) on ${describe(object)}: ${
        isRouted ? `routed to ${targets.join(', ')}` : 'matches no route'
      }`,
      evidence: {
        alertname: alert.alertname,
        status: alert.status,
        severity: alert.severity,
        fingerprint: alert.fingerprint,
        labels: alert.labels,
        annotations: alert.annotations,
        startsAt: alert.startsAt,
        endsAt: alert.endsAt,
        generatorURL: alert.generatorURL,
        targets,
        routes,
      },
    };
    if (!isRouted) {
      spec.fix = `add a route for alertname "${alert.alertname}" to the ECO_ALERT_ROUTES file if a bot should act on it`;
    }
    findings.push(finding(spec));
  }

  if (input.truncated > 0) {
    findings.push(
      finding({
        bot: BOT_NAME,
        check: 'alert.truncated',
        severity: 'warning',
        object: {
          apiVersion: 'alertmanager.prometheus.io/v2',
          kind: 'Receiver',
          name: String(input.notification['receiver'] ?? 'unknown'),
        },
        message: `Alertmanager left ${plural(input.truncated, 'alert')} out of this notification (webhook max_alerts)`,
        evidence: { truncatedAlerts: input.truncated, groupKey: input.notification['groupKey'] },
        fix: 'raise or remove max_alerts in the webhook_configs entry; truncated alerts are never routed',
      }),
    );
  }

  const needsDelivery = input.outcomes.length > 0;
  if (needsDelivery && !input.channels.sink && input.channels.openfaas === undefined) {
    findings.push(
      finding({
        bot: BOT_NAME,
        check: 'alert.no-delivery-channel',
        severity: 'warning',
        object: { apiVersion: 'eco.bsw-arch.org/v1', kind: 'Bot', name: BOT_NAME },
        message: 'neither K_SINK nor OPENFAAS_URL is set: alerts were routed but delivered nowhere',
        fix: 'bind a sink (Knative SinkBinding / K_SINK) or set OPENFAAS_URL to the OpenFaaS gateway',
      }),
    );
  }

  for (const d of input.deliveries) {
    const outcome = byKey.get(`${d.fingerprint}\u0000${d.status}`);
    if (outcome === undefined) continue;
    const where =
      d.channel === 'openfaas'
        ? `OpenFaaS async ${d.target ?? ''}`
        : d.target !== undefined
          ? `K_SINK for ${d.target}`
          : `K_SINK (${outcome.targets.join(',') || 'no targets'})`;
    const action: Action = {
      verb: 'deliver',
      object: objects.get(outcome) ?? alertObject(outcome.alert),
      status: d.ok ? 'applied' : d.skipped === true ? 'skipped' : 'failed',
      reason: `${d.status} ${d.alertname} -> ${where}`,
      after: {
        channel: d.channel,
        ...(d.target === undefined ? {} : { target: d.target }),
        attempts: d.attempts,
        httpStatus: d.httpStatus,
      },
    };
    if (d.error !== undefined) action.error = d.error;
    actions.push(action);
  }

  const delivered = input.deliveries.filter((d) => d.ok);
  const failed = input.deliveries.filter((d) => !d.ok);
  const firing = input.outcomes.filter((o) => o.alert.status === 'firing').length;
  const summary =
    `${plural(input.received, 'alert')} received (${firing} firing, ${input.outcomes.length - firing} resolved, ` +
    `${plural(input.duplicates, 'duplicate')}, ${input.truncated} truncated): ${routed.length} routed, ${unrouted.length} unrouted; ` +
    `${delivered.length} deliveries ok, ${failed.length} failed`;

  return {
    summary,
    findings,
    actions,
    data: {
      ...input.notification,
      received: input.received,
      duplicates: input.duplicates,
      truncated: input.truncated,
      routed,
      unrouted,
      delivered,
      failed,
      channels: { sink: input.channels.sink, openfaas: input.channels.openfaas ?? null },
      routingTable: input.table,
    },
  };
}
