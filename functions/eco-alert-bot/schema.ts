import * as Type from '../../shared/schema/index.ts';
import type { Static } from '../../shared/schema/index.ts';

// The Alertmanager webhook payload, version "4" (prometheus/alertmanager notify/webhook). Lenient where
// versions differ: fields added over time (notification_reason 0.32+, routeLabels 0.34+, truncatedAlerts,
// groupKey) are optional, and unknown fields are allowed so a newer Alertmanager never gets a 400.
// Strict where routing depends on it: each alert needs `status`, `labels` and `startsAt`.

/** RFC 3339 as Go prints it (nanoseconds and numeric offsets included). */
const RFC3339 = '^\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?([Zz]|[+-]\\d{2}:\\d{2})$';

const LabelSet = Type.Record(Type.String(), Type.String());

export const AlertSchema = Type.Object(
  {
    status: Type.Union([Type.Literal('firing'), Type.Literal('resolved')]),
    labels: Type.Record(Type.String(), Type.String(), {
      description: 'routing matches on alertname and these labels; severity comes from the severity label',
    }),
    annotations: Type.Optional(LabelSet),
    startsAt: Type.String({ pattern: RFC3339 }),
    endsAt: Type.Optional(Type.String({ pattern: RFC3339 })),
    generatorURL: Type.Optional(Type.String()),
    fingerprint: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);

/**
 * `alerts` is optional here only so that an empty invocation (cron connector, PingSource, `{}`) can
 * run the bot's self-check; any other payload without `alerts` is rejected by the bot with a 400.
 */
export const PayloadSchema = Type.Object(
  {
    version: Type.Optional(Type.String()),
    receiver: Type.Optional(Type.String()),
    status: Type.Optional(Type.String()),
    alerts: Type.Optional(
      Type.Array(AlertSchema, {
        description: 'the alerts of the group; required unless the invocation is empty (a self-check)',
      }),
    ),
    groupLabels: Type.Optional(LabelSet),
    commonLabels: Type.Optional(LabelSet),
    commonAnnotations: Type.Optional(LabelSet),
    routeLabels: Type.Optional(LabelSet),
    externalURL: Type.Optional(Type.String()),
    groupKey: Type.Optional(Type.String()),
    truncatedAlerts: Type.Optional(
      Type.Integer({
        minimum: 0,
        description: 'alerts left out by the webhook max_alerts; reported, never routed',
      }),
    ),
    notification_reason: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);

export type AlertPayload = Static<typeof PayloadSchema>;
export type RawAlert = Static<typeof AlertSchema>;
