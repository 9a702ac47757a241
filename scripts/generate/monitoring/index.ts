import { DEPLOY, fleetLabels } from '../types.ts';
import type { Fleet, GeneratedFile } from '../types.ts';
import { yamlFile } from '../yaml.ts';
import { ALERTMANAGER_TARGETS, alertmanagerDocument, compactTarget } from './alertmanager.ts';
import { groupName } from '../openfaas.ts';
import { dashboardDocument } from './dashboard.ts';
import { prometheusDocument, prometheusLocalDocument, scrapeConfigs } from './prometheus.ts';
import { ruleTestsDocument } from './rule-tests.ts';
import { rulesDocument } from './rules.ts';

export const MONITORING_PATHS = {
  rules: 'deploy/monitoring/rules.yml',
  ruleTests: 'deploy/monitoring/rules.test.yml',
  prometheusRule: 'deploy/monitoring/prometheusrule.yml',
  alertmanager: 'deploy/monitoring/alertmanager.yml',
  alertmanagerKnative: 'deploy/monitoring/alertmanager.knative.yml',
  alertmanagerCe: 'deploy/monitoring/alertmanager.ce.yml',
  prometheus: 'deploy/monitoring/prometheus.yml',
  prometheusLocal: 'deploy/monitoring/prometheus.local.yml',
  scrapeConfigs: 'deploy/monitoring/scrape-configs.yml',
  dashboard: 'deploy/monitoring/grafana/eco-bots-fleet.json',
} as const;

export function monitoringFiles(fleet: Fleet): GeneratedFile[] {
  const rules = rulesDocument();
  const receiverCategory =
    fleet.bots.find((bot) => bot.name === DEPLOY.alertReceiver)?.category ?? 'observability';
  const prometheusRule = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: 'eco-bots-seed-alerts',
      namespace: DEPLOY.monitoringNamespace,
      // kube-prometheus-stack selects rules by its release label unless ruleSelectorNilUsesHelmValues=false.
      labels: { ...fleetLabels('monitoring'), release: 'kube-prometheus-stack' },
    },
    spec: rules,
  };
  return [
    {
      path: MONITORING_PATHS.rules,
      content: yamlFile([rules], ['The seed\u2019s five alerts. Check: promtool check rules rules.yml']),
    },
    {
      path: MONITORING_PATHS.ruleTests,
      content: yamlFile(
        [ruleTestsDocument('rules.yml')],
        ['Unit tests of rules.yml: promtool test rules rules.test.yml'],
      ),
    },
    {
      path: MONITORING_PATHS.prometheusRule,
      content: yamlFile([prometheusRule], ['rules.yml for the Prometheus operator.']),
    },
    {
      path: MONITORING_PATHS.alertmanager,
      content: yamlFile(
        [alertmanagerDocument(ALERTMANAGER_TARGETS.openfaas)],
        [
          'Alertmanager -> eco-alert-bot on OpenFaaS (through the gateway). Check: amtool check-config alertmanager.yml',
          `The token file comes from the Secret ${DEPLOY.alertTokenSecret} (key "token"), the same one eco-alert-bot reads.`,
        ],
      ),
    },
    {
      path: MONITORING_PATHS.alertmanagerKnative,
      content: yamlFile(
        [alertmanagerDocument(ALERTMANAGER_TARGETS.knative)],
        ['Alertmanager -> eco-alert-bot on Knative (cluster-local Service).'],
      ),
    },
    {
      path: MONITORING_PATHS.alertmanagerCe,
      content: yamlFile(
        [alertmanagerDocument(compactTarget(groupName(receiverCategory)), false)],
        [
          'Alertmanager -> eco-alert-bot on the OpenFaaS CE compact profile (a path of its category\u2019s function).',
          'No bearer token: auth is per process there and would lock out the group\u2019s cron ticks.',
        ],
      ),
    },
    {
      path: MONITORING_PATHS.prometheus,
      content: yamlFile(
        [prometheusDocument('rules.yml')],
        ['In-cluster Prometheus config (kubernetes_sd: the bots\u2019 pods and the OpenFaaS gateway).'],
      ),
    },
    {
      path: MONITORING_PATHS.prometheusLocal,
      content: yamlFile(
        [prometheusLocalDocument('rules.yml')],
        [
          'Prometheus beside `npm start` (local gateway on 127.0.0.1:8080). Check: promtool check config prometheus.local.yml',
        ],
      ),
    },
    {
      path: MONITORING_PATHS.scrapeConfigs,
      content: yamlFile(
        [scrapeConfigs()],
        ['Scrape jobs only (kube-prometheus-stack additionalScrapeConfigs).'],
      ),
    },
    // JSON has no comments: deploy/GENERATED.yml lists this file as generated.
    { path: MONITORING_PATHS.dashboard, content: `${JSON.stringify(dashboardDocument(fleet), null, 2)}\n` },
  ];
}
