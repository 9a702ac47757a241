// eco-metrics-bot: scrape health and cardinality from the Prometheus API (PROMETHEUS_URL): targets
// down, bots of the fleet neither scraped nor pushed, series cardinality (TSDB status), rules that
// fail to evaluate. Read-only; the fleet's own metrics reach Prometheus through the kit's scrape
// annotations and its Pushgateway push (ECO_PUSHGATEWAY_URL).
import * as Type from '../../shared/schema/index.ts';
import type { Static } from '../../shared/schema/index.ts';
import {
  checkIds,
  collect,
  defineBot,
  reportErrorFrom,
  resources,
  runChecks,
  setting,
  settle,
  type Context,
  type Finding,
  type ReportError,
  type ResourceType,
  type RunResult,
  type SettingValues,
  unconfiguredFinding,
} from '../../shared/index.ts';
import { CHECKS, type MetricsSettings, type PromView } from './checks.ts';
import {
  PROMETHEUS_SETTINGS,
  prometheusClientFrom,
  prometheusReportError,
} from '../../shared/prometheus/index.ts';

const NAME = 'eco-metrics-bot';
const BOT_LABEL = 'bsw.bot-name';
const knativeServices: ResourceType = {
  group: 'serving.knative.dev',
  version: 'v1',
  plural: 'services',
  kind: 'Service',
  namespaced: true,
};

const SETTINGS = {
  ...PROMETHEUS_SETTINGS,
  targetDownPercent: setting.number({
    env: 'ECO_METRICS_TARGET_DOWN_PERCENT',
    default: 10,
    min: 0,
    max: 100,
    meaning:
      'percent of a job’s targets down above which they are reported (kubernetes-mixin TargetDown: 10)',
  }),
  seriesPerMetric: setting.number({
    env: 'ECO_METRICS_SERIES_PER_METRIC',
    default: 20_000,
    min: 1,
    integer: true,
    meaning: 'head-block series of one metric above which it is reported',
  }),
  valuesPerLabel: setting.number({
    env: 'ECO_METRICS_VALUES_PER_LABEL',
    default: 5_000,
    min: 1,
    integer: true,
    meaning: 'distinct values of one label name above which it is reported',
  }),
};
type Settings = SettingValues<typeof SETTINGS>;

const CHECK_IDS = checkIds([...CHECKS]);
const Input = Type.Object(
  {
    checks: Type.Optional(
      Type.Array(Type.Union(CHECK_IDS.map((id) => Type.Literal(id))), { uniqueItems: true }),
    ),
  },
  { additionalProperties: false },
);
type Input = Static<typeof Input>;

/** The fleet's bots deployed in the cluster: Deployments (OpenFaaS) and Knative Services labelled bsw.bot-name. */
async function fleetBots(ctx: Context<Settings>): Promise<{ bots?: string[]; errors: ReportError[] }> {
  const [deployments, services] = await Promise.all([
    settle(collect(ctx.k8s.list(resources.deployments, { labelSelector: BOT_LABEL }))),
    settle(collect(ctx.k8s.list(knativeServices, { labelSelector: BOT_LABEL }))),
  ]);
  const errors: ReportError[] = [];
  const bots = new Set<string>();
  for (const [read, what] of [
    [deployments, 'deployments'],
    [services, 'Knative services'],
  ] as const) {
    if (read.ok) {
      for (const o of read.value) {
        const name = o.metadata.labels?.[BOT_LABEL];
        if (name) bots.add(name);
      }
    } else if (!(what === 'Knative services' && (read.error as { status?: number }).status === 404)) {
      errors.push(reportErrorFrom(read.error, `list ${what} labelled ${BOT_LABEL}`));
    }
  }
  return errors.length > 0 && bots.size === 0 ? { errors } : { bots: [...bots].sort(), errors };
}

