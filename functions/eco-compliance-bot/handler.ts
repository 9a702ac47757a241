// eco-compliance-bot: the seed's requirements as numbered controls with a score: the FAGAM
// prohibition (AWS/Google Cloud/Azure registries, cloud annotations and storage, Terraform and Vault
// where OpenTofu and OpenBao are required), images under 50 MB, tier requests/limits, non-root and
// Wolfi bases. Each result can also be written as a wgpolicyk8s.io PolicyReport through the rails.
import * as Type from '../../shared/schema/index.ts';
import type { Static } from '../../shared/schema/index.ts';
import {
  SAFETY_RAILS_RBAC,
  apiMissingFinding,
  apiVersionOf,
  defineBot,
  finding,
  reportErrorFrom,
  resources,
  setting,
  takeSnapshot,
} from '../../shared/index.ts';
import type {
  Context,
  Finding,
  KubeObject,
  RbacRule,
  ReportError,
  ResourceType,
  RunResult,
  SettingValues,
} from '../../shared/index.ts';
import { assessCompliance } from './assess.ts';
import type { Judged } from './assess.ts';
import { CONTROLS, DEFAULT_WOLFI_SOURCES, complianceScore } from './controls.ts';
import type { ControlKey, ControlTally } from './controls.ts';
import { buildPolicyReports } from './policy-report.ts';
import { imageSizes, workloadsOf } from './workloads.ts';

const NAME = 'eco-compliance-bot';

export const POLICY_REPORTS: ResourceType = {
  group: 'wgpolicyk8s.io',
  version: 'v1alpha2',
  plural: 'policyreports',
  kind: 'PolicyReport',
  namespaced: true,
};
export const CLUSTER_POLICY_REPORTS: ResourceType = {
  group: 'wgpolicyk8s.io',
  version: 'v1alpha2',
  plural: 'clusterpolicyreports',
  kind: 'ClusterPolicyReport',
  namespaced: false,
};

const KINDS = {
  nodes: resources.nodes,
  namespaces: resources.namespaces,
  pods: resources.pods,
  deployments: resources.deployments,
  statefulsets: resources.statefulsets,
  daemonsets: resources.daemonsets,
  replicasets: resources.replicasets,
  jobs: resources.jobs,
  cronjobs: resources.cronjobs,
  services: resources.services,
  ingresses: resources.ingresses,
  storageclasses: resources.storageclasses,
  persistentvolumeclaims: resources.persistentvolumeclaims,
} as const;

const RBAC: RbacRule[] = [
  {
    apiGroups: [''],
    resources: ['nodes', 'namespaces', 'pods', 'services', 'persistentvolumeclaims'],
    verbs: ['list'],
  },
  {
    apiGroups: ['apps'],
    resources: ['deployments', 'statefulsets', 'daemonsets', 'replicasets'],
    verbs: ['list'],
  },
  { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: ['list'] },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: ['list'] },
  { apiGroups: ['storage.k8s.io'], resources: ['storageclasses'], verbs: ['list'] },
  {
    apiGroups: ['wgpolicyk8s.io'],
    resources: ['policyreports', 'clusterpolicyreports'],
    verbs: ['get', 'create', 'update'],
  },
  ...SAFETY_RAILS_RBAC,
];

const SETTINGS = {
  imageBudgetMb: setting.number({
    env: 'ECO_COMPLIANCE_IMAGE_BUDGET_MB',
    default: 50,
    min: 1,
    max: 10_000,
    meaning: 'image size budget in MB (the seed: under 50 MB per container)',
  }),
  wolfiSources: setting.list({
    env: 'ECO_COMPLIANCE_WOLFI_SOURCES',
    default: DEFAULT_WOLFI_SOURCES,
    meaning: 'registries or registry/path prefixes whose images are built on Wolfi (add your own registry)',
  }),
  policyReports: setting.boolean({
    env: 'ECO_COMPLIANCE_POLICY_REPORTS',
    default: false,
    meaning:
      'also write the results as wgpolicyk8s.io/v1alpha2 PolicyReports (through the rails; needs the CRDs)',
  }),
};

