// eco-log-bot: the current and previous container logs of crashing or restarting pods, read through
// the API (tailLines, limitBytes, previous=true), their error lines extracted (JSON levels, text
// patterns, multi-line stack traces kept together), secrets masked, attached as evidence on a
// finding about the pod, and optionally pushed to Loki (LOKI_URL). Woken by a crash/restart alert
// routed by eco-alert-bot (the alert's namespace/pod/container labels), by HTTP input naming a pod,
// or by cron (`{}`: every container that restarted or is crash-looping, most restarts first).
import * as Type from '../../shared/schema/index.ts';
import type { Static } from '../../shared/schema/index.ts';
import {
  ALERT_EVENT_PREFIX,
  ValidationError,
  defineBot,
  finding,
  isK8sApiError,
  reportErrorFrom,
  resources,
  setting,
  type Context,
  type Finding,
  type KubeObject,
  type ReportError,
  type RunResult,
  type SettingValues,
  unconfiguredFinding,
} from '../../shared/index.ts';
import { extractErrors, type LogEntry } from './extract.ts';
import { pushToLoki, type LokiStream } from './loki.ts';
import { maskSecrets } from './mask.ts';

const NAME = 'eco-log-bot';
const CHECKS = ['log.previous-errors', 'log.errors'] as const;
const DNS_LABEL = '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$';
const DNS_SUBDOMAIN = '^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$';

const SETTINGS = {
  lokiUrl: setting.url({
    env: 'LOKI_URL',
    meaning: 'Loki base URL; when set, the extracted (masked) error lines are pushed to /loki/api/v1/push',
  }),
  lokiTenant: setting.string({
    env: 'ECO_LOG_LOKI_TENANT',
    meaning: 'X-Scope-OrgID sent with the push, for a multi-tenant Loki',
  }),
  lokiTimeout: setting.duration({
    env: 'ECO_LOG_LOKI_TIMEOUT',
    default: '5s',
    min: '100ms',
    max: '60s',
    meaning: 'timeout of one push attempt to Loki',
  }),
  tailLines: setting.number({
    env: 'ECO_LOG_TAIL_LINES',
    default: 500,
    min: 1,
    max: 100_000,
    integer: true,
    meaning: 'lines read from the end of each log (tailLines)',
  }),
  limitBytes: setting.number({
    env: 'ECO_LOG_LIMIT_BYTES',
    default: 262_144,
    min: 1024,
    max: 16_777_216,
    integer: true,
    meaning: 'bytes read at most from each log (limitBytes)',
  }),
  maxContainers: setting.number({
    env: 'ECO_LOG_MAX_CONTAINERS',
    default: 20,
    min: 1,
    max: 500,
    integer: true,
    meaning: 'containers whose logs one cron run reads (most restarts first)',
  }),
  maxEntries: setting.number({
    env: 'ECO_LOG_MAX_ENTRIES',
    default: 10,
    min: 1,
    max: 200,
    integer: true,
    meaning: 'error entries kept per log (the latest ones)',
  }),
};
type Settings = SettingValues<typeof SETTINGS>;

const Input = Type.Object(
  {
    namespace: Type.Optional(Type.String({ pattern: DNS_LABEL, description: 'the namespace to read' })),
    pod: Type.Optional(Type.String({ pattern: DNS_SUBDOMAIN, description: 'one pod (needs namespace)' })),
    container: Type.Optional(Type.String({ pattern: DNS_LABEL, description: 'one container of that pod' })),
    tailLines: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    checks: Type.Optional(Type.Array(Type.Union(CHECKS.map((c) => Type.Literal(c))), { uniqueItems: true })),
  },
  { additionalProperties: false },
);
type Input = Static<typeof Input>;

interface ContainerStatus {
  name: string;
  restartCount?: number;
  state?: { waiting?: { reason?: string }; terminated?: { exitCode?: number } };
  lastState?: { terminated?: { exitCode?: number; reason?: string; finishedAt?: string } };
}

/** One container whose logs the run reads. */
interface Target {
  pod: KubeObject;
  container: string;
  status?: ContainerStatus;
}

