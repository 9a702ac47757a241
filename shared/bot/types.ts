import type { Static, TSchema } from '../schema/index.ts';
import type { K8sReader } from '../k8s/types.ts';
import type { SettingValues, SettingsSpec } from '../settings/spec.ts';
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
  'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection' | 'bind';

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
  /** Where a person reads how to fix it: a URL, or a docs path such as `docs/runbooks/<check>.md`. */
  runbook?: string;
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
  /**
   * The caller's options narrowed or tuned the run (a namespace, a subset of checks, a threshold):
   * the report is not the fleet-wide view and does not replace it on the status page.
   */
  scoped?: boolean;
}

/**
 * What `run` returns: the runtime fills in bot, runId, trigger, startedAt, durationMs, mode and
 * actions (the one list the safety rails recorded during the run).
 */
export type RunResult = Pick<Report, 'summary' | 'findings'> &
  Partial<Pick<Report, 'errors' | 'data'>> & {
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
export interface Context<Settings = Readonly<Record<string, unknown>>> {
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
  /**
   * Read-only cluster access (get, list, logs, discovery, other GET paths), one client per process,
   * created on first use so bots that never touch the cluster pay nothing.
   */
  readonly k8s: K8sReader;
  /**
   * The one write path: dry-run, exclusions, blast-radius cap, preconditions, audit. A bot declared
   * `mutates: false` gets a SafetyRailError from every write.
   */
  readonly safety: SafetyRails;
  /** The bot's declared settings, read from the environment and checked at start. */
  readonly settings: Settings;
  /** Emit a CloudEvent to K_SINK (no-op when unset). Throws when delivery fails after retries. */
  emit(type: string, data: unknown, options?: EmitOptions): Promise<void>;
  /** The process environment (read-only view); prefer declared `settings`. */
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

/** What `init` gets: the process-level part of the context (no run, no input). */
export interface InitContext<Settings = Readonly<Record<string, unknown>>> {
  readonly bot: string;
  readonly log: Logger;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly settings: Settings;
  readonly k8s: K8sReader;
  now(): Date;
}

export interface BotDefinition<S extends TSchema = TSchema, P extends SettingsSpec = SettingsSpec> {
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
  /**
   * The environment variables the bot reads, as data (type, default, bounds, meaning): checked at
   * start by the runtime, `npm start` and the CLI; `ctx.settings` holds the values; the README's
   * environment table is generated from them.
   */
  settings?: P;
  /** CloudEvent types this bot emits besides the fleet's report event. */
  emits?: string[];
  /**
   * The input fields that narrow or tune a run (a namespace, a subset of checks, a threshold): a
   * run given any of them is `scoped` and does not replace the fleet-wide view. Default: every field.
   */
  scopeOptions?: readonly string[];
  /** Once per process, before the first run (load a table, open a connection); a throw fails the start. */
  init?(ctx: InitContext<SettingValues<P>>): Promise<void>;
  /** Once, when the process drains (after the last run): close what init opened. */
  shutdown?(): Promise<void>;
  run(input: Static<S>, ctx: Context<SettingValues<P>>): Promise<RunResult>;
}

export type Bot<S extends TSchema = TSchema, P extends SettingsSpec = SettingsSpec> = Readonly<
  BotDefinition<S, P>
>;
