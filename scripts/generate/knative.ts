import type { Bot } from '../../shared/bot/types.ts';
import { withDocsCheckout } from './docs-checkout.ts';
import { dnsLabel, eventSlug } from './names.ts';
import { DEFAULT_DOMAIN, workloadAnnotations, workloadLabels } from './platform.ts';
import { TIERS } from './tiers.ts';
import { botLabels, DEPLOY, fleetLabels, LABELS } from './types.ts';
import type { Fleet, GeneratedFile, Manifest } from './types.ts';
import { yamlFile } from './yaml.ts';

export const KNATIVE_PATHS = {
  broker: 'deploy/knative/10-broker.yml',
  services: 'deploy/knative/20-services.yml',
  sinkBinding: 'deploy/knative/30-sinkbinding.yml',
  pingSources: 'deploy/knative/40-pingsources.yml',
  triggers: 'deploy/knative/50-triggers.yml',
} as const;

/** What eco-alert-bot emits for each alert it routes; one event per target bot. */
export const ALERT_EVENT_TYPES = [
  'org.bsw-arch.eco.alert.firing.v1',
  'org.bsw-arch.eco.alert.resolved.v1',
] as const;
/** CloudEvent extension naming the one bot an alert event is for (exact-match Trigger filter). */
export const ALERT_TARGET_EXTENSION = 'ecotarget';

function serviceRef(bot: Bot): Record<string, string> {
  return { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: bot.name };
}

export function knativeService(bot: Bot, domain: string = DEFAULT_DOMAIN): Manifest {
  const tier = TIERS[bot.tier];
  const labels = { ...botLabels(bot), ...workloadLabels(bot.name, bot.category, domain) };
  const platformAnnotations = workloadAnnotations(bot.tier);
  const env: { name: string; value: string }[] = [{ name: 'ECO_MODE', value: 'dry-run' }];
  if (tier.nodeOptions !== undefined) env.push({ name: 'NODE_OPTIONS', value: tier.nodeOptions });
  if (bot.name === DEPLOY.alertReceiver) {
    env.push({ name: 'ECO_AUTH_SECRET_NAME', value: DEPLOY.alertTokenSecret });
    env.push({ name: 'ECO_SECRETS_DIR', value: '/var/run/secrets/eco-bots' });
  }
  const volumeMounts: Record<string, unknown>[] = [{ name: 'tmp', mountPath: '/tmp' }];
  // emptyDir needs Knative's kubernetes.podspec-volumes-emptydir flag (enabled by default in current releases).
  const volumes: Record<string, unknown>[] = [{ name: 'tmp', emptyDir: {} }];
  if (bot.name === DEPLOY.alertReceiver) {
    volumeMounts.push({ name: 'secrets', mountPath: '/var/run/secrets/eco-bots', readOnly: true });
    // The kit reads <ECO_SECRETS_DIR>/<ECO_AUTH_SECRET_NAME>; the Secret's key is `token`.
    volumes.push({
      name: 'secrets',
      secret: {
        secretName: DEPLOY.alertTokenSecret,
        items: [{ key: 'token', path: DEPLOY.alertTokenSecret }],
      },
    });
  }
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: {
      name: bot.name,
      namespace: DEPLOY.namespace,
      // Reached through the Broker, PingSources and Alertmanager only: no public route.
      labels: { ...labels, 'networking.knative.dev/visibility': 'cluster-local' },
      annotations: { 'eco.bsw-arch.org/summary': bot.summary, ...platformAnnotations },
    },
    spec: {
      template: {
        metadata: {
          labels,
          annotations: {
            'autoscaling.knative.dev/min-scale': '0',
            'autoscaling.knative.dev/max-scale': String(tier.maxScale),
            'autoscaling.knative.dev/target': String(tier.concurrency),
            'prometheus.io/scrape': 'true',
            'prometheus.io/port': String(DEPLOY.port),
            'prometheus.io/path': '/metrics',
            ...platformAnnotations,
          },
        },
        spec: {
          serviceAccountName: bot.name,
          containerConcurrency: tier.concurrency,
          timeoutSeconds: 300,
          containers: [
            {
              name: 'bot',
              image: `${DEPLOY.registry}/${bot.name}:latest`,
              // No PORT env: Knative sets it (8080) and reserves the name.
              ports: [{ name: 'http1', containerPort: DEPLOY.port }],
              env,
              resources: { requests: { ...tier.requests }, limits: { ...tier.limits } },
              readinessProbe: { httpGet: { path: '/_/ready' } },
              livenessProbe: { httpGet: { path: '/_/health' } },
              securityContext: {
                runAsNonRoot: true,
                runAsUser: 65532,
                runAsGroup: 65532,
                readOnlyRootFilesystem: true,
                allowPrivilegeEscalation: false,
                capabilities: { drop: ['ALL'] },
                seccompProfile: { type: 'RuntimeDefault' },
              },
              volumeMounts,
            },
          ],
          volumes,
        },
      },
    },
  };
}

