// eco-secrets-bot: syncs OpenBao KV v2 secrets into Kubernetes Secrets as External Secrets Operator
// does (mappings in a labelled ConfigMap or on the Secret's annotations; Kubernetes auth or a token
// file), flags OpenBao secrets older than the rotation age, restarts workloads still running with a
// Secret that changed since their pods started (Reloader), and flags literal secrets in env values
// and ConfigMaps. Secret values never reach a report, a log line, an Event or a metric: findings are
// built from names only, and the rails redact Secret data in actions.
import * as Type from '../../shared/schema/index.ts';
import type { Static } from '../../shared/schema/index.ts';
import {
  SAFETY_RAILS_RBAC,
  defineBot,
  finding,
  resources,
  setting,
  takeSnapshot,
  unconfiguredFinding,
} from '../../shared/index.ts';
import type {
  Context,
  Finding,
  KubeObject,
  ObjectRef,
  RbacRule,
  ReportError,
  RunResult,
  SettingValues,
} from '../../shared/index.ts';
import { OpenBaoClient, OpenBaoError } from '../../shared/openbao/index.ts';
import type { OpenBaoConfig } from '../../shared/openbao/index.ts';
import { describeHit, scanConfigMap, scanEnv } from './literal-secrets.ts';
import type { LiteralSecretHit } from './literal-secrets.ts';
import { ANNOTATIONS, SYNC_LABEL, mappingFromSecret, mappingsFromConfigMap } from './mapping.ts';
import type { SyncMapping } from './mapping.ts';
import { isDue, planSync } from './sync.ts';
import type { ExistingSecret, SourceRead } from './sync.ts';
import { rotationOverdue, secretChangedAt, staleSecretUses } from './rollout.ts';
import { optedIn, podsOf, workloadsOf } from './workloads.ts';
import { MANAGED_BY_LABEL } from './sync.ts';

const NAME = 'eco-secrets-bot';

const KINDS = {
  configmaps: resources.configmaps,
  secrets: resources.secrets,
  pods: resources.pods,
  deployments: resources.deployments,
  statefulsets: resources.statefulsets,
  daemonsets: resources.daemonsets,
  replicasets: resources.replicasets,
  jobs: resources.jobs,
  cronjobs: resources.cronjobs,
} as const;

const RBAC: RbacRule[] = [
  { apiGroups: [''], resources: ['configmaps', 'pods'], verbs: ['list'] },
  { apiGroups: [''], resources: ['secrets'], verbs: ['list', 'get', 'create', 'update'] },
  {
    apiGroups: ['apps'],
    resources: ['deployments', 'statefulsets', 'daemonsets'],
    verbs: ['list', 'get', 'patch'],
  },
  { apiGroups: ['apps'], resources: ['replicasets'], verbs: ['list'] },
  { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: ['list'] },
  ...SAFETY_RAILS_RBAC,
];

const SETTINGS = {
  baoAddr: setting.url({
    env: 'BAO_ADDR',
    meaning: 'OpenBao base URL; unset: no sync (literal-secret and restart checks still run)',
  }),
  baoRole: setting.string({
    env: 'BAO_ROLE',
    meaning: 'Kubernetes auth role to log in with (else BAO_TOKEN_FILE)',
  }),
  baoTokenFile: setting.string({
    env: 'BAO_TOKEN_FILE',
    meaning: 'a file holding an OpenBao token, used when BAO_ROLE is unset',
  }),
  saTokenFile: setting.string({
    env: 'BAO_SA_TOKEN_FILE',
    default: '/var/run/secrets/kubernetes.io/serviceaccount/token',
    meaning: 'the projected service account token the Kubernetes auth login sends',
  }),
  authMount: setting.string({
    env: 'BAO_AUTH_MOUNT',
    default: 'kubernetes',
    meaning: 'mount path of the Kubernetes auth method',
  }),
  kvMount: setting.string({
    env: 'BAO_KV_MOUNT',
    default: 'secret',
    meaning: 'KV v2 mount the mappings read (a mapping may name another)',
  }),
  timeoutMs: setting.number({
    env: 'BAO_TIMEOUT_MS',
    default: 10_000,
    min: 100,
    max: 60_000,
    integer: true,
    meaning: 'timeout of one OpenBao request',
  }),
  rotationDays: setting.number({
    env: 'ECO_SECRETS_ROTATION_DAYS',
    default: 90,
    min: 1,
    max: 3650,
    integer: true,
    meaning: 'an OpenBao secret whose current version is older than this is reported for rotation',
  }),
  restart: setting.boolean({
    env: 'ECO_SECRETS_RESTART',
    default: true,
    meaning:
      'roll workloads whose pods predate a change of a synced (or Reloader-annotated) Secret, through the rails',
  }),
};
type Settings = SettingValues<typeof SETTINGS>;

