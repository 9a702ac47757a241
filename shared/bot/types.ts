import type { Static, TSchema } from '@sinclair/typebox';
import type { K8s } from '../k8s/types.ts';
import type { SafetyRails } from '../safety/types.ts';
import type { Logger } from '../log/types.ts';
import type { MetricsApi } from '../metrics/types.ts';

/** The eight categories of the catalogue (design/BOTS.md). */
export type Category =
  | 'infrastructure'
  | 'optimisation'
  | 'observability'
  | 'container'
  | 'storage'
  | 'network'
  | 'security'
  | 'maintenance';

/** The seed's resource tiers; each maps to requests/limits in the generated manifests. */
export type Tier = 'small' | 'medium' | 'large';

export type Mode = 'dry-run' | 'apply';

/** How an invocation arrived. */
export type TriggerKind = 'http' | 'cloudevent' | 'cron' | 'ping' | 'alertmanager';

export interface Triggers {
  /** Invocable by a plain HTTP POST of JSON options. */
  http?: boolean;
  /**
   * Also invocable by GET (a browser opening the bot's URL): the query parameters are the options
   * (strings), and a result's `http` body is served when the caller accepts it.
   */
  httpGet?: boolean;
  /** 5-field cron expression (cron-connector `schedule`, Knative PingSource `schedule`). */
  cron?: string;
  /** CloudEvent types this bot consumes (Knative Triggers, local event routing). */
  events?: string[];
  /** Alert names routed to this bot by eco-alert-bot. */
  alerts?: string[];
}

export type RbacVerb =
  'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

/** One Kubernetes PolicyRule; the single source of the bot's generated Role/ClusterRole. */
export interface RbacRule {
  apiGroups: string[];
  /** Resource names, with subresources as `pods/eviction`, `pods/log`. Never `*`. */
  resources: string[];
  verbs: RbacVerb[];
  resourceNames?: string[];
}

export type Severity = 'info' | 'warning' | 'critical';

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  uid?: string;
}

export interface Finding {
  /** Stable hash of bot + check + object (+ discriminator): the same problem keeps the same id. */
  id: string;
  /** Dotted check name, e.g. `cleanup.job-finished`. */
  check: string;
  severity: Severity;
  object: ObjectRef;
  message: string;
  evidence?: Record<string, unknown>;
  fix?: string;
  impact?: { monthlyCost?: number; currency: string };
}

export type ActionVerb =
  | 'delete'
  | 'patch'
  | 'create'
  | 'update'
  | 'scale'
  | 'cordon'
  | 'uncordon'
  | 'evict'
  | 'restart'
  | 'deliver';

export type ActionStatus = 'planned' | 'applied' | 'skipped' | 'failed';

export interface Action {
  verb: ActionVerb;
  object: ObjectRef;
  status: ActionStatus;
  reason: string;
  /** The state needed to undo the action. */
  before?: unknown;
  after?: unknown;
  error?: string;
}

export interface ReportError {
  code: string;
  message: string;
}

export interface Report {
  bot: string;
  runId: string;
  trigger: TriggerKind;
  startedAt: string;
  durationMs: number;
  mode: Mode;
  summary: string;
  findings: Finding[];
  actions: Action[];
  errors: ReportError[];
  /** Bot-specific structured output (e.g. the alert bot's routing table result). */
  data?: Record<string, unknown>;
}

/** What `run` returns: the runtime fills in bot, runId, trigger, startedAt, durationMs and mode. */
export type RunResult = Pick<Report, 'summary' | 'findings'> &
  Partial<Pick<Report, 'actions' | 'errors' | 'data'>> & {
    /**
     * A non-JSON answer (e.g. an HTML page), served instead of the JSON report when the caller's
     * Accept header takes its content type and does not ask for JSON. Never part of the report.
     */
    http?: HttpBody;
  };

export interface HttpBody {
  contentType: string;
  body: string;
}

/** Options for a CloudEvent a bot emits through ctx.emit. */
export interface EmitOptions {
  subject?: string;
  /** A deterministic event id (receivers dedupe on source + id); a fresh UUID when omitted. */
  id?: string;
  /** Event time (ISO 8601); now when omitted. */
  time?: string;
  /** CloudEvent extension attributes (lower-case alphanumeric names). */
  extensions?: Record<string, string>;
}

/** Everything a bot gets besides its input. */
export interface Context {
  readonly bot: string;
  readonly runId: string;
  readonly trigger: TriggerKind;
  /** W3C trace id carried from `traceparent`, or a fresh one. */
  readonly traceId: string;
  readonly traceparent: string;
  /** The effective mode: the process's ECO_MODE, lowered to dry-run when the invocation asks. */
  readonly mode: Mode;
  /** Injectable clock: tests control time. */
  now(): Date;
  readonly log: Logger;
  /** Cluster access; created lazily on first use so bots that never touch the cluster pay nothing. */
  readonly k8s: K8s;
  /** The one path for mutations: dry-run, exclusions, blast-radius cap, preconditions, audit. */
  readonly safety: SafetyRails;
  /** Emit a CloudEvent to K_SINK (no-op when unset). Throws when delivery fails after retries. */
  emit(type: string, data: unknown, options?: EmitOptions): Promise<void>;
  /** The process environment (read-only view). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Aborted when the invocation times out or the process drains. */
  readonly signal: AbortSignal;
  /** Raw request headers of the invocation (lower-case names); empty for internal runs. */
  readonly headers: Readonly<Record<string, string>>;
  /** Register extra metrics (get-or-create by name), served at /metrics with the kit's own. */
  readonly metrics: MetricsApi;
  /** The CloudEvent that triggered this run (cloudevent and ping triggers only). */
  readonly event?: TriggerEvent;
}

/** Attributes of the triggering CloudEvent; its data is the run's input. */
export interface TriggerEvent {
  readonly id: string;
  readonly type: string;
  readonly source: string;
  readonly subject?: string;
  readonly time?: string;
  /** Extension attributes (lower-case names), e.g. the alert bot's target bots. */
  readonly extensions: Readonly<Record<string, string>>;
  /**
   * The event's data, for events whose data is not the run's options: an alert routed by
   * eco-alert-bot (`org.bsw-arch.eco.alert.*`) runs the bot with its defaults, the alert here.
   */
  readonly data?: unknown;
}

export interface BotDefinition<S extends TSchema = TSchema> {
  /** DNS-1123 label, equal to the folder name under functions/. */
  name: string;
  category: Category;
  tier: Tier;
  summary: string;
  triggers: Triggers;
  rbac: RbacRule[];
  /** Whether the bot may mutate the cluster (through ctx.safety only). */
  mutates: boolean;
  /** TypeBox schema of the JSON options a caller may pass; defaults are applied before run. */
  input: S;
  /** Environment variables the bot reads, with their meaning; documented in the README. */
  env?: Record<string, string>;
  /** CloudEvent types this bot emits besides the fleet's report event. */
  emits?: string[];
  run(input: Static<S>, ctx: Context): Promise<RunResult>;
}

export type Bot<S extends TSchema = TSchema> = Readonly<BotDefinition<S>>;
