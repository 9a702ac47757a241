import * as Type from '../../shared/schema/index.ts';
import type { Static } from '../../shared/schema/index.ts';
import {
  defineBot,
  labelSelector,
  reportErrorFrom,
  resources,
  runChecks,
  setting,
  takeSnapshot,
  type Context,
  type KubeObject,
  type ReportError,
  type ResourceType,
} from '../../shared/index.ts';
import { CHECKS, type CoreDnsView, type RegistryRecord } from './checks.ts';
import { declaredHosts, type DeclaredHost } from './declared.ts';
import { parseOwnership, registryNames } from './ownership.ts';
import { createDnsClient, GIVE_UP_AFTER, mapLimit, type Answer, type DnsClient } from './resolve.ts';

const httproutes: ResourceType = {
  group: 'gateway.networking.k8s.io',
  version: 'v1',
  plural: 'httproutes',
  kind: 'HTTPRoute',
  namespaced: true,
};
const gateways: ResourceType = { ...httproutes, plural: 'gateways', kind: 'Gateway' };
const KINDS = { ingresses: resources.ingresses, services: resources.services, httproutes, gateways };

const SERVER = /^(\[[0-9a-fA-F:]+\]|[0-9.]+|[0-9a-fA-F:]+)(:\d{1,5})?$/;
const CONCURRENCY = 16;

const SETTINGS = {
  servers: setting.list({
    env: 'ECO_DNS_SERVERS',
    default: [],
    pattern: SERVER,
    meaning: 'DNS servers to resolve through (ip, ip:port or [ipv6]:port); empty: the system resolvers',
  }),
  timeoutMs: setting.number({
    env: 'ECO_DNS_TIMEOUT_MS',
    default: 2000,
    min: 100,
    max: 10000,
    integer: true,
    meaning: 'timeout of one DNS query (one try)',
  }),
  ownerId: setting.string({
    env: 'ECO_DNS_OWNER_ID',
    default: 'default',
    meaning: "external-dns's --txt-owner-id: TXT-registry records with this owner are this cluster's",
  }),
  txtPrefix: setting.string({
    env: 'ECO_DNS_TXT_PREFIX',
    default: '',
    meaning: "external-dns's --txt-prefix (empty: the default registry names)",
  }),
  auditNames: setting.list({
    env: 'ECO_DNS_AUDIT_NAMES',
    default: [],
    pattern: /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/,
    meaning:
      'record names (e.g. from the zone inventory) whose external-dns ownership is checked besides the hostnames the cluster declares',
  }),
  clusterService: setting.string({
    env: 'ECO_DNS_CLUSTER_SERVICE',
    default: 'kube-system/kube-dns',
    pattern: /^[a-z0-9-]+\/[a-z0-9-]+$/,
    meaning: 'the cluster DNS Service (namespace/name); its selector finds the CoreDNS pods',
  }),
  clusterDomain: setting.string({
    env: 'ECO_DNS_CLUSTER_DOMAIN',
    default: 'cluster.local',
    meaning: 'the cluster domain for the kubernetes.default.svc lookup',
  }),
  clusterLookup: setting.boolean({
    env: 'ECO_DNS_CLUSTER_LOOKUP',
    default: true,
    meaning:
      'look up kubernetes.default.svc through the cluster DNS (turn off when the bot runs outside the cluster)',
  }),
  clusterResolver: setting.string({
    env: 'ECO_DNS_CLUSTER_RESOLVER',
    default: '',
    pattern: /^$|^(\[[0-9a-fA-F:]+\]|[0-9.]+)(:\d{1,5})?$/,
    meaning:
      'server for that lookup instead of the cluster DNS Service IP on port 53 (e.g. node-local-dns 169.254.20.10)',
  }),
};