const CONTROL_CHECKS = Object.values(CONTROLS).map((c) => c.check);
const Input = Type.Object(
  {
    namespace: Type.Optional(Type.String({ pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$' })),
    controls: Type.Optional(
      Type.Array(Type.Union(CONTROL_CHECKS.map((id) => Type.Literal(id))), { uniqueItems: true }),
    ),
  },
  { additionalProperties: false },
);
type Input = Static<typeof Input>;

const typed = (objects: readonly KubeObject[], type: ResourceType): KubeObject[] =>
  objects.map((o) => ({ ...o, kind: type.kind, apiVersion: apiVersionOf(type) }));

function findingOf(j: Judged): Finding {
  return finding({
    bot: NAME,
    check: j.control.check,
    severity: j.control.severity,
    object: {
      apiVersion: j.resource.apiVersion,
      kind: j.resource.kind,
      ...(j.resource.namespace ? { namespace: j.resource.namespace } : {}),
      name: j.resource.name,
    },
    message: j.message,
    ...(j.properties?.['image'] ? { discriminator: j.properties['image'] } : {}),
    evidence: { control: j.control.id, rule: j.control.rule, ...(j.evidence ?? {}) },
    ...(j.fix ? { fix: j.fix } : {}),
  });
}

async function writeReports(
  ctx: Context<SettingValues<typeof SETTINGS>>,
  results: readonly Judged[],
  findings: Finding[],
  errors: ReportError[],
): Promise<void> {
  if (!(await ctx.k8s.serves(POLICY_REPORTS.group, POLICY_REPORTS.version, POLICY_REPORTS.plural))) {
    findings.push(apiMissingFinding(NAME, POLICY_REPORTS));
    return;
  }
  for (const report of buildPolicyReports(results, ctx.now())) {
    const type = report.kind === 'PolicyReport' ? POLICY_REPORTS : CLUSTER_POLICY_REPORTS;
    const object = report as unknown as KubeObject;
    try {
      const existing = await ctx.k8s.get(type, report.metadata.name, report.metadata.namespace);
      const reason = `compliance results: ${report.summary.fail} failed, ${report.summary.pass} passed`;
      if (existing)
        await ctx.safety.update(
          type,
          existing,
          { ...object, metadata: { ...existing.metadata, ...report.metadata } },
          reason,
        );
      else await ctx.safety.create(type, object, reason);
    } catch (error) {
      errors.push(
        reportErrorFrom(error, `PolicyReport ${report.metadata.namespace ?? ''}/${report.metadata.name}`),
      );
    }
  }
}

export default defineBot({
  name: NAME,
  category: 'security',
  tier: 'small',
  summary:
    "The seed's rules as controls with ids and a score: FAGAM (AWS/GCP/Azure registries, cloud annotations and storage, Terraform/Vault), images under 50 MB, tier requests/limits, non-root, Wolfi bases; optionally written as wgpolicyk8s.io PolicyReports",
  triggers: { http: true, cron: '23 */6 * * *' },
  rbac: RBAC,
  mutates: true,
  input: Input,
  settings: SETTINGS,

  async run(input: Input, ctx: Context<SettingValues<typeof SETTINGS>>): Promise<RunResult> {
    const snap = await takeSnapshot(ctx, KINDS, input.namespace ? { namespace: input.namespace } : {});
    const o = snap.objects;
    const workloads = workloadsOf([
      [resources.pods, o.pods],
      [resources.deployments, o.deployments],
      [resources.statefulsets, o.statefulsets],
      [resources.daemonsets, o.daemonsets],
      [resources.replicasets, o.replicasets],
      [resources.jobs, o.jobs],
      [resources.cronjobs, o.cronjobs],
    ]);
    const namespaces = input.namespace
      ? o.namespaces.filter((n) => n.metadata.name === input.namespace)
      : o.namespaces;
    let judged = assessCompliance(
      {
        workloads,
        annotated: [
          ...typed(o.services, resources.services),
          ...typed(o.ingresses, resources.ingresses),
          ...typed(namespaces, resources.namespaces),
        ],
        // Cluster-scoped StorageClasses belong to a cluster-wide run only.
        storageClasses: input.namespace ? [] : typed(o.storageclasses, resources.storageclasses),
        pvcs: typed(o.persistentvolumeclaims, resources.persistentvolumeclaims),
        imageSizes: imageSizes(o.nodes),
      },
      { wolfiSources: ctx.settings.wolfiSources, imageBudgetBytes: ctx.settings.imageBudgetMb * 1_000_000 },
    );
    if (input.controls) {
      const only = new Set<string>(input.controls);
      judged = judged.filter((j) => only.has(j.control.check));
    }

    const tallies: Partial<Record<ControlKey, ControlTally>> = {};
    for (const j of judged) {
      if (j.result !== 'pass' && j.result !== 'fail') continue;
      const t = (tallies[j.key] ??= { passed: 0, failed: 0 });
      if (j.result === 'pass') t.passed++;
      else t.failed++;
    }
    const score = complianceScore(tallies);
    const gauge = ctx.metrics.gauge(
      'eco_compliance_score',
      'compliance score over the seed controls (Polaris weighting)',
      [],
    );
    gauge.set(score);
    const perControl = ctx.metrics.gauge('eco_compliance_control_failures', 'objects failing each control', [
      'control',
    ]);
    perControl.reset();
    for (const [key, t] of Object.entries(tallies) as [ControlKey, ControlTally][])
      perControl.set({ control: CONTROLS[key].id }, t.failed);

    const findings = [...snap.findings, ...judged.filter((j) => j.result === 'fail').map(findingOf)];
    const errors = [...snap.errors];
    if (ctx.settings.policyReports) await writeReports(ctx, judged, findings, errors);

    const failed = judged.filter((j) => j.result === 'fail').length;
    return {
      summary: `compliance score ${score}: ${failed} failed and ${judged.filter((j) => j.result === 'pass').length} passed control results over ${workloads.length} workloads`,
      findings,
      errors,
      data: {
        score,
        controls: Object.fromEntries(
          (Object.keys(CONTROLS) as ControlKey[]).map((k) => [
            CONTROLS[k].id,
            { check: CONTROLS[k].check, ...(tallies[k] ?? { passed: 0, failed: 0 }) },
          ]),
        ),
      },
    };
  },
});
