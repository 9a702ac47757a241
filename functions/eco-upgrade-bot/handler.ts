import * as Type from '../../shared/schema/index.ts';
import type { Static } from '../../shared/schema/index.ts';
import {
  DEPRECATIONS,
  defineBot,
  rbacAllows,
  reportErrorFrom,
  resources,
  runChecks,
  setting,
  type Context,
  type KubeObject,
  type RbacRule,
  type ReportError,
  type ResourceType,
  type RunResult,
  type SettingValues,
} from '../../shared/index.ts';
import { CATALOGUE, parseCatalogue, type Catalogue } from './catalogue.ts';
import {
  CHECKS,
  parseVersion,
  upgradePlan,
  type Component,
  type RemovedApiUse,
  type UpgradeSnap,
  type Version,
} from './checks.ts';

const NAME = 'eco-upgrade-bot';

const SETTINGS = {
  clusterName: setting.string({
    env: 'ECO_UPGRADE_CLUSTER_NAME',
    default: 'cluster',
    meaning: 'the name the cluster-wide findings carry (object kind Cluster)',
  }),
  eolWarningDays: setting.number({
    env: 'ECO_UPGRADE_EOL_WARNING_DAYS',
    default: 90,
    min: 0,
    max: 730,
    integer: true,
    meaning: 'a release line whose support ends within this many days is reported (warning; ended: critical)',
  }),
  catalogueUrl: setting.url({
    env: 'ECO_UPGRADE_CATALOGUE_URL',
    meaning:
      'optional: a JSON version catalogue ({ asOf, kubernetes: [{minor, eol}], components: [...] }) replacing the shipped one; on failure the shipped one is used and the report names the error',
  }),
};
type Settings = SettingValues<typeof SETTINGS>;

const Input = Type.Object(
  {
    checks: Type.Optional(
      Type.Array(Type.Union(CHECKS.map((c) => Type.Literal(c.id))), { uniqueItems: true }),
    ),
  },
  { additionalProperties: false },
);
type InputT = Static<typeof Input>;

/** Workload kinds whose images name a platform component. */
const WORKLOADS = [resources.deployments, resources.daemonsets, resources.statefulsets];

/**
 * Kinds on API versions the deprecation guide removes, listable through their old version while the
 * cluster still serves it. Only these are read: the declaration bounds what the bot sees.
 */
const REMOVABLE_RBAC: RbacRule[] = [
  {
    apiGroups: ['flowcontrol.apiserver.k8s.io'],
    resources: ['flowschemas', 'prioritylevelconfigurations'],
    verbs: ['list'],
  },
  { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: ['list'] },
  { apiGroups: ['batch'], resources: ['cronjobs'], verbs: ['list'] },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: ['list'] },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses', 'ingressclasses'], verbs: ['list'] },
  {
    apiGroups: ['storage.k8s.io'],
    resources: ['csistoragecapacities', 'csidrivers', 'storageclasses'],
    verbs: ['list'],
  },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list'] },
];

const RBAC: RbacRule[] = [
  { apiGroups: [''], resources: ['nodes'], verbs: ['list'] },
  { apiGroups: ['apps'], resources: ['deployments', 'daemonsets', 'statefulsets'], verbs: ['list'] },
  ...REMOVABLE_RBAC,
];

function pluralOf(kind: string): string {
  const lower = kind.toLowerCase();
  if (lower.endsWith('y')) return `${lower.slice(0, -1)}ies`;
  if (lower.endsWith('s')) return `${lower}es`;
  return `${lower}s`;
}

/** The container images of a workload that a catalogue product recognises. */
export function componentsOf(workload: KubeObject, catalogue: Catalogue): Component[] {
  const containers =
    (workload['spec'] as { template?: { spec?: { containers?: { image?: string }[] } } } | undefined)
      ?.template?.spec?.containers ?? [];
  const out: Component[] = [];
  for (const { image } of containers) {
    if (!image) continue;
    const product = catalogue.components.find((p) => p.images.some((i) => image.includes(i)));
    if (!product) continue;
    const tag = /:([^:@/]+)(@sha256:[0-9a-f]+)?$/.exec(image)?.[1];
    const version =
      parseVersion(tag) ?? parseVersion(workload.metadata.labels?.['app.kubernetes.io/version']);
    if (version) out.push({ id: product.id, name: product.name, version, workload, image });
  }
  return out;
}

async function loadCatalogue(url: string | undefined, errors: ReportError[]): Promise<Catalogue> {
  if (!url) return CATALOGUE;
  try {
    const response = await fetch(url, {
      signal: AbortSignal.timeout(10_000),
      headers: { accept: 'application/json' },
    });
    if (!response.ok) {
      errors.push({
        code: `catalogue-http-${response.status}`,
        message: `GET ${url}: ${response.status}; the shipped catalogue was used`,
      });
      return CATALOGUE;
    }
    return parseCatalogue(await response.json());
  } catch (error) {
    errors.push({
      code: 'catalogue-unavailable',
      message: `${url}: ${(error as Error).message}; the shipped catalogue was used`,
    });
    return CATALOGUE;
  }
}