const InputSchema = Type.Object(
  {
    /** Hostnames of this namespace only (no CoreDNS checks, no ownership audit). */
    namespace: Type.Optional(Type.String({ pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$' })),
    checks: Type.Optional(
      Type.Array(Type.Union(CHECKS.map((c) => Type.Literal(c.id))), { uniqueItems: true }),
    ),
  },
  { additionalProperties: false },
);

interface PodShape {
  metadata: { name: string };
  status?: { conditions?: { type: string; status: string }[] };
}

async function readCoreDns(
  ctx: Pick<Context, 'k8s'>,
  service: string,
  lookup: { enabled: boolean; resolver: string; domain: string; timeoutMs: number },
  errors: ReportError[],
): Promise<CoreDnsView> {
  const [namespace, name] = service.split('/') as [string, string];
  const view: CoreDnsView = { service, found: null, pods: null, lookup: null };
  let svc;
  try {
    svc = await ctx.k8s.get(resources.services, name, namespace);
  } catch (error) {
    errors.push(reportErrorFrom(error, `get service ${service}`));
    return view;
  }
  const spec = svc?.['spec'] as { clusterIP?: string; selector?: Record<string, string> } | undefined;
  view.found =
    svc === undefined
      ? undefined
      : {
          ...(spec?.clusterIP ? { clusterIP: spec.clusterIP } : {}),
          ...(spec?.selector ? { selector: spec.selector } : {}),
        };
  if (spec?.selector && Object.keys(spec.selector).length > 0) {
    try {
      const pods: { name: string; ready: boolean }[] = [];
      for await (const p of ctx.k8s.list<PodShape & KubeObject>(resources.pods, {
        namespace,
        labelSelector: labelSelector(spec.selector),
      })) {
        pods.push({
          name: p.metadata.name,
          ready:
            (p as PodShape).status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ===
            true,
        });
      }
      view.pods = pods;
    } catch (error) {
      errors.push(reportErrorFrom(error, `list pods of ${service}`));
    }
  }
  const server =
    lookup.resolver || (spec?.clusterIP && spec.clusterIP !== 'None' ? `${spec.clusterIP}:53` : '');
  // Through the Service IP only when a DNS pod is ready behind it (else the pods check already
  // says DNS is down, and the query would only time out); an explicit resolver is always asked.
  const backed = view.pods === null || view.pods.some((p) => p.ready);
  if (lookup.enabled && server && (lookup.resolver !== '' || backed)) {
    const target = `kubernetes.default.svc.${lookup.domain}`;
    let expected: string | undefined;
    try {
      const api = await ctx.k8s.get(resources.services, 'kubernetes', 'default');
      expected = (api?.['spec'] as { clusterIP?: string } | undefined)?.clusterIP;
    } catch (error) {
      errors.push(reportErrorFrom(error, 'get service default/kubernetes'));
    }
    const answer = await createDnsClient([server], lookup.timeoutMs).lookup(target);
    view.lookup = { name: target, server, answer, ...(expected ? { expected } : {}) };
  }
  return view;
}

async function auditRegistry(
  dns: DnsClient,
  names: readonly string[],
  prefix: string,
  errors: Map<string, number>,
): Promise<RegistryRecord[]> {
  const pairs = names.flatMap((name) => registryNames(name, prefix).map((txtName) => ({ name, txtName })));
  const answers = await mapLimit(pairs, CONCURRENCY, async (p) => ({
    ...p,
    answer: await dns.txt(p.txtName),
  }));
  const out: RegistryRecord[] = [];
  for (const a of answers) {
    if (a.answer.status === 'error') errors.set(a.answer.code, (errors.get(a.answer.code) ?? 0) + 1);
    if (a.answer.status !== 'ok') continue;
    for (const chunks of a.answer.records) {
      const ownership = parseOwnership(chunks);
      if (
        ownership &&
        !out.some(
          (r) =>
            r.name === a.name &&
            r.ownership.resource === ownership.resource &&
            r.ownership.owner === ownership.owner,
        )
      )
        out.push({ name: a.name, txtName: a.txtName, ownership });
    }
  }
  return out;
}

export default defineBot({
  name: 'eco-dns-bot',
  category: 'network',
  tier: 'small',
  summary:
    'Ingress/HTTPRoute hosts and external-dns hostname annotations resolve to the address in their status, records external-dns owns that nothing declares, CoreDNS health (pods, Service, a lookup of kubernetes.default.svc)',
  triggers: { http: true, cron: '*/30 * * * *' },
  rbac: [
    { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: ['list'] },
    { apiGroups: [''], resources: ['services'], verbs: ['list', 'get'] },
    { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
    { apiGroups: ['gateway.networking.k8s.io'], resources: ['httproutes', 'gateways'], verbs: ['list'] },
  ],
  mutates: false,
  input: InputSchema,
  settings: SETTINGS,
  async run(input: Static<typeof InputSchema>, ctx) {
    const s = ctx.settings;
    const scoped = input.namespace !== undefined;
    const snap = await takeSnapshot(ctx, KINDS, {
      ...(scoped ? { namespace: input.namespace } : {}),
      // The Gateway API is optional here: without it there are simply no routes to resolve.
      optional: ['httproutes', 'gateways'],
    });
    const hosts: DeclaredHost[] = declaredHosts(snap.objects);
    const dns = createDnsClient(s.servers, s.timeoutMs, ctx.signal);
    const dnsErrors = new Map<string, number>();
    const unique = [...new Set(hosts.map((h) => h.host))];
    const resolved = await mapLimit(unique, CONCURRENCY, async (h) => [h, await dns.lookup(h)] as const);
    const answers = new Map<string, Answer>(resolved);
    for (const [, a] of resolved)
      if (a.status === 'error') dnsErrors.set(a.code, (dnsErrors.get(a.code) ?? 0) + 1);

    const errors: ReportError[] = [...snap.errors];
    const registry = scoped
      ? []
      : await auditRegistry(dns, [...new Set([...unique, ...s.auditNames])], s.txtPrefix, dnsErrors);
    const existing = new Map<string, Set<string>>();
    for (const [kind, list] of [
      ['ingress', snap.objects.ingresses],
      ['service', snap.objects.services],
      ['httproute', snap.objects.httproutes],
    ] as const)
      for (const o of list)
        existing.set(`${kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`, new Set());
    for (const h of hosts) existing.get(h.resource)?.add(h.host);

    const coredns: CoreDnsView = scoped
      ? { service: s.clusterService, found: null, pods: null, lookup: null }
      : await readCoreDns(
          ctx,
          s.clusterService,
          {
            enabled: s.clusterLookup,
            resolver: s.clusterResolver,
            domain: s.clusterDomain,
            timeoutMs: s.timeoutMs,
          },
          errors,
        );
    for (const [code, count] of dnsErrors)
      errors.push({
        code: 'dns-unavailable',
        message:
          code === 'ESKIPPED'
            ? `${count} DNS queries not sent: the server failed ${GIVE_UP_AFTER} queries without answering one`
            : `${count} DNS queries through ${dns.servers.join(', ') || 'the system resolvers'} failed with ${code}`,
      });

    const view = { hosts, answers, registry, resources: existing, coredns, servers: dns.servers };
    const result = runChecks(
      ctx,
      CHECKS,
      view,
      { ownerId: s.ownerId },
      { ...(input.checks ? { only: input.checks } : {}) },
    );
    return {
      summary: `${unique.length} hostnames resolved through ${dns.servers.join(', ') || 'the system resolvers'}, ${registry.length} external-dns registry records read; ${result.findings.length} findings`,
      findings: [...snap.findings, ...result.findings],
      errors: [...errors, ...result.errors],
    };
  },
});