const statusesOf = (pod: KubeObject): ContainerStatus[] => {
  const status = pod['status'] as
    { containerStatuses?: ContainerStatus[]; initContainerStatuses?: ContainerStatus[] } | undefined;
  return [...(status?.initContainerStatuses ?? []), ...(status?.containerStatuses ?? [])];
};
const containersOf = (pod: KubeObject): string[] =>
  ((pod['spec'] as { containers?: { name: string }[] } | undefined)?.containers ?? []).map((c) => c.name);

/** A container worth reading on a sweep: it restarted, is crash-looping, or died with an error. */
function troubled(s: ContainerStatus): boolean {
  return (
    (s.restartCount ?? 0) > 0 ||
    s.state?.waiting?.reason === 'CrashLoopBackOff' ||
    (s.state?.terminated?.exitCode ?? 0) !== 0
  );
}

/** The pod an alert names: labels namespace/pod (kube-state-metrics) and optional container. */
function alertTarget(
  ctx: Context<Settings>,
): { namespace?: string; pod?: string; container?: string } | undefined {
  const event = ctx.event;
  if (event === undefined || !event.type.startsWith(ALERT_EVENT_PREFIX)) return undefined;
  const labels = (event.data as { labels?: Record<string, unknown> } | undefined)?.labels ?? {};
  const pick = (key: string, pattern: string): string | undefined => {
    const v = labels[key];
    return typeof v === 'string' && new RegExp(pattern).test(v) ? v : undefined;
  };
  const namespace = pick('namespace', DNS_LABEL);
  const pod = pick('pod', DNS_SUBDOMAIN);
  const container = pick('container', DNS_LABEL);
  return {
    ...(namespace === undefined ? {} : { namespace }),
    ...(pod === undefined || namespace === undefined ? {} : { pod }),
    ...(container === undefined ? {} : { container }),
  };
}

interface LogRead {
  text?: string;
  error?: ReportError;
}

async function readLog(
  ctx: Context<Settings>,
  target: Target,
  previous: boolean,
  tailLines: number,
): Promise<LogRead> {
  try {
    const text = await ctx.k8s.logs(target.pod.metadata.namespace ?? '', target.pod.metadata.name, {
      container: target.container,
      previous,
      tailLines,
      limitBytes: ctx.settings.limitBytes,
    });
    return { text };
  } catch (error) {
    // No previous instance (never restarted, or its log was rotated away): 400 from the kubelet.
    if (previous && isK8sApiError(error) && (error.status === 400 || error.status === 404)) return {};
    return {
      error: reportErrorFrom(
        error,
        `read the ${previous ? 'previous ' : ''}log of ${target.pod.metadata.namespace}/${target.pod.metadata.name} container ${target.container}`,
      ),
    };
  }
}

/** Runs `work` over `items` with at most `limit` at a time, results in order. */
async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

const masked = (e: LogEntry): LogEntry => ({ ...e, text: maskSecrets(e.text) });
const lastLines = (text: string, n: number): string[] =>
  text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(-n)
    .map(maskSecrets);

interface ContainerResult {
  findings: Finding[];
  errors: ReportError[];
  streams: LokiStream[];
}

