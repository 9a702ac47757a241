// eco-metrics-bot's checks, pure functions of what Prometheus answered: scrape targets down
// (kubernetes-mixin TargetDown: more than 10 % of a job's targets down), bots of the fleet with
// neither a scrape target nor a Pushgateway group, series cardinality from /api/v1/status/tsdb, and
// rules failing to evaluate (prometheus-mixin PrometheusRuleFailures).
import { check } from '../../shared/index.ts';
import type { RuleGroup, Target, TsdbStatus } from '../../shared/prometheus/index.ts';

export interface PromView {
  prometheus: string;
  targets?: Target[];
  tsdb?: TsdbStatus;
  rules?: RuleGroup[];
  /** Bots with a group on the Pushgateway (push_time_seconds{bot}). */
  pushed?: ReadonlySet<string>;
  /** The fleet's bots deployed in the cluster (label bsw.bot-name). */
  fleet?: readonly string[];
}

export interface MetricsSettings {
  /** Percent of a job's targets down above which they are reported (TargetDown: 10). */
  targetDownPercent: number;
  seriesPerMetric: number;
  valuesPerLabel: number;
}

const settingRef = (kind: string, name: string): { apiVersion: string; kind: string; name: string } => ({
  apiVersion: 'eco.bsw-arch.org/v1',
  kind,
  name,
});

/** The object a target is about: its pod when the scrape config labelled it, else the target. */
function targetObject(t: Target): { apiVersion: string; kind: string; namespace?: string; name: string } {
  const ns = t.labels['namespace'];
  const pod = t.labels['pod'];
  if (ns && pod) return { apiVersion: 'v1', kind: 'Pod', namespace: ns, name: pod };
  return settingRef('ScrapeTarget', t.scrapeUrl);
}

export const targetDown = check<PromView, MetricsSettings>({
  id: 'metrics.target-down',
  severity: 'warning',
  title: 'scrape targets down, in jobs with more than 10 % of their targets down',
  anchor: 'kubernetes-mixin TargetDown (> 10 % of a job down)',
  *run(view, settings) {
    const byJob = new Map<string, Target[]>();
    for (const t of view.targets ?? []) {
      const job = t.labels['job'] ?? t.scrapePool ?? '';
      byJob.set(job, [...(byJob.get(job) ?? []), t]);
    }
    for (const [job, targets] of byJob) {
      const down = targets.filter((t) => t.health === 'down');
      const percent = Math.round((down.length / targets.length) * 1000) / 10;
      if (down.length === 0 || percent <= settings.targetDownPercent) continue;
      for (const t of down) {
        yield {
          object: targetObject(t),
          discriminator: t.scrapeUrl,
          severity: percent >= 100 ? 'critical' : 'warning',
          message: `Prometheus cannot scrape ${t.scrapeUrl} (job ${job}: ${down.length} of ${targets.length} targets down)${t.lastError ? `: ${t.lastError}` : ''}`,
          evidence: {
            job,
            scrapeUrl: t.scrapeUrl,
            lastError: t.lastError,
            lastScrape: t.lastScrape,
            downTargets: down.length,
            targets: targets.length,
            percentDown: percent,
            threshold: settings.targetDownPercent,
          },
          fix: `curl -s ${t.scrapeUrl} from the Prometheus pod; check the pod runs, the port and path annotations, and NetworkPolicies`,
        };
      }
    }
  },
});

export const botNotScraped = check<PromView, MetricsSettings>({
  id: 'metrics.bot-not-scraped',
  severity: 'warning',
  title: 'fleet bots with neither a scrape target nor a Pushgateway group',
  anchor: 'eco-bots fleet contract (every bot scraped or pushed)',
  *run(view) {
    if (view.fleet === undefined || view.targets === undefined) return;
    const scraped = new Set<string>();
    for (const t of view.targets) {
      for (const key of ['function', 'bot', 'bsw_bot_name', 'faas_function']) {
        const v = t.labels[key];
        if (v) scraped.add(v);
      }
    }
    for (const bot of view.fleet) {
      if (scraped.has(bot) || view.pushed?.has(bot)) continue;
      yield {
        object: settingRef('Bot', bot),
        message: `bot ${bot} is deployed but Prometheus neither scrapes it nor holds a Pushgateway group for it: its runs and errors are invisible`,
        evidence: { scrapeTargets: view.targets.length, pushgatewayGroups: view.pushed?.size ?? 0 },
        fix: 'Check the prometheus.io/scrape annotation of its pods, or set ECO_PUSHGATEWAY_URL so a function that scales to zero pushes at the end of each run',
      };
    }
  },
});

export const highCardinality = check<PromView, MetricsSettings>({
  id: 'metrics.high-cardinality',
  severity: 'warning',
  title: 'metrics with more series, or labels with more values, than the limits (TSDB status)',
  anchor: 'Prometheus /api/v1/status/tsdb (head cardinality)',
  *run(view, settings) {
    const tsdb = view.tsdb;
    if (tsdb === undefined) return;
    const total = tsdb.headStats?.numSeries;
    for (const m of tsdb.seriesCountByMetricName ?? []) {
      if (m.value <= settings.seriesPerMetric) continue;
      yield {
        object: settingRef('Metric', m.name),
        message: `metric ${m.name} has ${m.value} series in the head block (limit ${settings.seriesPerMetric})`,
        evidence: { series: m.value, limit: settings.seriesPerMetric, headSeries: total },
        fix: `Find the label that explodes (count by (label) (${m.name})) and drop it with metric_relabel_configs, or aggregate it in a recording rule`,
      };
    }
    for (const l of tsdb.labelValueCountByLabelName ?? []) {
      if (l.value <= settings.valuesPerLabel) continue;
      yield {
        object: settingRef('MetricLabel', l.name),
        message: `label ${l.name} takes ${l.value} distinct values in the head block (limit ${settings.valuesPerLabel})`,
        evidence: { values: l.value, limit: settings.valuesPerLabel, headSeries: total },
        fix: `An unbounded label (ids, paths, timestamps) belongs in logs or traces, not in ${l.name}: drop or bucket it`,
      };
    }
  },
});

export const ruleFailing = check<PromView, MetricsSettings>({
  id: 'metrics.rule-failing',
  severity: 'critical',
  title: 'recording and alerting rules failing to evaluate',
  anchor: 'prometheus-mixin PrometheusRuleFailures',
  *run(view) {
    for (const group of view.rules ?? []) {
      for (const rule of group.rules) {
        if (rule.health !== 'err') continue;
        yield {
          object: settingRef('PrometheusRule', `${group.name}/${rule.name}`),
          message: `${rule.type === 'alerting' ? 'alerting' : 'recording'} rule ${rule.name} (group ${group.name}) fails to evaluate: ${rule.lastError ?? 'unknown error'}`,
          evidence: {
            group: group.name,
            file: group.file,
            rule: rule.name,
            query: rule.query,
            lastError: rule.lastError,
            lastEvaluation: rule.lastEvaluation,
          },
          fix:
            rule.type === 'alerting'
              ? 'An alert that cannot evaluate never fires: fix the expression (promtool test rules) and reload'
              : 'Fix the expression (promtool test rules); series it should record are missing meanwhile',
        };
      }
    }
  },
});

export const CHECKS = [targetDown, botNotScraped, highCardinality, ruleFailing] as const;
