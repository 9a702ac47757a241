// eco-dashboard-bot: keeps the fleet's Grafana dashboard and one per namespace, either as
// ConfigMaps labelled grafana_dashboard: "1" for the Grafana sidecar (through the rails: dry-run by
// default, exclusions, cap, audit Events) or through Grafana's HTTP API (GRAFANA_URL, a
// service-account token from a file) in a fixed folder with stable uids. Only what differs is
// written; the previous content is kept in the action's `before` to undo.
import { readFile } from 'node:fs/promises';
import * as Type from '../../shared/schema/index.ts';
import type { Static } from '../../shared/schema/index.ts';
import {
  SAFETY_RAILS_RBAC,
  collect,
  defineBot,
  finding,
  reportErrorFrom,
  resources,
  setting,
  type Context,
  type Finding,
  type KubeObject,
  type ReportError,
  type RunResult,
  type SettingValues,
  unconfiguredFinding,
} from '../../shared/index.ts';
import { fleet, namespaceDashboard, sameJson, type Dashboard } from './dashboards.ts';
import { GrafanaError, createGrafana } from './grafana.ts';

const NAME = 'eco-dashboard-bot';
const MANAGED_BY = 'app.kubernetes.io/managed-by';
const SIDECAR_LABEL = 'grafana_dashboard';
/** The Grafana sidecar's default folder annotation (kiwigrid k8s-sidecar `folderAnnotation`). */
const FOLDER_ANNOTATION = 'grafana_folder';

const SETTINGS = {
  target: setting.enum({
    env: 'ECO_DASHBOARD_TARGET',
    values: ['configmap', 'grafana'] as const,
    default: 'configmap',
    meaning: 'configmap: sidecar ConfigMaps labelled grafana_dashboard: "1"; grafana: Grafana’s HTTP API',
  }),
  namespace: setting.string({
    env: 'ECO_DASHBOARD_NAMESPACE',
    default: 'monitoring',
    pattern: /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
    meaning: 'namespace of the dashboard ConfigMaps (where the Grafana sidecar looks)',
  }),
  folder: setting.string({
    env: 'ECO_DASHBOARD_FOLDER',
    default: 'eco-bots',
    pattern: /^[a-zA-Z0-9-_]{1,40}$/,
    meaning: 'Grafana folder uid (and title) of the dashboards',
  }),
  grafanaUrl: setting.url({ env: 'GRAFANA_URL', meaning: 'Grafana base URL (ECO_DASHBOARD_TARGET=grafana)' }),
  grafanaTokenFile: setting.file({
    env: 'GRAFANA_TOKEN_FILE',
    meaning: 'file holding a Grafana service-account token (Editor on the folder)',
  }),
  timeout: setting.duration({
    env: 'ECO_DASHBOARD_TIMEOUT',
    default: '10s',
    min: '100ms',
    max: '60s',
    meaning: 'timeout of one Grafana API request',
  }),
};
type Settings = SettingValues<typeof SETTINGS>;

const Input = Type.Object(
  {
    namespace: Type.Optional(
      Type.String({
        pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$',
        description: 'that namespace’s dashboard only',
      }),
    ),
  },
  { additionalProperties: false },
);
type Input = Static<typeof Input>;

/** Namespaces that get a dashboard: every one but the system namespaces. */
const SYSTEM = /^(kube-|openshift-)/;

interface Outcome {
  findings: Finding[];
  errors: ReportError[];
  written: number;
}

function changeFinding(d: Dashboard, where: string, object: Finding['object'], missing: boolean): Finding {
  return finding({
    bot: NAME,
    check: missing ? 'dashboard.missing' : 'dashboard.outdated',
    severity: 'info',
    object,
    message: missing
      ? `dashboard "${d.title}" (uid ${d.uid}) is not in ${where} yet`
      : `dashboard "${d.title}" (uid ${d.uid}) in ${where} differs from the generated one`,
    evidence: { uid: d.uid, panels: (d.json['panels'] as unknown[] | undefined)?.length ?? 0 },
    fix: 'Run the bot with ECO_MODE=apply (the action list shows what it writes)',
  });
}

async function toConfigMaps(ctx: Context<Settings>, wanted: Dashboard[]): Promise<Outcome> {
  const ns = ctx.settings.namespace;
  const out: Outcome = { findings: [], errors: [], written: 0 };
  let existing: KubeObject[];
  try {
    existing = await collect(
      ctx.k8s.list(resources.configmaps, { namespace: ns, labelSelector: `${MANAGED_BY}=${NAME}` }),
    );
  } catch (error) {
    out.errors.push(reportErrorFrom(error, `list dashboard ConfigMaps in ${ns}`));
    return out;
  }
  for (const d of wanted) {
    const name = `eco-dashboard-${d.slug}`;
    const file = `${d.slug}.json`;
    const body = `${JSON.stringify(d.json, null, 2)}\n`;
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name };
    const current = existing.find((c) => c.metadata.name === name);
    const currentData = (current?.['data'] as Record<string, string> | undefined)?.[file];
    let same = false;
    try {
      same = currentData !== undefined && sameJson(JSON.parse(currentData), d.json);
    } catch {
      same = false;
    }
    if (same && current?.metadata.labels?.[SIDECAR_LABEL] === '1') continue;
    out.findings.push(changeFinding(d, `ConfigMap ${ns}/${name}`, ref, current === undefined));
    const desired: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name,
        namespace: ns,
        labels: { [SIDECAR_LABEL]: '1', [MANAGED_BY]: NAME, 'app.kubernetes.io/part-of': 'eco-bots' },
        annotations: { [FOLDER_ANNOTATION]: ctx.settings.folder },
      },
      data: { [file]: body },
    };
    if (current === undefined) {
      await ctx.safety.create(resources.configmaps, desired, `dashboard ${d.uid} for the Grafana sidecar`);
    } else {
      await ctx.safety.update(
        resources.configmaps,
        current,
        {
          ...current,
          metadata: {
            ...current.metadata,
            labels: { ...current.metadata.labels, ...desired.metadata.labels },
            annotations: { ...current.metadata.annotations, ...desired.metadata.annotations },
          },
          data: { ...(current['data'] as Record<string, string> | undefined), [file]: body },
        },
        `dashboard ${d.uid} regenerated from the declarations`,
      );
    }
    out.written++;
  }
  return out;
}

