import * as Type from '../../shared/schema/index.ts';
import type { Static } from '../../shared/schema/index.ts';
import {
  SAFETY_RAILS_RBAC,
  defineBot,
  parseQuantity,
  resources,
  runChecks,
  setting,
  takeSnapshot,
  type Action,
  type Context,
  type KubeObject,
  type SettingValues,
} from '../../shared/index.ts';
import { PRICE_BOOK_RBAC, PRICE_BOOK_SETTINGS, priceBookFor } from '../../shared/cost/index.ts';
import { CHECKS, KINDS, isReady, isUnschedulable, notReadyMinutes, type NodeSettings } from './checks.ts';

const NAME = 'eco-node-bot';

const SETTINGS = {
  ...PRICE_BOOK_SETTINGS,
  notReadyMinutes: setting.number({
    env: 'ECO_NODE_NOT_READY_MINUTES',
    default: 15,
    min: 1,
    max: 1440,
    integer: true,
    meaning:
      'a node NotReady/Unknown for longer than this is cordoned (node-problem-detector remediation; kubernetes-mixin KubeNodeNotReady waits 15 m)',
  }),
  cpuThreshold: setting.number({
    env: 'ECO_NODE_CPU_THRESHOLD',
    default: 80,
    min: 1,
    max: 100,
    meaning: 'percent of allocatable CPU in use above which a node is reported (Popeye 709)',
  }),
  memoryThreshold: setting.number({
    env: 'ECO_NODE_MEMORY_THRESHOLD',
    default: 80,
    min: 1,
    max: 100,
    meaning: 'percent of allocatable memory in use above which a node is reported (Popeye 710)',
  }),
  maxUnreadyPercent: setting.number({
    env: 'ECO_NODE_MAX_UNREADY_PERCENT',
    default: 45,
    min: 0,
    max: 100,
    meaning:
      'when more than this percent of nodes are not ready nothing is cordoned: a cluster-wide outage is not a node problem (cluster-autoscaler --max-total-unready-percentage)',
  }),
  cordon: setting.boolean({
    env: 'ECO_NODE_CORDON',
    default: true,
    meaning:
      'cordon nodes NotReady longer than ECO_NODE_NOT_READY_MINUTES (still dry-run unless ECO_MODE=apply)',
  }),
};
type Settings = SettingValues<typeof SETTINGS>;

