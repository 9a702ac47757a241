import type { Severity } from '../../../shared/bot/types.ts';

/** One of the seed's five alerts. Annotations are functions of the labels so the unit tests can expect them. */
export interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  severity: Severity;
  summary: string;
  description: string;
}

/** 50 MB, decimal as registries and `docker images` print it; the CI image gate uses the same number. */
export const IMAGE_LIMIT_BYTES = 50_000_000;

const CONTAINER = 'container!="", container!="POD", image!=""';

/** The seed's five alerts; names agreed with eco-alert-bot's default routes (notes/alert-names.md). */
export const ALERT_RULES: readonly AlertRule[] = [
  {
    alert: 'HighCPUUsage',
    expr: [
      `sum by (namespace, pod, container) (rate(container_cpu_usage_seconds_total{${CONTAINER}}[5m]))`,
      '  / on (namespace, pod, container)',
      'sum by (namespace, pod, container) (kube_pod_container_resource_limits{resource="cpu"})',
      '  > 0.80',
    ].join('\n'),
    for: '5m',
    severity: 'warning',
    summary:
      '{{ $labels.namespace }}/{{ $labels.pod }} container {{ $labels.container }} uses more than 80% of its CPU limit',
    description:
      'CPU usage above 80% of the container limit for 5 minutes (routed to eco-scaler-bot and eco-optimize-bot).',
  },
  {
    alert: 'HighMemoryUsage',
    expr: [
      `sum by (namespace, pod, container) (container_memory_working_set_bytes{${CONTAINER}})`,
      '  / on (namespace, pod, container)',
      'sum by (namespace, pod, container) (kube_pod_container_resource_limits{resource="memory"})',
      '  > 0.90',
    ].join('\n'),
    for: '5m',
    severity: 'warning',
    summary:
      '{{ $labels.namespace }}/{{ $labels.pod }} container {{ $labels.container }} uses more than 90% of its memory limit',
    description:
      'Working set above 90% of the container memory limit for 5 minutes (routed to eco-resource-bot).',
  },
  {
    alert: 'PodRestartingTooOften',
    // max - min over the window counts restarts exactly; increase() would extrapolate 3 into 3.3.
    expr: [
      'max by (namespace, pod, container) (',
      '  max_over_time(kube_pod_container_status_restarts_total[10m])',
      '  - min_over_time(kube_pod_container_status_restarts_total[10m])',
      ') > 3',
    ].join('\n'),
    for: '0m',
    severity: 'warning',
    summary:
      '{{ $labels.namespace }}/{{ $labels.pod }} container {{ $labels.container }} restarted more than 3 times in 10 minutes',
    description:
      'More than 3 container restarts within 10 minutes (routed to eco-container-bot and eco-log-bot).',
  },
  {
    alert: 'ContainerImageTooLarge',
    // eco-image-bot scales to zero between scans: keep its last report for a day.
    expr: `max by (image) (last_over_time(eco_container_image_size_bytes[1d])) > ${IMAGE_LIMIT_BYTES}`,
    for: '0m',
    severity: 'warning',
    summary: 'image {{ $labels.image }} is larger than 50 MB',
    description:
      'A running image is over the fleet\u2019s 50 MB target, as last reported by eco-image-bot (routed to eco-image-bot).',
  },
  {
    alert: 'HighErrorRate',
    expr: [
      '(',
      '  sum by (function_name) (rate(gateway_function_invocation_total{code=~"5.."}[5m]))',
      '    / sum by (function_name) (rate(gateway_function_invocation_total[5m]))',
      ') > 0.05',
      'or',
      '(',
      '  sum by (bot) (rate(eco_bot_invocations_total{outcome=~"error|timeout"}[5m]))',
      '    / sum by (bot) (rate(eco_bot_invocations_total[5m]))',
      ') > 0.05',
    ].join('\n'),
    for: '5m',
    severity: 'critical',
    summary: '{{ $labels.function_name }}{{ $labels.bot }} answers more than 5% of invocations with an error',
    description:
      'Over 5% of invocations failed (5xx at the OpenFaaS gateway, or error/timeout outcomes in the bots\u2019 own counter) for 5 minutes (routed to eco-trace-bot).',
  },
];

export const RULE_GROUP = 'eco-bots-seed-alerts';

export function rulesDocument(): Record<string, unknown> {
  return {
    groups: [
      {
        name: RULE_GROUP,
        rules: ALERT_RULES.map((rule) => ({
          alert: rule.alert,
          expr: rule.expr,
          for: rule.for,
          labels: { severity: rule.severity },
          annotations: { summary: rule.summary, description: rule.description },
        })),
      },
    ],
  };
}

/** A rule's annotations as Prometheus renders them for the given labels (only `$labels.x` is used). */
export function renderAnnotations(rule: AlertRule, labels: Record<string, string>): Record<string, string> {
  const render = (text: string): string =>
    text.replace(/\{\{ \$labels\.([a-z_]+) \}\}/g, (_match, name: string) => labels[name] ?? '');
  return { summary: render(rule.summary), description: render(rule.description) };
}