const CHECKS = ['secrets.literal', 'secrets.sync', 'secrets.rotation', 'secrets.stale-workload'] as const;
const Input = Type.Object(
  {
    namespace: Type.Optional(Type.String({ pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$' })),
    checks: Type.Optional(Type.Array(Type.Union(CHECKS.map((c) => Type.Literal(c))), { uniqueItems: true })),
  },
  { additionalProperties: false },
);
type Input = Static<typeof Input>;

/** One client per OpenBao configuration per process: its token outlives a run. */
const clients = new Map<string, OpenBaoClient>();
function clientFor(settings: Settings): OpenBaoClient | undefined {
  if (!settings.baoAddr) return undefined;
  const auth: OpenBaoConfig['auth'] | undefined = settings.baoRole
    ? { kind: 'kubernetes', role: settings.baoRole, jwtFile: settings.saTokenFile, mount: settings.authMount }
    : settings.baoTokenFile
      ? { kind: 'token-file', file: settings.baoTokenFile }
      : undefined;
  if (!auth) return undefined;
  const config: OpenBaoConfig = {
    address: settings.baoAddr.replace(/\/+$/, ''),
    auth,
    kvMount: settings.kvMount,
    timeoutMs: settings.timeoutMs,
  };
  const key = JSON.stringify(config);
  let c = clients.get(key);
  if (!c) {
    c = new OpenBaoClient(config);
    clients.set(key, c);
  }
  return c;
}

const ref = (o: KubeObject): ObjectRef => ({
  apiVersion: o.apiVersion ?? 'v1',
  kind: o.kind ?? 'Unknown',
  ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
  name: o.metadata.name,
});
const secretRef = (namespace: string, name: string): ObjectRef => ({
  apiVersion: 'v1',
  kind: 'Secret',
  namespace,
  name,
});

function baoError(e: unknown, what: string): ReportError {
  if (e instanceof OpenBaoError)
    return e.status === 0
      ? { code: 'openbao-unavailable', message: `${what}: OpenBao did not answer (${e.errors.join('; ')})` }
      : { code: `openbao-http-${e.status}`, message: `${what}: ${e.message}` };
  return { code: 'openbao-unavailable', message: `${what}: ${(e as Error).message}` };
}

function literalFinding(object: KubeObject, hit: LiteralSecretHit, prefix?: string): Finding {
  const shape = hit.reason !== 'sensitive-name';
  return finding({
    bot: NAME,
    check: 'secrets.literal',
    severity: shape ? 'critical' : 'warning',
    object: ref(object),
    discriminator: `${hit.field}${hit.innerKey ? `#${hit.innerKey}` : ''}`,
    message: describeHit(hit),
    evidence: {
      reason: hit.reason,
      key: hit.key,
      field: prefix ? `${prefix}.${hit.field}` : hit.field,
      ...(hit.container ? { container: hit.container } : {}),
      ...(hit.innerKey ? { innerKey: hit.innerKey, line: hit.line } : {}),
    },
    fix:
      object.kind === 'ConfigMap'
        ? `move ${hit.innerKey ?? hit.key} into a Secret synced from OpenBao (an eco-secrets-bot mapping) and rotate the value, which has been readable by anyone who can read ConfigMaps`
        : `put ${hit.key} in a Secret synced from OpenBao and reference it with valueFrom.secretKeyRef; rotate the exposed value`,
  });
}

interface SyncOutcome {
  findings: Finding[];
  errors: ReportError[];
}

async function syncAll(
  ctx: Context<Settings>,
  client: OpenBaoClient,
  mappings: readonly SyncMapping[],
  secrets: readonly KubeObject[],
  wanted: (c: string) => boolean,
): Promise<SyncOutcome> {
  const findings: Finding[] = [];
  const errors: ReportError[] = [];
  const byKey = new Map(secrets.map((s) => [`${s.metadata.namespace}/${s.metadata.name}`, s]));
  const now = ctx.now();
  const maxAgeMs = ctx.settings.rotationDays * 86_400_000;
  const seen = new Set<string>();
  for (const m of mappings) {
    const mount = m.mount ?? ctx.settings.kvMount;
    const where = `OpenBao ${mount}/${m.path} for Secret ${m.namespace}/${m.target}`;
    const raw = byKey.get(`${m.namespace}/${m.target}`);
    const existing = raw
      ? ({ ...raw, kind: 'Secret', apiVersion: 'v1' } as KubeObject & ExistingSecret)
      : undefined;
    try {
      const meta = await client.readMetadata(m.path, mount);
      if (!meta) {
        if (wanted('secrets.sync'))
          findings.push(
            finding({
              bot: NAME,
              check: 'secrets.sync',
              severity: 'warning',
              object: secretRef(m.namespace, m.target),
              discriminator: 'source-missing',
              message: `nothing at ${mount}/${m.path} in OpenBao, so the Secret is not synced`,
              evidence: { path: m.path, mount, declaredIn: m.declaredIn },
              fix: `write the secret at ${mount}/${m.path} in OpenBao, or fix the path in ${m.declaredIn}`,
            }),
          );
        continue;
      }
      const current = meta.versions[String(meta.currentVersion)];
      const overdue = current ? rotationOverdue(current.createdTime, now, maxAgeMs) : undefined;
      if (overdue !== undefined && wanted('secrets.rotation') && !seen.has(`${mount}/${m.path}`)) {
        seen.add(`${mount}/${m.path}`);
        findings.push(
          finding({
            bot: NAME,
            check: 'secrets.rotation',
            severity: 'warning',
            object: secretRef(m.namespace, m.target),
            message: `${mount}/${m.path} has not been rotated for ${overdue} days (rotation age ${ctx.settings.rotationDays} days)`,
            evidence: {
              path: m.path,
              mount,
              version: meta.currentVersion,
              createdTime: current?.createdTime,
              ageDays: overdue,
              rotationDays: ctx.settings.rotationDays,
            },
            fix: `write a new value at ${mount}/${m.path} in OpenBao (and revoke the old credential); the bot syncs it and rolls the workloads`,
          }),
        );
      }
      if (!wanted('secrets.sync') || !isDue(m, existing, m.version ?? meta.currentVersion, now)) continue;
      const read = await client.readSecret(m.path, m.version, mount);
      const source: SourceRead =
        read.status === 'ok'
          ? { status: 'ok', data: read.data, version: read.metadata.version }
          : read.status === 'missing'
            ? { status: 'missing' }
            : { status: read.status, version: read.metadata.version };
      const plan = planSync(m, existing, source, now);
      const reason = `${plan.reason} (${m.declaredIn})`;
      if (plan.action === 'create' && plan.manifest)
        await ctx.safety.create(resources.secrets, plan.manifest as unknown as KubeObject, reason, {
          eventReason: 'SecretSynced',
        });
      else if (plan.action === 'update' && plan.manifest && existing)
        await ctx.safety.update(resources.secrets, existing, plan.manifest as unknown as KubeObject, reason, {
          eventReason: 'SecretSynced',
        });
      else if (plan.action === 'skip')
        findings.push(
          finding({
            bot: NAME,
            check: 'secrets.sync',
            severity: 'warning',
            object: secretRef(m.namespace, m.target),
            discriminator: 'skipped',
            message: `not synced: ${plan.reason}`,
            evidence: {
              path: m.path,
              mount,
              declaredIn: m.declaredIn,
              ...(plan.sourceVersion ? { version: plan.sourceVersion } : {}),
              ...(plan.missingKeys.length ? { missingKeys: plan.missingKeys } : {}),
            },
            fix: plan.missingKeys.length
              ? `add the keys to ${mount}/${m.path} or fix the keys in ${m.declaredIn}`
              : `see ${m.declaredIn}`,
          }),
        );
    } catch (e) {
      const err = baoError(e, where);
      // A login failure fails every mapping the same way: report it once.
      if (!errors.some((x) => x.code === err.code && e instanceof OpenBaoError && e.path.startsWith('auth/')))
        errors.push(err);
    }
  }
  return { findings, errors };
}

export default defineBot({
  name: NAME,
  category: 'security',
  tier: 'medium',
  summary:
    'OpenBao (never Vault) KV v2 -> Kubernetes Secrets sync as External Secrets Operator does, rotation age, rolling restarts of workloads on a changed Secret (Reloader), literal secrets in env values and ConfigMaps flagged without printing them',
  triggers: { http: true, cron: '*/10 * * * *' },
  rbac: RBAC,
  mutates: true,
  input: Input,
  settings: SETTINGS,

  async run(input: Input, ctx: Context<Settings>): Promise<RunResult> {
    const wanted = (c: string): boolean =>
      !input.checks || input.checks.includes(c as (typeof CHECKS)[number]);
    const snap = await takeSnapshot(ctx, KINDS, input.namespace ? { namespace: input.namespace } : {});
    const o = snap.objects;
    const findings: Finding[] = [...snap.findings];
    const errors: ReportError[] = [...snap.errors];
    const typed = (list: readonly KubeObject[], kind: string, apiVersion: string): KubeObject[] =>
      list.map((x) => ({ ...x, kind, apiVersion }));
    const configmaps = typed(o.configmaps, 'ConfigMap', 'v1');
    const secrets = typed(o.secrets, 'Secret', 'v1');

    // Literal secrets: ConfigMaps and env values.
    const workloads = workloadsOf([
      [resources.pods, o.pods],
      [resources.deployments, o.deployments],
      [resources.statefulsets, o.statefulsets],
      [resources.daemonsets, o.daemonsets],
      [resources.jobs, o.jobs],
      [resources.cronjobs, o.cronjobs],
    ]);
    if (wanted('secrets.literal')) {
      for (const cm of configmaps)
        for (const hit of scanConfigMap(
          cm as { data?: Record<string, string>; binaryData?: Record<string, string> },
        ))
          findings.push(literalFinding(cm, hit));
      for (const w of workloads)
        for (const hit of scanEnv(w.spec)) findings.push(literalFinding(w.object, hit, w.prefix));
    }

    // Mappings.
    const mappings: SyncMapping[] = [];
    const declared = [
      ...(await Promise.all(
        configmaps
          .filter((cm) => cm.metadata.labels?.[SYNC_LABEL] === 'true')
          .map((cm) => mappingsFromConfigMap(cm as Parameters<typeof mappingsFromConfigMap>[0])),
      )),
      ...secrets.map((s) => mappingFromSecret(s)).filter((p) => p !== undefined),
    ];
    const targets = new Set<string>();
    for (const p of declared) {
      for (const e of p.errors)
        findings.push(
          finding({
            bot: NAME,
            check: 'secrets.sync',
            severity: 'warning',
            object: {
              apiVersion: 'eco.bsw-arch.org/v1',
              kind: 'SecretMapping',
              name: e.split(':')[0] ?? 'mapping',
            },
            discriminator: e,
            message: `invalid mapping: ${e}`,
            evidence: { error: e },
            fix: 'fix the mapping (target, path, keys, refreshInterval, version) as the docs describe',
          }),
        );
      for (const m of p.mappings) {
        const key = `${m.namespace}/${m.target}`;
        if (targets.has(key)) continue; // the first declaration wins; a Secret is written from one place
        targets.add(key);
        mappings.push(m);
      }
    }

    const client = clientFor(ctx.settings);
    if (!ctx.settings.baoAddr || !client) {
      const name = ctx.settings.baoAddr ? 'BAO_ROLE' : 'BAO_ADDR';
      findings.push(
        unconfiguredFinding({
          bot: NAME,
          setting: name,
          message: ctx.settings.baoAddr
            ? 'BAO_ROLE and BAO_TOKEN_FILE are both unset, so the bot cannot authenticate to OpenBao and syncs nothing'
            : `BAO_ADDR is not set, so ${mappings.length} mapping(s) are not synced from OpenBao`,
          evidence: { mappings: mappings.length },
          fix: ctx.settings.baoAddr
            ? 'set BAO_ROLE to the Kubernetes auth role of the bot (or BAO_TOKEN_FILE)'
            : 'set BAO_ADDR to the OpenBao URL and BAO_ROLE to the Kubernetes auth role of the bot',
        }),
      );
    } else if (mappings.length && (wanted('secrets.sync') || wanted('secrets.rotation'))) {
      const out = await syncAll(ctx, client, mappings, secrets, wanted);
      findings.push(...out.findings);
      errors.push(...out.errors);
    }

    // Workloads still running with a Secret that changed after their pods started (Reloader).
    if (wanted('secrets.stale-workload')) {
      const changed = new Map<string, { at: number; managed: boolean }>();
      for (const s of secrets) {
        const at = secretChangedAt(s);
        if (at !== undefined)
          changed.set(`${s.metadata.namespace}/${s.metadata.name}`, {
            at,
            managed:
              s.metadata.labels?.['app.kubernetes.io/managed-by'] ===
                MANAGED_BY_LABEL['app.kubernetes.io/managed-by'] ||
              s.metadata.annotations?.[ANNOTATIONS.syncedAt] !== undefined,
          });
      }
      const pods = typed(o.pods, 'Pod', 'v1');
      for (const w of workloads) {
        if (!['Deployment', 'StatefulSet', 'DaemonSet'].includes(w.object.kind ?? '')) continue;
        const ns = w.object.metadata.namespace ?? '';
        const inNs = new Map<string, number>();
        for (const [k, v] of changed) if (k.startsWith(`${ns}/`)) inNs.set(k.slice(ns.length + 1), v.at);
        const uses = staleSecretUses(w.spec, podsOf(w.object, pods, o.replicasets), inNs);
        for (const u of uses) {
          const managed = changed.get(`${ns}/${u.secret}`)?.managed ?? false;
          const restart = ctx.settings.restart && (managed || optedIn(w.object, u.secret));
          findings.push(
            finding({
              bot: NAME,
              check: 'secrets.stale-workload',
              severity: 'warning',
              object: ref(w.object),
              discriminator: u.secret,
              message: `${u.stalePods} pod(s) started before Secret ${u.secret} changed and still run with the old value`,
              evidence: {
                secret: u.secret,
                secretChangedAt: new Date(u.changedAt).toISOString(),
                oldestPodStart: new Date(u.oldestPodStart).toISOString(),
                stalePods: u.stalePods,
                restart,
              },
              fix: restart
                ? 'the bot rolls it (ECO_MODE=apply); or kubectl rollout restart'
                : `kubectl rollout restart ${w.object.kind?.toLowerCase()}/${w.object.metadata.name} -n ${ns} (or annotate it reloader.stakater.com/auto: "true")`,
            }),
          );
        }
        if (
          uses.length &&
          ctx.settings.restart &&
          uses.some((u) => changed.get(`${ns}/${u.secret}`)?.managed || optedIn(w.object, u.secret))
        )
          await ctx.safety.restart(
            w.type,
            w.object,
            `Secret(s) ${uses.map((u) => u.secret).join(', ')} changed after its pods started`,
            { eventReason: 'SecretChanged' },
          );
      }
    }

    const literal = findings.filter((f) => f.check === 'secrets.literal').length;
    return {
      summary: `${literal} literal secret(s), ${mappings.length} OpenBao mapping(s)${client ? '' : ' (OpenBao not configured)'}, ${findings.filter((f) => f.check === 'secrets.stale-workload').length} stale workload use(s)`,
      findings,
      errors,
      data: { mappings: mappings.length, literal },
    };
  },
});
