import { DEPLOY } from '../types.ts';

/** Where kube-prometheus-stack mounts `alertmanagerSpec.secrets` entries. */
export const ALERT_TOKEN_FILE = `/etc/alertmanager/secrets/${DEPLOY.alertTokenSecret}/token`;

export const ALERTMANAGER_TARGETS = {
  openfaas: `${DEPLOY.gatewayUrl}/function/${DEPLOY.alertReceiver}.${DEPLOY.functionNamespace}`,
  knative: `http://${DEPLOY.alertReceiver}.${DEPLOY.namespace}.svc.cluster.local`,
} as const;

/** On the compact profile eco-alert-bot is a path of its category's function. */
export function compactTarget(group: string): string {
  return `${DEPLOY.gatewayUrl}/function/${group}.${DEPLOY.functionNamespace}/${DEPLOY.alertReceiver}`;
}

/**
 * Every alert goes to eco-alert-bot, resolved ones too, with the bearer token read from a file so it
 * never sits in the config. One route: eco-alert-bot owns the routing to the bots.
 */
export function alertmanagerDocument(url: string, auth = true): Record<string, unknown> {
  const webhook: Record<string, unknown> = { url, send_resolved: true, max_alerts: 50 };
  if (auth)
    webhook['http_config'] = { authorization: { type: 'Bearer', credentials_file: ALERT_TOKEN_FILE } };
  return {
    route: {
      receiver: DEPLOY.alertReceiver,
      group_by: ['alertname', 'namespace'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
    },
    receivers: [
      {
        name: DEPLOY.alertReceiver,
        webhook_configs: [webhook],
      },
    ],
  };
}