export function pingSource(bot: Bot): Manifest | undefined {
  if (bot.triggers.cron === undefined) return undefined;
  return {
    apiVersion: 'sources.knative.dev/v1',
    kind: 'PingSource',
    metadata: { name: dnsLabel(bot.name, 'cron'), namespace: DEPLOY.namespace, labels: botLabels(bot) },
    spec: {
      schedule: bot.triggers.cron,
      timezone: 'Etc/UTC',
      contentType: 'application/json',
      // Empty options: the bot runs with its defaults, as on a cron-connector tick.
      data: '{}',
      sink: { ref: serviceRef(bot) },
    },
  };
}

function trigger(bot: Bot, type: string, extraFilter: Record<string, string>): Manifest {
  return {
    apiVersion: 'eventing.knative.dev/v1',
    kind: 'Trigger',
    metadata: {
      name: dnsLabel(bot.name, eventSlug(type)),
      namespace: DEPLOY.namespace,
      labels: botLabels(bot),
    },
    spec: {
      broker: DEPLOY.broker,
      // Exact attribute filters work on every broker class (the `filters` dialects do not).
      filter: { attributes: { type, ...extraFilter } },
      subscriber: { ref: serviceRef(bot) },
      delivery: { retry: 3, backoffPolicy: 'exponential', backoffDelay: 'PT1S' },
    },
  };
}

/**
 * One Trigger per event type a bot consumes, and for every bot but the receiver one per alert event
 * type, filtered on the `ecotarget` extension eco-alert-bot sets to the routed bot's name. Alert
 * routing is eco-alert-bot's table, which users can change at run time (ECO_ALERT_ROUTES), so every
 * bot must be reachable, not only those whose declaration names alerts.
 */
export function triggers(bot: Bot): Manifest[] {
  const out: Manifest[] = [];
  for (const type of [...new Set(bot.triggers.events ?? [])].sort()) out.push(trigger(bot, type, {}));
  if (bot.name !== DEPLOY.alertReceiver) {
    for (const type of ALERT_EVENT_TYPES) {
      if (!(bot.triggers.events ?? []).includes(type))
        out.push(trigger(bot, type, { [ALERT_TARGET_EXTENSION]: bot.name }));
    }
  }
  return out;
}

export function broker(): Manifest {
  return {
    apiVersion: 'eventing.knative.dev/v1',
    kind: 'Broker',
    metadata: { name: DEPLOY.broker, namespace: DEPLOY.namespace, labels: fleetLabels('broker') },
    spec: { delivery: { retry: 3, backoffPolicy: 'exponential', backoffDelay: 'PT1S' } },
  };
}

/** Injects K_SINK (the Broker) into every bot's Service, selected by the fleet label. */
export function sinkBinding(): Manifest {
  return {
    apiVersion: 'sources.knative.dev/v1',
    kind: 'SinkBinding',
    metadata: { name: 'eco-bots-sink', namespace: DEPLOY.namespace, labels: fleetLabels('sink-binding') },
    spec: {
      subject: {
        apiVersion: 'serving.knative.dev/v1',
        kind: 'Service',
        selector: { matchLabels: { [LABELS.partOf]: DEPLOY.partOf, [LABELS.component]: 'bot' } },
      },
      sink: { ref: { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', name: DEPLOY.broker } },
    },
  };
}

export function knativeFiles(fleet: Fleet): GeneratedFile[] {
  const pings = fleet.bots.map(pingSource).filter((m): m is Manifest => m !== undefined);
  return [
    {
      path: KNATIVE_PATHS.broker,
      content: yamlFile(
        [broker()],
        ['The fleet\u2019s Broker: bots emit to it (K_SINK), Triggers deliver from it.'],
      ),
    },
    {
      path: KNATIVE_PATHS.services,
      content: yamlFile(
        fleet.bots.map((bot) => withDocsCheckout(knativeService(bot, fleet.domain), fleet.docsCheckout)),
        ['One Knative Service per bot, scale to zero.'],
      ),
    },
    {
      path: KNATIVE_PATHS.sinkBinding,
      content: yamlFile([sinkBinding()], ['Gives every bot K_SINK = the Broker.']),
    },
    { path: KNATIVE_PATHS.pingSources, content: yamlFile(pings, ['One PingSource per cron bot.']) },
    {
      path: KNATIVE_PATHS.triggers,
      content: yamlFile(fleet.bots.flatMap(triggers), [
        'A Trigger per consumed event type; alert events are filtered on the ecotarget extension.',
      ]),
    },
  ];
}
