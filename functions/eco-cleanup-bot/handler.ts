import { defineBot, finding, rbacAllows, reportErrorFrom, resources, setting } from '../../shared/index.ts';
import type {
  Action,
  Context,
  Finding,
  KubeObject,
  RbacRule,
  ReportError,
  ResourceType,
  RunResult,
  SettingValues,
} from '../../shared/index.ts';
import { loadNotices, noticeName, NOTICE_REASON, type Notice } from './notice.ts';
import {
  RULES,
  decide,
  formatAge,
  historyDecisions,
  type CleanupConfig,
  type Decision,
  type DeploymentInfo,
  type RuleName,
} from './rules.ts';
import { InputSchema, type Input } from './schema.ts';

const NAME = 'eco-cleanup-bot';

const READ_DELETE = ['get', 'list', 'delete'] as const;
/**
 * What the bot may touch. The kinds it scans are derived from these rules (list + delete), so the
 * declaration bounds the behaviour: drop a kind here and the bot stops looking at it. Secrets are
 * left out on purpose (reading every Secret is not worth a TTL sweep).
 */
const RBAC: RbacRule[] = [
  {
    apiGroups: [''],
    resources: ['pods', 'services', 'configmaps', 'persistentvolumeclaims', 'namespaces'],
    verbs: [...READ_DELETE],
  },
  { apiGroups: [''], resources: ['events'], verbs: ['create', 'list', 'patch'] },
  { apiGroups: ['apps'], resources: ['deployments', 'statefulsets', 'replicasets'], verbs: [...READ_DELETE] },
  { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: [...READ_DELETE] },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: [...READ_DELETE] },
];

/** Candidate kinds in scan order; only those the RBAC above grants list and delete on are scanned. */
const CANDIDATE_KINDS: readonly ResourceType[] = [
  resources.pods,
  resources.jobs,
  resources.replicasets,
  resources.cronjobs,
  resources.deployments,
  resources.statefulsets,
  resources.services,
  resources.configmaps,
  resources.persistentvolumeclaims,
  resources.ingresses,
  resources.namespaces,
  resources.secrets,
];
/** Kinds with a rule of their own besides ttl. */
const KIND_RULE: Record<string, RuleName> = {
  pods: 'pods',
  jobs: 'jobs',
  replicasets: 'replicasets',
  deployments: 'replicasets',
};

const SETTINGS = {
  jobTtl: setting.duration({
    env: 'ECO_CLEANUP_JOB_TTL',
    default: '7d',
    min: '1m',
    meaning: 'finished Jobs older than this are deleted (janitor syntax 30m/2h/7d/1w)',
  }),
  podAge: setting.duration({
    env: 'ECO_CLEANUP_POD_AGE',
    default: '1d',
    min: '1m',
    meaning: 'evicted and failed Pods that ended longer ago than this are deleted',
  }),
  replicaSetAge: setting.duration({
    env: 'ECO_CLEANUP_REPLICASET_AGE',
    default: '7d',
    min: '1m',
    meaning: 'ownerless ReplicaSets at zero replicas older than this are deleted',
  }),
  notice: setting.duration({
    env: 'ECO_CLEANUP_NOTICE',
    meaning:
      'when set (e.g. 1h), a Warning Event is posted first and the object is deleted only once that notice is older than this',
  }),
  rules: setting.list({
    env: 'ECO_CLEANUP_RULES',
    default: RULES,
    pattern: new RegExp(`^(${RULES.join('|')})$`),
    meaning: `comma-separated rules to run: ${RULES.join(', ')}`,
  }),
};
type Settings = SettingValues<typeof SETTINGS>;

export function cleanupConfig(settings: Settings, input: Input): CleanupConfig & { noticeMs: number } {
  const rules = new Set(settings.rules as RuleName[]);
  if (input.rules) for (const rule of [...rules]) if (!input.rules.includes(rule)) rules.delete(rule);
  return {
    jobTtlMs: settings.jobTtl,
    podAgeMs: settings.podAge,
    replicaSetAgeMs: settings.replicaSetAge,
    noticeMs: settings.notice ?? 0,
    rules,
  };
}

/** The kinds this run scans: granted list+delete by the declaration, and needed by an enabled rule. */
export function scannedKinds(
  rbac: readonly RbacRule[],
  config: CleanupConfig,
  namespace?: string,
): ResourceType[] {
  return CANDIDATE_KINDS.filter((type) => rbacAllows(rbac, type, 'list') && rbacAllows(rbac, type, 'delete'))
    .filter(
      (type) =>
        config.rules.has('ttl') ||
        (KIND_RULE[type.plural] !== undefined && config.rules.has(KIND_RULE[type.plural] as RuleName)),
    )
    .filter((type) => namespace === undefined || type.namespaced);
}