async function removedInNext(
  ctx: Context<Settings>,
  server: Version,
  errors: ReportError[],
): Promise<RemovedApiUse[]> {
  const next = `${server.major}.${server.minor + 1}`;
  const out: RemovedApiUse[] = [];
  for (const d of DEPRECATIONS.filter((x) => x.removed && x.removedIn === next)) {
    const [group, version] = d.apiVersion.includes('/') ? d.apiVersion.split('/') : ['', d.apiVersion];
    const type: ResourceType = {
      group: group ?? '',
      version: version ?? 'v1',
      plural: pluralOf(d.kind),
      kind: d.kind,
      namespaced: true,
    };
    if (!rbacAllows(RBAC, type, 'list')) continue;
    try {
      if (!(await ctx.k8s.serves(type.group, type.version, type.plural))) continue;
      const objects: string[] = [];
      for await (const o of ctx.k8s.list(type))
        objects.push(o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name);
      out.push({
        apiVersion: d.apiVersion,
        kind: d.kind,
        removedIn: d.removedIn,
        replacement: d.replacement,
        objects,
      });
    } catch (error) {
      errors.push(reportErrorFrom(error, `list ${d.kind} through ${d.apiVersion}`));
    }
  }
  return out;
}

export default defineBot({
  name: NAME,
  category: 'maintenance',
  tier: 'medium',
  summary:
    'Versions of the control plane, each kubelet and platform components (CoreDNS, metrics-server, Knative, OpenFaaS, Prometheus operator, cert-manager) against a shipped catalogue of supported minors and end-of-life dates (Popeye 405), the skew policy, objects on APIs the next minor removes, and an ordered upgrade plan (system-upgrade-controller order)',
  triggers: { cron: '17 6 * * *', http: true },
  rbac: RBAC,
  mutates: false,
  input: Input,
  settings: SETTINGS,

  async run(input: InputT, ctx: Context<Settings>): Promise<RunResult> {
    const errors: ReportError[] = [];
    const catalogue = await loadCatalogue(ctx.settings.catalogueUrl, errors);
    let server: Version | undefined;
    try {
      const info = await ctx.k8s.read<{ gitVersion?: string }>('/version');
      server = parseVersion(info.gitVersion);
    } catch (error) {
      errors.push(reportErrorFrom(error, 'GET /version'));
    }
    const nodes: KubeObject[] = [];
    try {
      for await (const n of ctx.k8s.list(resources.nodes)) nodes.push(n);
    } catch (error) {
      errors.push(reportErrorFrom(error, 'list nodes'));
    }
    const components: Component[] = [];
    for (const type of WORKLOADS) {
      try {
        for await (const w of ctx.k8s.list(type))
          components.push(...componentsOf({ apiVersion: 'apps/v1', kind: type.kind, ...w }, catalogue));
      } catch (error) {
        errors.push(reportErrorFrom(error, `list ${type.plural}`));
      }
    }
    const removedNext = server ? await removedInNext(ctx, server, errors) : [];
    const snap: UpgradeSnap = {
      cluster: ctx.settings.clusterName,
      nodes,
      components,
      removedNext,
      catalogue,
      ...(server ? { server } : {}),
    };
    const result = runChecks(
      ctx,
      CHECKS,
      snap,
      { eolWarningDays: ctx.settings.eolWarningDays },
      {
        ...(input.checks ? { only: input.checks } : {}),
      },
    );
    const plan = upgradePlan(snap);
    return {
      summary:
        `Kubernetes ${server?.text ?? 'unknown'}, ${nodes.length} kubelets, ${components.length} platform components: ` +
        `${result.findings.length} findings, upgrade plan of ${plan.length} steps`,
      findings: result.findings,
      errors: [...errors, ...result.errors],
      data: {
        controlPlane: server?.text ?? null,
        kubelets: Object.fromEntries(
          nodes.map((n) => [
            n.metadata.name,
            (n['status'] as { nodeInfo?: { kubeletVersion?: string } } | undefined)?.nodeInfo
              ?.kubeletVersion ?? null,
          ]),
        ),
        components: components.map((c) => ({
          id: c.id,
          version: c.version.text,
          workload: `${c.workload.metadata.namespace ?? ''}/${c.workload.metadata.name}`,
          image: c.image,
        })),
        catalogueAsOf: catalogue.asOf,
        removedInNextMinor: removedNext.filter((u) => u.objects.length > 0),
        plan,
      },
    };
  },
});