const Input = Type.Object(
  {
    /** Check this node only. */
    node: Type.Optional(Type.String({ pattern: '^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$' })),
    checks: Type.Optional(
      Type.Array(Type.Union(CHECKS.map((c) => Type.Literal(c.id))), { uniqueItems: true }),
    ),
    /** false: report only, never cordon in this run. */
    cordon: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
type Input = Static<typeof Input>;

export interface CordonPlan {
  node: KubeObject;
  minutes: number;
}

/**
 * Which nodes to cordon: not ready for longer than the threshold, not cordoned already, and only
 * while the share of unready nodes stays under the outage guard (a control plane or network outage
 * makes every node look NotReady; cordoning them all would not help).
 */
export function cordonPlan(
  nodes: readonly KubeObject[],
  settings: Pick<Settings, 'notReadyMinutes' | 'maxUnreadyPercent'>,
  now: Date,
): { due: CordonPlan[]; guarded: boolean; unreadyPercent: number } {
  const unready = nodes.filter((n) => !isReady(n));
  const unreadyPercent = nodes.length === 0 ? 0 : Math.round((unready.length / nodes.length) * 1000) / 10;
  const due: CordonPlan[] = [];
  for (const node of unready) {
    const minutes = notReadyMinutes(node, now);
    if (minutes === undefined || minutes < settings.notReadyMinutes || isUnschedulable(node)) continue;
    due.push({ node, minutes });
  }
  return { due, guarded: unreadyPercent > settings.maxUnreadyPercent, unreadyPercent };
}

export default defineBot({
  name: NAME,
  category: 'infrastructure',
  tier: 'medium',
  summary:
    'Node health (Popeye 700-711): NotReady/Unknown, memory/disk/PID pressure, network unavailable, CPU/memory above 80 % of allocatable, cordoned nodes, taints no pod tolerates; cordons a node NotReady longer than 15 minutes',
  triggers: {
    http: true,
    cron: '*/5 * * * *',
    alerts: ['KubeNodeNotReady', 'KubeNodeUnreachable', 'KubeletDown', 'NodeFilesystemAlmostOutOfSpace'],
  },
  rbac: [
    ...SAFETY_RAILS_RBAC,
    { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'patch'] },
    { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
    { apiGroups: ['metrics.k8s.io'], resources: ['nodes'], verbs: ['list'] },
    PRICE_BOOK_RBAC,
  ],
  mutates: true,
  input: Input,
  settings: SETTINGS,
  scopeOptions: ['node', 'checks'],
  async run(input: Input, ctx: Context<Settings>) {
    const snap = await takeSnapshot(ctx, KINDS);
    const nodes = input.node
      ? snap.objects.nodes.filter((n) => n.metadata.name === input.node)
      : snap.objects.nodes;
    const view = { ...snap, objects: { ...snap.objects, nodes } };
    const settings: NodeSettings = ctx.settings;
    const { findings, errors } = runChecks(ctx, CHECKS, view, settings, {
      ...(input.checks ? { only: input.checks } : {}),
    });

    // A node that is not ready is paid for and runs nothing: its whole price is the impact.
    const { book, errors: bookErrors } = await priceBookFor(ctx, ctx.settings);
    errors.push(...bookErrors);
    for (const f of findings) {
      if (f.check !== 'node.not-ready') continue;
      const node = nodes.find((n) => n.metadata.name === f.object.name);
      const capacity = (node?.status as { capacity?: Record<string, string> } | undefined)?.capacity ?? {};
      const cpu = parseQuantity(capacity['cpu']) ?? 0;
      const memory = parseQuantity(capacity['memory']) ?? 0;
      if (cpu === 0 && memory === 0) continue;
      const priced = {
        name: f.object.name,
        labels: node?.metadata.labels ?? {},
        cpuCores: cpu,
        memoryBytes: memory,
      };
      f.impact = {
        monthlyCost: Math.round(book.monthlyCost(cpu, memory, priced) * 100) / 100,
        currency: book.currency,
      };
    }

    const actions: Action[] = [];
    const cordonOn = (input.cordon ?? ctx.settings.cordon) && !snap.failed.has('nodes');
    // The outage guard looks at every node, even when the run is narrowed to one.
    const plan = cordonPlan(snap.objects.nodes, ctx.settings, ctx.now());
    if (cordonOn) {
      for (const { node, minutes } of plan.due) {
        if (input.node && node.metadata.name !== input.node) continue;
        if (plan.guarded) {
          actions.push(
            ctx.safety.skip(
              'cordon',
              node,
              `outage-guard: ${plan.unreadyPercent}% of nodes are not ready (over ${ctx.settings.maxUnreadyPercent}%)`,
              resources.nodes,
            ),
          );
          continue;
        }
        actions.push(
          await ctx.safety.cordon(
            node,
            `NotReady for ${minutes} minutes (over ${ctx.settings.notReadyMinutes})`,
            {
              eventReason: 'NodeNotReadyCordoned',
              // Re-decided on the fresh node after a 409: it may have recovered or been cordoned meanwhile.
              redecide: (fresh) => {
                if (isReady(fresh)) return false;
                if (isUnschedulable(fresh)) return false;
                const now = notReadyMinutes(fresh, ctx.now());
                return now !== undefined && now >= ctx.settings.notReadyMinutes
                  ? `NotReady for ${now} minutes`
                  : false;
              },
            },
          ),
        );
      }
    }
    const ready = nodes.filter(isReady).length;
    return {
      summary:
        `${nodes.length} nodes checked, ${ready} ready, ${findings.length} findings` +
        (plan.due.length > 0 && cordonOn
          ? `; ${plan.due.length} due for cordon${plan.guarded ? ' (held by the outage guard)' : ''}`
          : ''),
      findings: [...snap.findings, ...findings],
      errors: [...snap.errors, ...errors],
      data: {
        nodes: nodes.length,
        ready,
        unreadyPercent: plan.unreadyPercent,
        thresholds: {
          notReadyMinutes: ctx.settings.notReadyMinutes,
          cpu: ctx.settings.cpuThreshold,
          memory: ctx.settings.memoryThreshold,
        },
      },
    };
  },
});