/** Keeps what the ReplicaSet-history rule needs, and nothing else, while the scan streams. */
function collectHistory(
  type: ResourceType,
  object: KubeObject,
  owned: Map<string, KubeObject[]>,
  deployments: Map<string, DeploymentInfo>,
): void {
  if (type.plural === 'replicasets') {
    const owner = object.metadata.ownerReferences?.find(
      (o) => o.kind === 'Deployment' && o.controller !== false,
    );
    if (!owner) return;
    const list = owned.get(owner.uid);
    if (list) list.push(object);
    else owned.set(owner.uid, [object]);
  } else if (type.plural === 'deployments' && object.metadata.uid) {
    const limit = (object.spec as { revisionHistoryLimit?: number } | undefined)?.revisionHistoryLimit;
    const { name, namespace, uid, annotations } = object.metadata;
    deployments.set(object.metadata.uid, {
      object: {
        apiVersion: object.apiVersion ?? 'apps/v1',
        kind: object.kind ?? 'Deployment',
        metadata: { name, uid, ...(namespace ? { namespace } : {}), ...(annotations ? { annotations } : {}) },
      },
      revisionHistoryLimit: typeof limit === 'number' && limit >= 0 ? limit : 10,
    });
  }
}

function ref(type: ResourceType, object: KubeObject): Action['object'] {
  return {
    apiVersion: object.apiVersion ?? (type.group ? `${type.group}/${type.version}` : type.version),
    kind: object.kind ?? type.kind,
    ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}),
    name: object.metadata.name,
    ...(object.metadata.uid ? { uid: object.metadata.uid } : {}),
  };
}

interface Candidate {
  type: ResourceType;
  object: KubeObject;
  decision: Decision;
}

export default defineBot({
  name: NAME,
  category: 'maintenance',
  tier: 'small',
  summary:
    'Deletes what has outlived its purpose (kube-janitor, k8s-cleaner): objects past their ttl/expires annotation, finished Jobs past a TTL, old evicted and failed Pods, ownerless ReplicaSets at zero replicas; optional warning Event first',
  triggers: { cron: '*/30 * * * *', http: true },
  rbac: RBAC,
  mutates: true,
  input: InputSchema,
  settings: SETTINGS,

  async run(input: Input, ctx: Context<Settings>): Promise<RunResult> {
    const config = cleanupConfig(ctx.settings, input);
    const now = ctx.now();
    const errors: ReportError[] = [];
    const scanned: Record<string, number> = {};
    const candidates: Candidate[] = [];

    // Stream every kind; only candidates are kept, so memory follows what is due, not cluster size.
    // ReplicaSets owned by a Deployment and the Deployments' history limits are kept for the history rule.
    const ownedReplicaSets = new Map<string, KubeObject[]>();
    const deployments = new Map<string, DeploymentInfo>();
    for (const type of scannedKinds(RBAC, config, input.namespace)) {
      let count = 0;
      try {
        for await (const object of ctx.k8s.list(
          type,
          input.namespace ? { namespace: input.namespace } : {},
        )) {
          count++;
          const decision = decide(type.plural, object, config, now);
          if (decision) candidates.push({ type, object, decision });
          else if (config.rules.has('replicasets'))
            collectHistory(type, object, ownedReplicaSets, deployments);
        }
      } catch (error) {
        errors.push(reportErrorFrom(error, `list ${type.plural}`));
      }
      scanned[type.plural] = count;
    }
    const historyOf = new Map<Candidate, DeploymentInfo>();
    for (const [uid, owned] of ownedReplicaSets) {
      const deployment = deployments.get(uid);
      // An unknown owner (not listed, another namespace filter) is left alone.
      if (!deployment) continue;
      // An excluded Deployment protects its ReplicaSets too.
      if ((await ctx.safety.exclusion(deployment.object)).excluded) continue;
      for (const { rs, decision } of historyDecisions(owned, deployment, now)) {
        const candidate = { type: resources.replicasets, object: rs, decision };
        candidates.push(candidate);
        historyOf.set(candidate, deployment);
      }
    }
    // Oldest due first: under the blast-radius cap the longest-overdue objects go first.
    candidates.sort((a, b) => a.decision.dueSince - b.decision.dueSince);

    let notices = new Map<string, Notice>();
    if (config.noticeMs > 0 && candidates.length > 0) {
      try {
        notices = await loadNotices(ctx.k8s, NAME);
      } catch (error) {
        // Without the notices nothing is due this run (fail safe); new notices may be posted.
        errors.push(reportErrorFrom(error, 'list notice events'));
      }
    }

    const findings: Finding[] = [];
    const actions: Action[] = [];
    const historyFindings = new Map<string, Finding>();
    for (const candidate of candidates) {
      const { type, object, decision } = candidate;
      const exclusion = await ctx.safety.exclusion(object);
      if (exclusion.excluded) {
        // Recorded as skipped without calling delete on an object known to be excluded.
        actions.push(ctx.safety.skip('delete', object, `excluded: ${exclusion.reason ?? ''}`, type));
        continue;
      }
      const deployment = historyOf.get(candidate);
      if (deployment) {
        // One finding per Deployment (its history is the problem), one action per ReplicaSet.
        const key = deployment.object.metadata.uid ?? deployment.object.metadata.name;
        const known = historyFindings.get(key);
        if (known) (known.evidence?.['prune'] as string[]).push(object.metadata.name);
        else {
          const f = finding({
            bot: NAME,
            check: decision.check,
            severity: decision.severity,
            object: ref(resources.deployments, deployment.object),
            message: `Deployment ${deployment.object.metadata.namespace ?? ''}/${deployment.object.metadata.name} keeps old ReplicaSets beyond its revisionHistoryLimit ${deployment.revisionHistoryLimit}`,
            evidence: {
              revisionHistoryLimit: deployment.revisionHistoryLimit,
              prune: [object.metadata.name],
            },
            fix: `the old ReplicaSets are deleted by ${NAME} when ECO_MODE=apply`,
          });
          historyFindings.set(key, f);
          findings.push(f);
        }
      } else
        findings.push(
          finding({
            bot: NAME,
            check: decision.check,
            severity: decision.severity,
            object: ref(type, object),
            message: `${type.kind} ${object.metadata.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata.name}: ${decision.reason}`,
            evidence: decision.evidence,
            fix: `deleted by ${NAME} when ECO_MODE=apply; annotate eco.bsw-arch.org/exclude: "true" to keep it`,
          }),
        );
      if (config.noticeMs > 0) {
        const waiting = await noticeGate(
          ctx,
          type,
          object,
          decision,
          notices.get(object.metadata.uid ?? ''),
          config.noticeMs,
          now,
        );
        if (waiting) {
          if (waiting.reason === 'notice-failed')
            errors.push({
              code: 'notice-failed',
              message: `could not post the notice on ${object.metadata.name}`,
            });
          actions.push(waiting);
          continue;
        }
      }
      actions.push(
        await ctx.safety.delete(type, object, decision.reason, { eventReason: decision.eventReason }),
      );
    }

    const count = (status: Action['status']) => actions.filter((a) => a.status === status).length;
    const capped = actions.filter((a) => a.reason === 'blast-radius').length;
    const verb =
      ctx.safety.mode === 'apply' ? `${count('applied')} deleted` : `${count('planned')} planned (dry-run)`;
    const scannedTotal = Object.values(scanned).reduce((a, b) => a + b, 0);
    return {
      summary:
        `${scannedTotal} objects scanned, ${candidates.length} due: ${verb}, ${count('skipped')} skipped` +
        (capped > 0 ? ` (${capped} over the blast-radius cap)` : '') +
        (count('failed') > 0 ? `, ${count('failed')} failed` : ''),
      findings,
      errors,
      data: {
        scanned,
        rules: [...config.rules],
        thresholds: {
          jobTtl: formatAge(config.jobTtlMs),
          podAge: formatAge(config.podAgeMs),
          replicaSetAge: formatAge(config.replicaSetAgeMs),
          notice: config.noticeMs > 0 ? formatAge(config.noticeMs) : null,
        },
      },
    };
  },
});

