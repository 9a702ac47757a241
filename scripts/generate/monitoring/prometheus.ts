import { DEPLOY } from '../types.ts';

/**
 * The Pushgateway's scrape job: bots push their series there at the end of each run
 * (ECO_PUSHGATEWAY_URL), so a function that scaled to zero between two scrapes still counts.
 * `honor_labels: true` keeps the pushed `job="eco-bots"` and `bot` labels instead of replacing them
 * with the Pushgateway's own target labels.
 */
export function pushgatewayScrapeConfig(target: string): Record<string, unknown> {
  return {
    job_name: 'eco-bots-pushgateway',
    honor_labels: true,
    static_configs: [{ targets: [target] }],
  };
}

/** Where the Pushgateway runs in the cluster (the monitoring namespace, its default port). */
export const PUSHGATEWAY_TARGET = `pushgateway.${DEPLOY.monitoringNamespace}.svc:9091`;

/**
 * Scrape jobs for the fleet. Bots are found as pods carrying `prometheus.io/scrape: "true"` (set by
 * the generated Knative revisions and stack.yml annotations) in the fleet's namespaces; the gateway's
 * own metrics feed the error-rate alert.
 */
export function scrapeConfigs(): Record<string, unknown>[] {
  return [
    {
      job_name: 'eco-bots',
      kubernetes_sd_configs: [
        { role: 'pod', namespaces: { names: [DEPLOY.namespace, DEPLOY.functionNamespace] } },
      ],
      relabel_configs: [
        {
          source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_scrape'],
          action: 'keep',
          regex: 'true',
        },
        {
          source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_path'],
          action: 'replace',
          target_label: '__metrics_path__',
          regex: '(.+)',
        },
        {
          source_labels: ['__address__', '__meta_kubernetes_pod_annotation_prometheus_io_port'],
          action: 'replace',
          regex: '([^:]+)(?::\\d+)?;(\\d+)',
          replacement: '$1:$2',
          target_label: '__address__',
        },
        { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
        { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
        {
          source_labels: [
            '__meta_kubernetes_pod_label_app_kubernetes_io_name',
            '__meta_kubernetes_pod_label_faas_function',
          ],
          separator: '',
          target_label: 'function',
        },
      ],
    },
    {
      job_name: 'openfaas-gateway',
      kubernetes_sd_configs: [{ role: 'pod', namespaces: { names: ['openfaas'] } }],
      relabel_configs: [
        { source_labels: ['__meta_kubernetes_pod_label_app'], action: 'keep', regex: 'gateway' },
        {
          source_labels: ['__address__'],
          action: 'replace',
          regex: '([^:]+)(?::\\d+)?',
          replacement: '$1:8082',
          target_label: '__address__',
        },
      ],
    },
    pushgatewayScrapeConfig(PUSHGATEWAY_TARGET),
  ];
}

/** A complete Prometheus config (standalone or local): the rules, Alertmanager and the scrape jobs. */
export function prometheusDocument(rulesFile: string): Record<string, unknown> {
  return {
    global: { scrape_interval: '30s', evaluation_interval: '30s' },
    rule_files: [rulesFile],
    alerting: {
      alertmanagers: [
        { static_configs: [{ targets: [`alertmanager.${DEPLOY.monitoringNamespace}.svc:9093`] }] },
      ],
    },
    scrape_configs: scrapeConfigs(),
  };
}

/**
 * Prometheus next to `npm start` on one machine: the local gateway serves every bot's metrics and
 * its own at 127.0.0.1:8080/metrics; Alertmanager on its default port.
 */
export function prometheusLocalDocument(rulesFile: string): Record<string, unknown> {
  return {
    global: { scrape_interval: '15s', evaluation_interval: '15s' },
    rule_files: [rulesFile],
    alerting: { alertmanagers: [{ static_configs: [{ targets: ['127.0.0.1:9093'] }] }] },
    scrape_configs: [
      {
        job_name: 'eco-bots-local',
        metrics_path: '/metrics',
        static_configs: [{ targets: ['127.0.0.1:8080'] }],
      },
      pushgatewayScrapeConfig('127.0.0.1:9091'),
    ],
  };
}