async function inspect(
  ctx: Context<Settings>,
  target: Target,
  tailLines: number,
  only?: readonly string[],
): Promise<ContainerResult> {
  const wants = (id: string): boolean => only === undefined || only.includes(id);
  const { pod, container, status } = target;
  const namespace = pod.metadata.namespace ?? '';
  const podRef = { apiVersion: 'v1', kind: 'Pod', namespace, name: pod.metadata.name };
  const restarts = status?.restartCount ?? 0;
  const [previous, current] = await Promise.all([
    wants('log.previous-errors') && (restarts > 0 || status === undefined)
      ? readLog(ctx, target, true, tailLines)
      : Promise.resolve<LogRead>({}),
    wants('log.errors') ? readLog(ctx, target, false, tailLines) : Promise.resolve<LogRead>({}),
  ]);
  const result: ContainerResult = { findings: [], errors: [], streams: [] };
  const labels = { namespace, pod: pod.metadata.name, container, bot: NAME };
  for (const [source, read] of [
    ['previous', previous],
    ['current', current],
  ] as const) {
    if (read.error) result.errors.push(read.error);
    if (read.text === undefined) continue;
    const extracted = extractErrors(read.text, ctx.settings.maxEntries);
    if (extracted.entries.length === 0) continue;
    const entries = extracted.entries.map(masked);
    result.streams.push({
      labels: { ...labels, source },
      entries: entries.map((e) => ({ ...(e.time ? { time: e.time } : {}), text: e.text })),
    });
    const last = status?.lastState?.terminated;
    const worst = entries.some((e) =>
      ['fatal', 'panic', 'critical', 'emerg', 'emergency', 'alert'].includes(e.level),
    );
    const first = entries[entries.length - 1]?.text.split('\n')[0] ?? '';
    result.findings.push(
      finding({
        bot: NAME,
        check: source === 'previous' ? 'log.previous-errors' : 'log.errors',
        severity: source === 'previous' ? 'warning' : worst ? 'warning' : 'info',
        object: podRef,
        discriminator: container,
        message:
          source === 'previous'
            ? `the previous instance of container ${container} logged ${extracted.entries.length + extracted.dropped} errors before it stopped${last?.exitCode === undefined ? '' : ` (exit ${last.exitCode})`}; the last: ${first.slice(0, 200)}`
            : `container ${container} is logging errors (${extracted.entries.length + extracted.dropped} in the last ${extracted.lines} lines); the last: ${first.slice(0, 200)}`,
        evidence: {
          container,
          source,
          restartCount: restarts,
          ...(source === 'previous' && last
            ? {
                lastTermination: {
                  exitCode: last.exitCode,
                  reason: last.reason,
                  finishedAt: last.finishedAt,
                },
              }
            : {}),
          errorEntries: extracted.entries.length + extracted.dropped,
          linesRead: extracted.lines,
          entries: entries.map((e) => ({
            line: e.line,
            level: e.level,
            ...(e.time ? { time: e.time } : {}),
            text: e.text,
          })),
          lastLines: lastLines(read.text, 5),
        },
        fix: `kubectl logs ${source === 'previous' ? '--previous ' : ''}-n ${namespace} ${pod.metadata.name} -c ${container}`,
      }),
    );
  }
  return result;
}

/** The containers to read: a named pod (and container), or every troubled container, worst first. */
async function targets(
  ctx: Context<Settings>,
  scope: { namespace?: string; pod?: string; container?: string },
): Promise<{ targets: Target[]; errors: ReportError[]; findings: Finding[]; considered: number }> {
  if (scope.pod !== undefined && scope.namespace !== undefined) {
    let pod: KubeObject | undefined;
    try {
      pod = await ctx.k8s.get(resources.pods, scope.pod, scope.namespace);
    } catch (error) {
      return {
        targets: [],
        errors: [reportErrorFrom(error, `get pod ${scope.namespace}/${scope.pod}`)],
        findings: [],
        considered: 0,
      };
    }
    if (pod === undefined) {
      return {
        targets: [],
        errors: [],
        findings: [
          finding({
            bot: NAME,
            check: 'log.pod-missing',
            severity: 'info',
            object: { apiVersion: 'v1', kind: 'Pod', namespace: scope.namespace, name: scope.pod },
            message: `pod ${scope.namespace}/${scope.pod} no longer exists, so its logs cannot be read`,
            fix: 'Read the logs of its replacement, or from the log store (Loki) where they were shipped',
          }),
        ],
        considered: 0,
      };
    }
    const names = containersOf(pod);
    const statuses = statusesOf(pod);
    const chosen = scope.container === undefined ? names : names.filter((n) => n === scope.container);
    if (scope.container !== undefined && chosen.length === 0)
      throw new ValidationError(
        `container: pod ${scope.namespace}/${scope.pod} has no container "${scope.container}" (it has: ${names.join(', ')})`,
        {
          issues: [{ path: '/container', message: `one of: ${names.join(', ')}` }],
        },
      );
    return {
      targets: chosen.map((container) => {
        const status = statuses.find((s) => s.name === container);
        return { pod, container, ...(status ? { status } : {}) };
      }),
      errors: [],
      findings: [],
      considered: 1,
    };
  }
  const found: Target[] = [];
  let considered = 0;
  try {
    for await (const pod of ctx.k8s.list(
      resources.pods,
      scope.namespace === undefined ? {} : { namespace: scope.namespace },
    )) {
      considered++;
      for (const status of statusesOf(pod)) {
        if (troubled(status)) found.push({ pod, container: status.name, status });
      }
    }
  } catch (error) {
    return { targets: [], errors: [reportErrorFrom(error, 'list pods')], findings: [], considered };
  }
  found.sort((a, b) => (b.status?.restartCount ?? 0) - (a.status?.restartCount ?? 0));
  return { targets: found.slice(0, ctx.settings.maxContainers), errors: [], findings: [], considered };
}