async function toGrafana(ctx: Context<Settings>, wanted: Dashboard[]): Promise<Outcome> {
  const s = ctx.settings;
  const out: Outcome = { findings: [], errors: [], written: 0 };
  if (s.grafanaUrl === undefined || s.grafanaTokenFile === undefined) {
    const missing = s.grafanaUrl === undefined ? 'GRAFANA_URL' : 'GRAFANA_TOKEN_FILE';
    out.findings.push(
      unconfiguredFinding({
        bot: NAME,
        setting: missing,
        message: `ECO_DASHBOARD_TARGET=grafana but ${missing} is not set: no dashboard was pushed`,
        fix: 'Set GRAFANA_URL and GRAFANA_TOKEN_FILE (a service-account token), or use ECO_DASHBOARD_TARGET=configmap',
      }),
    );
    return out;
  }
  const token = (await readFile(s.grafanaTokenFile, 'utf8')).trim();
  const grafana = createGrafana(s.grafanaUrl, token, { timeoutMs: s.timeout, signal: ctx.signal });
  try {
    if (!(await grafana.folderExists(s.folder))) {
      await ctx.safety.external(
        'create',
        { apiVersion: 'grafana.com/v1', kind: 'Folder', name: s.folder },
        `folder ${s.folder} for the fleet's dashboards`,
        () => grafana.createFolder(s.folder, s.folder),
      );
    }
    for (const d of wanted) {
      const stored = await grafana.dashboard(d.uid);
      const comparable =
        stored && Object.fromEntries(Object.entries(stored).filter(([k]) => k !== 'id' && k !== 'version'));
      const desired = Object.fromEntries(
        Object.entries(d.json).filter(([k]) => k !== 'id' && k !== 'version'),
      );
      if (comparable && sameJson(comparable, desired)) continue;
      const ref = { apiVersion: 'grafana.com/v1', kind: 'Dashboard', name: d.uid };
      out.findings.push(changeFinding(d, `Grafana folder ${s.folder}`, ref, stored === undefined));
      await ctx.safety.external(
        stored === undefined ? 'create' : 'update',
        ref,
        `dashboard ${d.uid} ${stored === undefined ? 'created' : 'regenerated'} in folder ${s.folder}`,
        () => grafana.saveDashboard(d.json, s.folder, `eco-dashboard-bot run ${ctx.runId}`),
        stored === undefined ? {} : { before: { version: stored['version'] } },
      );
      out.written++;
    }
  } catch (error) {
    if (!(error instanceof GrafanaError)) throw error;
    out.errors.push(error.report);
  }
  return out;
}

export default defineBot({
  name: NAME,
  category: 'observability',
  tier: 'small',
  summary:
    'Grafana dashboards for the fleet and per namespace, generated from the declarations, kept as ConfigMaps with the sidecar label grafana_dashboard: "1" (through the rails) or through the Grafana HTTP API with a stable folder and uid',
  triggers: { http: true, cron: '0 * * * *' },
  rbac: [
    ...SAFETY_RAILS_RBAC,
    { apiGroups: [''], resources: ['namespaces'], verbs: ['list'] },
    { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'create', 'update'] },
  ],
  mutates: true,
  input: Input,
  settings: SETTINGS,

  async run(input: Input, ctx: Context<Settings>): Promise<RunResult> {
    const errors: ReportError[] = [];
    let namespaces: string[] = [];
    if (input.namespace !== undefined) namespaces = [input.namespace];
    else {
      try {
        namespaces = (await collect(ctx.k8s.list(resources.namespaces)))
          .map((n) => n.metadata.name)
          .filter((n) => !SYSTEM.test(n))
          .sort();
      } catch (error) {
        errors.push(reportErrorFrom(error, 'list namespaces'));
      }
    }
    const wanted = [
      ...(input.namespace === undefined ? [fleet()] : []),
      ...namespaces.map(namespaceDashboard),
    ];
    const outcome =
      ctx.settings.target === 'grafana' ? await toGrafana(ctx, wanted) : await toConfigMaps(ctx, wanted);
    return {
      summary: `${wanted.length} dashboards, ${outcome.written} to write (${ctx.settings.target}, ${ctx.mode})`,
      findings: outcome.findings,
      errors: [...errors, ...outcome.errors],
    };
  },
});
