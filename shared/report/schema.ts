// The fleet's one report schema (ARCHITECTURE.md section 5), as a TypeBox schema: the status bot
// and the tests validate reports against it, and `npm run generate` writes it out as JSON Schema
// (docs/report.schema.json) for tools downstream.
import * as Type from '../schema/index.ts';
import type { Static } from '../schema/index.ts';
import { Errors } from '@sinclair/typebox/errors';

const Str = Type.String;
const ObjectRefSchema = Type.Object(
  {
    apiVersion: Str({ minLength: 1 }),
    kind: Str({ minLength: 1 }),
    namespace: Type.Optional(Str()),
    name: Str({ minLength: 1 }),
    uid: Type.Optional(Str()),
  },
  { additionalProperties: false },
);

export const FindingSchema = Type.Object(
  {
    id: Str({ pattern: '^[0-9a-f]{16}$' }),
    check: Str({ pattern: '^[a-z0-9-]+(\\.[a-z0-9-]+)+$' }),
    severity: Type.Union([Type.Literal('info'), Type.Literal('warning'), Type.Literal('critical')]),
    object: ObjectRefSchema,
    message: Str({ minLength: 1 }),
    evidence: Type.Optional(Type.Record(Str(), Type.Unknown())),
    fix: Type.Optional(Str()),
    impact: Type.Optional(
      Type.Object(
        {
          monthlyCost: Type.Optional(Type.Number({ minimum: 0 })),
          currency: Str({ minLength: 3, maxLength: 3 }),
        },
        { additionalProperties: false },
      ),
    ),
    runbook: Type.Optional(Str()),
  },
  { additionalProperties: false },
);

export const ActionSchema = Type.Object(
  {
    verb: Type.Union(
      [
        'delete',
        'patch',
        'create',
        'update',
        'scale',
        'cordon',
        'uncordon',
        'evict',
        'restart',
        'deliver',
      ].map((v) => Type.Literal(v)),
    ),
    object: ObjectRefSchema,
    status: Type.Union([
      Type.Literal('planned'),
      Type.Literal('applied'),
      Type.Literal('skipped'),
      Type.Literal('failed'),
    ]),
    reason: Str(),
    before: Type.Optional(Type.Unknown()),
    after: Type.Optional(Type.Unknown()),
    error: Type.Optional(Str()),
  },
  { additionalProperties: false },
);

export const ReportSchema = Type.Object(
  {
    bot: Str({ pattern: '^eco-[a-z0-9-]+$' }),
    runId: Str({ minLength: 1 }),
    trigger: Type.Union(['http', 'cloudevent', 'cron', 'ping', 'alertmanager'].map((t) => Type.Literal(t))),
    startedAt: Str({ format: 'date-time' }),
    durationMs: Type.Number({ minimum: 0 }),
    mode: Type.Union([Type.Literal('dry-run'), Type.Literal('apply')]),
    summary: Str(),
    findings: Type.Array(FindingSchema),
    actions: Type.Array(ActionSchema),
    errors: Type.Array(
      Type.Object({ code: Str({ minLength: 1 }), message: Str() }, { additionalProperties: false }),
    ),
    data: Type.Optional(Type.Record(Str(), Type.Unknown())),
    scoped: Type.Optional(Type.Boolean()),
  },
  {
    additionalProperties: false,
    $id: 'https://bsw-arch.org/eco-bots/report.schema.json',
    title: 'eco-bots report',
  },
);

export type ReportShape = Static<typeof ReportSchema>;

/** Every way `value` departs from the Report schema, as `path: message` lines; empty when valid. */
export function checkReport(value: unknown): string[] {
  // `format: date-time` needs a registered format checker; checked by hand to keep the kit small.
  const problems = [...Errors(ReportSchema, value)]
    .filter((e) => !e.message.includes('format'))
    .map((e) => `${e.path || '/'}: ${e.message}`);
  const startedAt = (value as { startedAt?: unknown } | null)?.startedAt;
  if (typeof startedAt === 'string' && Number.isNaN(Date.parse(startedAt)))
    problems.push('/startedAt: not a date-time');
  return problems;
}