export default defineBot({
  name: NAME,
  category: 'observability',
  tier: 'medium',
  summary:
    'On a crash or restart alert (or for a named pod, or every restarting container on cron): current and previous container logs via the API, error lines extracted (JSON levels, stack traces kept whole), secrets masked, attached as evidence; optional push to Loki (LOKI_URL)',
  triggers: {
    http: true,
    cron: '*/15 * * * *',
    alerts: ['KubePodCrashLooping', 'PodRestartingTooOften'],
  },
  rbac: [
    { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
    { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
  ],
  mutates: false,
  input: Input,
  settings: SETTINGS,
  scopeOptions: ['namespace', 'pod', 'container', 'checks'],

  async run(input: Input, ctx: Context<Settings>): Promise<RunResult> {
    if (input.pod !== undefined && input.namespace === undefined)
      throw new ValidationError('namespace: required when pod is given', {
        issues: [{ path: '/namespace', message: 'required when pod is given' }],
      });
    const fromAlert = input.pod === undefined && input.namespace === undefined ? alertTarget(ctx) : undefined;
    const scope = fromAlert ?? input;
    const tailLines = input.tailLines ?? ctx.settings.tailLines;
    const picked = await targets(ctx, scope);
    const results = await mapLimited(picked.targets, 4, (t) => inspect(ctx, t, tailLines, input.checks));
    const findings = [...picked.findings, ...results.flatMap((r) => r.findings)];
    const errors = [...picked.errors, ...results.flatMap((r) => r.errors)];
    const streams = results.flatMap((r) => r.streams);

    let pushed = 0;
    if (ctx.settings.lokiUrl === undefined) {
      findings.push(
        unconfiguredFinding({
          bot: NAME,
          setting: 'LOKI_URL',
          message: 'LOKI_URL is not set: error lines are attached to findings but not pushed to Loki',
          fix: 'Set LOKI_URL to the Loki gateway (e.g. http://loki-gateway.monitoring.svc) to keep the lines after the pod is gone',
        }),
      );
    } else if (streams.length > 0) {
      const error = await pushToLoki(streams, {
        url: ctx.settings.lokiUrl,
        ...(ctx.settings.lokiTenant === undefined ? {} : { tenant: ctx.settings.lokiTenant }),
        now: ctx.now(),
        signal: ctx.signal,
        timeoutMs: ctx.settings.lokiTimeout,
      });
      if (error) errors.push(error);
      else pushed = streams.reduce((n, s) => n + s.entries.length, 0);
    }
    const where =
      scope.pod !== undefined ? `pod ${scope.namespace}/${scope.pod}` : `${picked.considered} pods`;
    return {
      summary: `${picked.targets.length} containers read (${where}${fromAlert ? ', from the alert' : ''}), ${findings.filter((f) => f.check.startsWith('log.')).length} with errors${ctx.settings.lokiUrl !== undefined ? `, ${pushed} entries pushed to Loki` : ''}`,
      findings,
      errors,
      data: {
        containers: picked.targets.map(
          (t) => `${t.pod.metadata.namespace}/${t.pod.metadata.name}/${t.container}`,
        ),
        lokiEntries: pushed,
      },
    };
  },
});
