import { describe, expect, it } from 'vitest';
import { defineBot } from '../../shared/bot/index.ts';
import { generateAll } from '../../scripts/generate/index.ts';
import { TIERS } from '../../scripts/generate/tiers.ts';
import { alertBot, cronBot, eventBot, FIXTURE_FLEET, fleetOf, receiverBot } from './fixture-bots.ts';
import { at, docsOf } from './helpers.ts';

const files = generateAll(FIXTURE_FLEET);
type Obj = Record<string, unknown>;
const byKind = (path: string, kind: string): Obj[] => docsOf(files, path).filter((d) => d['kind'] === kind);
const named = (objects: Obj[], name: string): Obj => {
  const found = objects.find((o) => at(o, 'metadata.name') === name);
  if (found === undefined) throw new Error(`no object ${name}`);
  return found;
};

describe('Knative Services', () => {
  const services = byKind('deploy/knative/20-services.yml', 'Service');

  it('one per bot, scale to zero, max scale and concurrency from the tier, autoscaling on the revision template', () => {
    expect(services.map((s) => at(s, 'metadata.name')).sort()).toEqual(
      FIXTURE_FLEET.bots.map((b) => b.name).sort(),
    );
    for (const bot of FIXTURE_FLEET.bots) {
      const service = named(services, bot.name);
      const annotations = at(service, 'spec.template.metadata.annotations') as Record<string, string>;
      expect(annotations['autoscaling.knative.dev/min-scale']).toBe('0');
      expect(annotations['autoscaling.knative.dev/max-scale']).toBe(String(TIERS[bot.tier].maxScale));
      expect(at(service, 'spec.template.spec.containerConcurrency')).toBe(TIERS[bot.tier].concurrency);
      expect(at(service, 'metadata.annotations') as Record<string, string>).not.toHaveProperty(
        'autoscaling.knative.dev/min-scale',
      );
      const container = at(service, 'spec.template.spec.containers.0') as Obj;
      expect(at(container, 'resources.requests')).toEqual(TIERS[bot.tier].requests);
      expect(at(container, 'resources.limits')).toEqual(TIERS[bot.tier].limits);
    }
  });

  it('never sets PORT, runs non-root 65532 read-only with /tmp writable, as the bot\u2019s ServiceAccount', () => {
    for (const service of services) {
      const spec = at(service, 'spec.template.spec') as Obj;
      const container = at(spec, 'containers.0') as Obj;
      const env = (container['env'] as { name: string; value: string }[]) ?? [];
      expect(env.map((e) => e.name)).not.toContain('PORT');
      expect(env).toContainEqual({ name: 'ECO_MODE', value: 'dry-run' });
      expect(container['securityContext']).toEqual({
        runAsNonRoot: true,
        runAsUser: 65532,
        runAsGroup: 65532,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(container['volumeMounts']).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
      expect(spec['volumes']).toContainEqual({ name: 'tmp', emptyDir: {} });
      expect(spec['serviceAccountName']).toBe(at(service, 'metadata.name'));
      expect(at(container, 'ports.0.containerPort')).toBe(8080);
    }
  });

  it('gives only the Alertmanager receiver its token secret', () => {
    const receiver = named(services, receiverBot.name);
    expect(at(receiver, 'spec.template.spec.volumes')).toContainEqual({
      name: 'secrets',
      secret: { secretName: 'eco-alert-bot-token', items: [{ key: 'token', path: 'eco-alert-bot-token' }] },
    });
    const env = at(receiver, 'spec.template.spec.containers.0.env') as { name: string; value: string }[];
    expect(env).toContainEqual({ name: 'ECO_AUTH_SECRET_NAME', value: 'eco-alert-bot-token' });
    expect(env).toContainEqual({ name: 'ECO_SECRETS_DIR', value: '/var/run/secrets/eco-bots' });
    expect(at(receiver, 'spec.template.spec.containers.0.volumeMounts')).toContainEqual({
      name: 'secrets',
      mountPath: '/var/run/secrets/eco-bots',
      readOnly: true,
    });
    const other = named(services, cronBot.name);
    expect(JSON.stringify(other)).not.toContain('eco-alert-bot-token');
  });
});

describe('Knative eventing', () => {
  it('a PingSource per cron bot, on its schedule, to its Service', () => {
    const pings = byKind('deploy/knative/40-pingsources.yml', 'PingSource');
    const cronBots = FIXTURE_FLEET.bots.filter((b) => b.triggers.cron !== undefined);
    expect(pings).toHaveLength(cronBots.length);
    for (const bot of cronBots) {
      const ping = named(pings, `${bot.name}-cron`);
      expect(at(ping, 'spec.schedule')).toBe(bot.triggers.cron);
      expect(at(ping, 'spec.sink.ref')).toEqual({
        apiVersion: 'serving.knative.dev/v1',
        kind: 'Service',
        name: bot.name,
      });
      expect(at(ping, 'spec.data')).toBe('{}');
    }
  });

  it('a Trigger per consumed event type, and per alert event type for every bot eco-alert-bot may route to', () => {
    const triggers = byKind('deploy/knative/50-triggers.yml', 'Trigger');
    const filters = (bot: string): Obj[] =>
      triggers
        .filter((t) => at(t, 'spec.subscriber.ref.name') === bot)
        .map((t) => at(t, 'spec.filter.attributes') as Obj);
    expect(filters(eventBot.name)).toEqual([
      { type: 'org.bsw-arch.eco.provision.request.v1' },
      { type: 'org.bsw-arch.eco.report.v1' },
      { type: 'org.bsw-arch.eco.alert.firing.v1', ecotarget: eventBot.name },
      { type: 'org.bsw-arch.eco.alert.resolved.v1', ecotarget: eventBot.name },
    ]);
    expect(filters(alertBot.name)).toEqual([
      { type: 'org.bsw-arch.eco.alert.firing.v1', ecotarget: alertBot.name },
      { type: 'org.bsw-arch.eco.alert.resolved.v1', ecotarget: alertBot.name },
    ]);
    expect(filters(cronBot.name)).toEqual([
      { type: 'org.bsw-arch.eco.alert.firing.v1', ecotarget: cronBot.name },
      { type: 'org.bsw-arch.eco.alert.resolved.v1', ecotarget: cronBot.name },
    ]);
    expect(filters(receiverBot.name)).toEqual([]);
    for (const trigger of triggers) expect(at(trigger, 'spec.broker')).toBe('default');
  });

  it('one Broker, and a SinkBinding whose selector matches every bot Service', () => {
    expect(byKind('deploy/knative/10-broker.yml', 'Broker')).toHaveLength(1);
    const binding = byKind('deploy/knative/30-sinkbinding.yml', 'SinkBinding')[0];
    expect(at(binding, 'spec.sink.ref')).toEqual({
      apiVersion: 'eventing.knative.dev/v1',
      kind: 'Broker',
      name: 'default',
    });
    const selector = at(binding, 'spec.subject.selector.matchLabels') as Record<string, string>;
    for (const service of byKind('deploy/knative/20-services.yml', 'Service')) {
      const labels = at(service, 'metadata.labels') as Record<string, string>;
      for (const [key, value] of Object.entries(selector)) expect(labels[key], key).toBe(value);
    }
  });
});

/** Every string in any `rules` list of RBAC objects. */
function ruleStrings(objects: Obj[]): string[] {
  return objects.flatMap((o) =>
    ((o['rules'] as Obj[] | undefined) ?? []).flatMap((rule) =>
      ['apiGroups', 'resources', 'verbs', 'resourceNames'].flatMap(
        (k) => (rule[k] as string[] | undefined) ?? [],
      ),
    ),
  );
}

describe('RBAC', () => {
  const rbac = docsOf(files, 'deploy/rbac/eco-bots.yml');

  it('per bot: a ServiceAccount, and a ClusterRole with exactly its declared rules bound to it', () => {
    for (const bot of FIXTURE_FLEET.bots) {
      const sa = named(
        rbac.filter((o) => o['kind'] === 'ServiceAccount'),
        bot.name,
      );
      expect(at(sa, 'metadata.namespace')).toBe('eco-bots');
      const roles = rbac.filter((o) => o['kind'] === 'ClusterRole' && at(o, 'metadata.name') === bot.name);
      if (bot.rbac.length === 0) {
        expect(roles).toEqual([]);
        expect(sa['automountServiceAccountToken']).toBe(false);
        continue;
      }
      expect(roles[0]?.['rules']).toEqual(bot.rbac);
      const binding = named(
        rbac.filter((o) => o['kind'] === 'ClusterRoleBinding'),
        bot.name,
      );
      expect(binding['subjects']).toEqual([
        { kind: 'ServiceAccount', name: bot.name, namespace: 'eco-bots' },
      ]);
      expect(at(binding, 'roleRef.name')).toBe(bot.name);
    }
  });

  it('the OpenFaaS copy binds the same roles to ServiceAccounts in openfaas-fn under distinct binding names', () => {
    const openfaas = docsOf(files, 'deploy/rbac/openfaas-fn.yml');
    const binding = named(
      openfaas.filter((o) => o['kind'] === 'ClusterRoleBinding'),
      `${cronBot.name}:openfaas-fn`,
    );
    expect(binding['subjects']).toEqual([
      { kind: 'ServiceAccount', name: cronBot.name, namespace: 'openfaas-fn' },
    ]);
    expect(at(binding, 'roleRef.name')).toBe(cronBot.name);
  });

  it('no wildcard anywhere: per-bot files, OpenFaaS files and the CE union', () => {
    for (const path of [
      'deploy/rbac/eco-bots.yml',
      'deploy/rbac/openfaas-fn.yml',
      'deploy/rbac/openfaas-ce.yml',
    ]) {
      const strings = ruleStrings(docsOf(files, path));
      expect(strings.length, path).toBeGreaterThan(0);
      expect(
        strings.filter((s) => s.includes('*')),
        path,
      ).toEqual([]);
    }
  });

  it('the wildcard check has teeth: a declaration with "*" is refused', () => {
    expect(() =>
      defineBot({
        ...cronBot,
        name: 'eco-greedy-bot',
        rbac: [{ apiGroups: ['*'], resources: ['pods'], verbs: ['get'] }],
      }),
    ).toThrow(/wildcard/);
    expect(ruleStrings([{ rules: [{ apiGroups: [''], resources: ['*'], verbs: ['get'] }] }])).toContain('*');
  });

  it('the CE union merges verbs per resource', () => {
    const ce = docsOf(files, 'deploy/rbac/openfaas-ce.yml');
    const role = ce.find((o) => o['kind'] === 'ClusterRole');
    expect(role?.['rules']).toContainEqual({
      apiGroups: ['batch'],
      resources: ['jobs'],
      verbs: ['delete', 'list'],
    });
    expect(
      at(
        ce.find((o) => o['kind'] === 'ClusterRoleBinding'),
        'subjects.0',
      ),
    ).toEqual({
      kind: 'ServiceAccount',
      name: 'default',
      namespace: 'openfaas-fn',
    });
  });
});

describe('namespace guard rails', () => {
  const ns = docsOf(files, 'deploy/namespace/eco-bots.yml');
  const policies = ns.filter((o) => o['kind'] === 'NetworkPolicy');

  it('the namespace opts in to SinkBinding injection and Pod Security admission', () => {
    const namespace = ns.find((o) => o['kind'] === 'Namespace');
    expect(at(namespace, 'metadata.labels')).toMatchObject({
      'bindings.knative.dev/include': 'true',
      'pod-security.kubernetes.io/enforce': 'baseline',
      'pod-security.kubernetes.io/warn': 'restricted',
    });
  });

  it('default deny for ingress and egress on every pod', () => {
    const deny = named(policies, 'default-deny-all');
    expect(at(deny, 'spec')).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  });

  it('ingress only from the gateway, Knative and monitoring namespaces; egress to DNS and the API server', () => {
    const ingress = named(policies, 'allow-ingress-from-gateways');
    const values = at(
      ingress,
      'spec.ingress.0.from.0.namespaceSelector.matchExpressions.0.values',
    ) as string[];
    expect(values).toEqual(expect.arrayContaining(['openfaas', 'knative-serving', 'knative-eventing']));
    expect(values).not.toContain('default');
    const dns = named(policies, 'allow-egress-dns');
    expect(at(dns, 'spec.egress.0.ports')).toEqual([
      { protocol: 'UDP', port: 53 },
      { protocol: 'TCP', port: 53 },
    ]);
    const api = named(policies, 'allow-egress-apiserver');
    expect(at(api, 'spec.egress.0.to.0.ipBlock.except')).toEqual(['169.254.169.254/32']);
  });

  it('the quota grows with the fleet and the limit range defaults to the small tier', () => {
    const quota = (fleet: typeof FIXTURE_FLEET): Record<string, string> =>
      at(
        docsOf(generateAll(fleet), 'deploy/namespace/eco-bots.yml').find(
          (o) => o['kind'] === 'ResourceQuota',
        ),
        'spec.hard',
      ) as Record<string, string>;
    const small = quota(fleetOf([cronBot, receiverBot]));
    const full = quota(FIXTURE_FLEET);
    expect(Number(full['pods'])).toBeGreaterThan(Number(small['pods']));
    expect(parseInt(full['requests.memory'] ?? '0', 10)).toBeGreaterThan(
      parseInt(small['requests.memory'] ?? '0', 10),
    );
    const limits = ns.find((o) => o['kind'] === 'LimitRange');
    expect(at(limits, 'spec.limits.0.defaultRequest')).toEqual(TIERS.small.requests);
  });
});