export default defineBot({
  name: NAME,
  category: 'observability',
  tier: 'medium',
  summary:
    'Scrape health from the Prometheus API (targets down, fleet bots neither scraped nor pushed), series cardinality (TSDB status), rules failing to evaluate',
  triggers: { http: true, cron: '*/15 * * * *', alerts: ['TargetDown', 'PrometheusRuleFailures'] },
  rbac: [
    { apiGroups: ['apps'], resources: ['deployments'], verbs: ['list'] },
    { apiGroups: ['serving.knative.dev'], resources: ['services'], verbs: ['list'] },
  ],
  mutates: false,
  input: Input,
  settings: SETTINGS,

  async run(input: Input, ctx: Context<Settings>): Promise<RunResult> {
    const s = ctx.settings;
    const api = prometheusClientFrom(s);
    if (api === undefined) {
      const unconfigured: Finding = unconfiguredFinding({
        bot: NAME,
        setting: 'PROMETHEUS_URL',
        message: 'PROMETHEUS_URL is not set: scrape health, cardinality and rules were not checked',
        fix: 'Set PROMETHEUS_URL to the Prometheus that scrapes the fleet (e.g. http://prometheus.monitoring.svc:9090)',
      });
      return { summary: 'Prometheus not configured', findings: [unconfigured], errors: [] };
    }
    const only = input.checks;
    const wants = (id: string): boolean => only === undefined || only.includes(id);
    const request = { signal: ctx.signal };
    const errors: ReportError[] = [];
    const read = async <T>(what: boolean, label: string, work: () => Promise<T>): Promise<T | undefined> => {
      if (!what) return undefined;
      try {
        return await work();
      } catch (error) {
        if (ctx.signal.aborted) throw error;
        errors.push(prometheusReportError(error, label));
        return undefined;
      }
    };
    const needTargets = wants('metrics.target-down') || wants('metrics.bot-not-scraped');
    const [targets, tsdb, rules, pushed, fleet] = await Promise.all([
      read(needTargets, 'targets', () => api.targets({ ...request, state: 'active' })),
      read(wants('metrics.high-cardinality'), 'TSDB status', () => api.tsdbStatus(request)),
      read(wants('metrics.rule-failing'), 'rules', () => api.rules(request)),
      read(wants('metrics.bot-not-scraped'), 'Pushgateway groups', () =>
        api.queryVector('push_time_seconds{job="eco-bots"}', request),
      ),
      wants('metrics.bot-not-scraped')
        ? fleetBots(ctx)
        : Promise.resolve<{ bots?: string[]; errors: ReportError[] }>({ errors: [] }),
    ]);
    errors.push(...fleet.errors);
    const view: PromView = {
      prometheus: api.url,
      ...(targets ? { targets: targets.activeTargets } : {}),
      ...(tsdb ? { tsdb } : {}),
      ...(rules ? { rules: rules.groups } : {}),
      ...(pushed ? { pushed: new Set(pushed.map((p) => p.metric['bot'] ?? '').filter(Boolean)) } : {}),
      ...(fleet.bots ? { fleet: fleet.bots } : {}),
    };
    const settings: MetricsSettings = {
      targetDownPercent: s.targetDownPercent,
      seriesPerMetric: s.seriesPerMetric,
      valuesPerLabel: s.valuesPerLabel,
    };
    const checked = runChecks(ctx, CHECKS, view, settings, only === undefined ? {} : { only });
    const down = (view.targets ?? []).filter((t) => t.health === 'down').length;
    const ruleCount = (view.rules ?? []).reduce((n, g) => n + g.rules.length, 0);
    return {
      summary: [
        view.targets ? `${view.targets.length} targets (${down} down)` : undefined,
        view.tsdb?.headStats?.numSeries !== undefined
          ? `${view.tsdb.headStats.numSeries} head series`
          : undefined,
        view.rules ? `${ruleCount} rules` : undefined,
        `${checked.findings.length} findings`,
      ]
        .filter((p) => p !== undefined)
        .join(', '),
      findings: checked.findings,
      errors: [...errors, ...checked.errors],
    };
  },
});