/**
 * Returns the skipped action when the object must wait for its notice, or undefined when it is
 * due for deletion. Posting and refreshing happen in apply mode only; dry-run says what it would do.
 */
async function noticeGate(
  ctx: Context<Settings>,
  type: ResourceType,
  object: KubeObject,
  decision: Decision,
  notice: Notice | undefined,
  noticeMs: number,
  now: Date,
): Promise<Action | undefined> {
  const apply = ctx.safety.mode === 'apply';
  if (notice && notice.firstAt + noticeMs <= now.getTime()) return undefined;
  if (notice) {
    const after = new Date(notice.firstAt + noticeMs).toISOString();
    // Keeps the pending notice alive; a failed refresh only risks a re-post, never a deletion.
    if (apply)
      await ctx.safety.event(object, 'Warning', NOTICE_REASON, noticeMessage(type, after, decision), {
        name: notice.name,
        count: notice.count,
      });
    return ctx.safety.skip(
      'delete',
      object,
      `notice-pending: noticed ${new Date(notice.firstAt).toISOString()}, deletes after ${after}`,
      type,
    );
  }
  const after = new Date(now.getTime() + noticeMs).toISOString();
  if (!apply)
    return ctx.safety.skip(
      'delete',
      object,
      `notice-required: would post a deletion notice; deletes after ${after}`,
      type,
    );
  const posted = await ctx.safety.event(
    object,
    'Warning',
    NOTICE_REASON,
    noticeMessage(type, after, decision),
    {
      name: noticeName(object),
    },
  );
  return ctx.safety.skip(
    'delete',
    object,
    posted ? `notice-posted: deletes after ${after}` : 'notice-failed',
    type,
  );
}

function noticeMessage(type: ResourceType, after: string, decision: Decision): string {
  return `${NAME} will delete this ${type.kind} after ${after}: ${decision.reason}. Annotate eco.bsw-arch.org/exclude: "true" to keep it.`;
}
