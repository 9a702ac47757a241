import * as Type from '../../shared/schema/index.ts';
import type { Static } from '../../shared/schema/index.ts';
import {
  SAFETY_RAILS_RBAC,
  defineBot,
  finding,
  objectRef,
  reportErrorFrom,
  resources,
  setting,
  type Action,
  type Context,
  type Finding,
  type KubeObject,
  type ReportError,
  type RunResult,
  type SettingValues,
} from '../../shared/index.ts';
import { pdbBlocksDrain } from './pdb.ts';
import {
  REBOOT_REQUIRED,
  SINCE_ANNOTATION,
  STATE_ANNOTATION,
  isCordoned,
  liveHolder,
  microTime,
  needsReboot,
  podDisposition,
  slotNames,
  stateOf,
  writtenHolder,
  type DrainState,
} from './state.ts';

const NAME = 'eco-maintenance-bot';
const NODE_NAME = '^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$';

const SETTINGS = {
  concurrency: setting.number({
    env: 'ECO_MAINTENANCE_CONCURRENCY',
    default: 1,
    min: 1,
    max: 20,
    integer: true,
    meaning: 'nodes drained at the same time (one Lease each; kured drains one)',
  }),
  drainTimeout: setting.duration({
    env: 'ECO_MAINTENANCE_DRAIN_TIMEOUT',
    default: '1h',
    min: '1m',
    meaning:
      "a drain not finished after this is given up: the node is uncordoned and its Lease released (kured's --drain-timeout)",
  }),
  leaseTtl: setting.duration({
    env: 'ECO_MAINTENANCE_LEASE_TTL',
    default: '30m',
    min: '1m',
    meaning: 'Lease duration, renewed by every tick; a Lease not renewed for this long is free again',
  }),
  leaseNamespace: setting.string({
    env: 'ECO_MAINTENANCE_LEASE_NAMESPACE',
    default: 'default',
    pattern: /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
    meaning: 'namespace of the drain Leases (not a protected namespace: the rails would refuse the writes)',
  }),
};
type Settings = SettingValues<typeof SETTINGS>;

const InputSchema = Type.Object(
  {
    nodes: Type.Optional(
      Type.Array(Type.String({ pattern: NODE_NAME }), { uniqueItems: true, maxItems: 100 }),
    ),
  },
  { additionalProperties: false },
);
type Input = Static<typeof InputSchema>;

const LEASE_PREFIX = 'eco-maintenance-drain';

interface Run {
  ctx: Context<Settings>;
  now: Date;
  findings: Finding[];
  errors: ReportError[];
  leases: Map<string, KubeObject | undefined>;
  nodeStates: Record<string, string>;
}

function nodeFinding(
  node: KubeObject,
  check: string,
  severity: Finding['severity'],
  message: string,
  evidence: Record<string, unknown>,
  fix: string,
): Finding {
  return finding({
    bot: NAME,
    check,
    severity,
    object: objectRef(node, resources.nodes),
    message,
    evidence,
    fix,
  });
}

/** Whether an action went through (applied, or would in dry-run). */
const done = (a: Action): boolean => a.status === 'applied' || a.status === 'planned';

async function annotate(
  run: Run,
  node: KubeObject,
  values: Record<string, string | null>,
  why: string,
): Promise<Action> {
  return run.ctx.safety.patch(resources.nodes, node, { metadata: { annotations: values } }, 'merge', why);
}

/** Takes (create or renew) the slot's Lease for `node`; false when another run won the race. */
async function holdSlot(run: Run, slot: string, node: string): Promise<boolean> {
  const { ctx, now } = run;
  const lease = run.leases.get(slot);
  const ttlSeconds = Math.ceil(ctx.settings.leaseTtl / 1000);
  const renew = { holderIdentity: node, leaseDurationSeconds: ttlSeconds, renewTime: microTime(now) };
  let action: Action;
  if (!lease) {
    action = await ctx.safety.create(
      resources.leases,
      {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: {
          name: slot,
          namespace: ctx.settings.leaseNamespace,
          labels: { 'app.kubernetes.io/managed-by': NAME },
        },
        spec: { ...renew, acquireTime: microTime(now) },
      },
      `drain lock for node ${node}`,
    );
  } else {
    const taking = writtenHolder(lease) !== node;
    action = await ctx.safety.patch(
      resources.leases,
      lease,
      { spec: taking ? { ...renew, acquireTime: microTime(now) } : renew },
      'merge',
      taking ? `drain lock for node ${node}` : `renew drain lock of node ${node}`,
    );
  }
  return done(action);
}

async function releaseSlot(run: Run, slot: string, node: string): Promise<void> {
  const lease = run.leases.get(slot);
  if (!lease) return;
  await run.ctx.safety.patch(
    resources.leases,
    lease,
    { spec: { holderIdentity: null } },
    'merge',
    `release drain lock of node ${node}`,
  );
}

/** Ends a drain: uncordon, clear or set the state, free the slot. */
async function finish(
  run: Run,
  node: KubeObject,
  slot: string,
  state: DrainState | null,
  why: string,
): Promise<void> {
  const { ctx } = run;
  if (isCordoned(node)) await ctx.safety.uncordon(node, why);
  const fresh = (await ctx.k8s.get(resources.nodes, node.metadata.name)) ?? node;
  await annotate(
    run,
    fresh,
    state === null
      ? { [STATE_ANNOTATION]: null, [SINCE_ANNOTATION]: null, [REBOOT_REQUIRED]: null }
      : { [STATE_ANNOTATION]: state, [SINCE_ANNOTATION]: run.now.toISOString() },
    why,
  );
  await releaseSlot(run, slot, node.metadata.name);
}

/** One step of a node's drain: evict what may go, then mark it ready for reboot once nothing is left. */
async function drainStep(
  run: Run,
  node: KubeObject,
  slot: string,
  started: Date,
  cordonedThisRun = false,
): Promise<void> {
  const { ctx, now } = run;
  const name = node.metadata.name;
  const timeoutMs = ctx.settings.drainTimeout;
  if (now.getTime() - started.getTime() > timeoutMs) {
    await finish(
      run,
      node,
      slot,
      'drain-timed-out',
      `drain of ${name} not finished within the drain timeout`,
    );
    run.nodeStates[name] = 'drain-timed-out';
    run.findings.push(timedOutFinding(node, started, timeoutMs));
    return;
  }
  if (!isCordoned(node) && !cordonedThisRun) await ctx.safety.cordon(node, `drain ${name} for maintenance`);
  const counts = { evicted: 0, blocked: 0, held: 0, waiting: 0, left: 0, daemonset: 0, mirror: 0 };
  const blockedPods: string[] = [];
  const heldReasons = new Set<string>();
  for await (const pod of ctx.k8s.list(resources.pods, { fieldSelector: `spec.nodeName=${name}` })) {
    const disposition = podDisposition(pod);
    if (disposition === 'daemonset' || disposition === 'mirror') {
      counts[disposition]++;
      continue;
    }
    if (disposition === 'terminating') {
      counts.waiting++;
      continue;
    }
    const action = await ctx.safety.evict(pod, `drain ${name} for maintenance`);
    const podName = `${pod.metadata.namespace ?? ''}/${pod.metadata.name}`;
    if (done(action) || action.reason === 'already-gone') counts.evicted++;
    else if (action.reason === 'disruption-budget') {
      counts.blocked++;
      blockedPods.push(podName);
    } else if (action.reason?.startsWith('excluded')) counts.left++;
    else {
      // Outside a window, in a freeze, over the cap or failed: tried again next tick.
      counts.held++;
      heldReasons.add(action.reason ?? action.status);
    }
  }
  const remaining = counts.blocked + counts.held + counts.waiting;
  if (remaining === 0) {
    const fresh = (await ctx.k8s.get(resources.nodes, name)) ?? node;
    await annotate(
      run,
      fresh,
      { [STATE_ANNOTATION]: 'ready-for-reboot', [SINCE_ANNOTATION]: now.toISOString() },
      `node ${name} drained`,
    );
    run.nodeStates[name] = 'ready-for-reboot';
    run.findings.push(readyFinding(node, counts));
  } else {
    run.nodeStates[name] = 'draining';
    const deadline = new Date(started.getTime() + timeoutMs).toISOString();
    run.findings.push(
      nodeFinding(
        node,
        'maintenance.drain-pending',
        counts.blocked > 0 ? 'warning' : 'info',
        `Node ${name} is draining: ${remaining} pods still to go` +
          (counts.blocked > 0 ? `, ${counts.blocked} refused by a disruption budget` : '') +
          `; retried every tick until ${deadline}`,
        {
          ...counts,
          blockedPods,
          heldReasons: [...heldReasons],
          startedAt: started.toISOString(),
          deadline,
        },
        counts.blocked > 0
          ? 'the PodDisruptionBudget of the blocked pods needs a healthy replica elsewhere: scale the workload up or relax the budget'
          : 'nothing to do: the next tick evicts the rest',
      ),
    );
  }
}

function timedOutFinding(node: KubeObject, started: Date | undefined, timeoutMs: number): Finding {
  const name = node.metadata.name;
  const minutes = Math.round(timeoutMs / 60000);
  return nodeFinding(
    node,
    'maintenance.drain-timed-out',
    'warning',
    `Node ${name} could not be drained within ${minutes} minutes; it was uncordoned and its Lease released`,
    { since: started?.toISOString() ?? null, drainTimeoutMinutes: minutes },
    `see which PodDisruptionBudget blocked the evictions (maintenance.pdb-blocks-drain), fix it, then ask again: POST {"nodes":["${name}"]}`,
  );
}

function readyFinding(node: KubeObject, counts: Record<string, number>): Finding {
  const name = node.metadata.name;
  return nodeFinding(
    node,
    'maintenance.ready-for-reboot',
    'info',
    `Node ${name} is cordoned and drained, ready for its reboot; it is uncordoned once its reboot-required flag is gone`,
    counts,
    `reboot ${name} and clear its reboot-required label/annotation; ${NAME} then uncordons it and frees the Lease`,
  );
}

export default defineBot({
  name: NAME,
  category: 'maintenance',
  tier: 'medium',
  summary:
    "kured's node maintenance without a DaemonSet: nodes flagged reboot-required (or named in a request) are drained one at a time under a Lease: cordon, evict honouring PDBs, mark ready for reboot, uncordon after; a drain past its timeout is given up and uncordoned. Reports PDBs that block every drain",
  triggers: { cron: '*/5 * * * *', http: true },
  rbac: [
    ...SAFETY_RAILS_RBAC,
    { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'patch'] },
    { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
    { apiGroups: [''], resources: ['pods/eviction'], verbs: ['create'] },
    { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: ['list'] },
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'list', 'create', 'patch'] },
  ],
  mutates: true,
  input: InputSchema,
  // Naming nodes adds them to the run; in-progress drains and the PDB report still run.
  scopeOptions: [],
  settings: SETTINGS,

  async run(input: Input, ctx: Context<Settings>): Promise<RunResult> {
    const now = ctx.now();
    const run: Run = { ctx, now, findings: [], errors: [], leases: new Map(), nodeStates: {} };
    const requested = new Set(input.nodes ?? []);

    let pdbCount = 0;
    try {
      for await (const pdb of ctx.k8s.list(resources.poddisruptionbudgets)) {
        pdbCount++;
        const f = pdbBlocksDrain(pdb, NAME);
        if (f) run.findings.push(f);
      }
    } catch (error) {
      run.errors.push(reportErrorFrom(error, 'list poddisruptionbudgets'));
    }

    let nodes: KubeObject[];
    try {
      nodes = [];
      for await (const node of ctx.k8s.list(resources.nodes)) nodes.push(node);
    } catch (error) {
      run.errors.push(reportErrorFrom(error, 'list nodes'));
      return { summary: 'nodes could not be read', findings: run.findings, errors: run.errors };
    }
    const slots = slotNames(LEASE_PREFIX, ctx.settings.concurrency);
    try {
      for (const slot of slots)
        run.leases.set(slot, await ctx.k8s.get(resources.leases, slot, ctx.settings.leaseNamespace));
    } catch (error) {
      run.errors.push(reportErrorFrom(error, 'read drain leases'));
      return { summary: 'drain leases could not be read', findings: run.findings, errors: run.errors };
    }
    for (const name of requested)
      if (!nodes.some((n) => n.metadata.name === name))
        run.errors.push({
          code: 'node-not-found',
          message: `node ${name} named in the request does not exist`,
        });

    // A slot is this node's when the Lease names it (live or expired: an expired Lease of a node still
    // draining was left by a run that died, and is renewed, not lost), or anyone's when not live.
    const available = (slot: string, node: string): boolean =>
      writtenHolder(run.leases.get(slot)) === node || liveHolder(run.leases.get(slot), now) === undefined;
    const pick = (node: string): string | undefined =>
      slots.find((s) => writtenHolder(run.leases.get(s)) === node) ?? slots.find((s) => available(s, node));
    const take = async (slot: string, node: string): Promise<boolean> => {
      if (!available(slot, node) || !(await holdSlot(run, slot, node))) return false;
      // Keep the run's view current: the Lease as stored (apply), or as it would be (dry-run).
      const fresh = await ctx.k8s.get(resources.leases, slot, ctx.settings.leaseNamespace);
      const spec = {
        holderIdentity: node,
        leaseDurationSeconds: Math.ceil(ctx.settings.leaseTtl / 1000),
        renewTime: microTime(now),
      };
      run.leases.set(
        slot,
        fresh && writtenHolder(fresh) === node
          ? fresh
          : {
              apiVersion: 'coordination.k8s.io/v1',
              kind: 'Lease',
              metadata: fresh?.metadata ?? { name: slot, namespace: ctx.settings.leaseNamespace },
              spec,
            },
      );
      return true;
    };

    const inFlight: KubeObject[] = [];
    const waiting: KubeObject[] = [];
    for (const node of nodes) {
      const name = node.metadata.name;
      const { state } = stateOf(node);
      const wanted = needsReboot(node) || requested.has(name);
      if (state === 'draining' || state === 'ready-for-reboot') inFlight.push(node);
      else if (wanted && (state === undefined || requested.has(name))) waiting.push(node);
      else if (state === 'drain-timed-out') {
        run.nodeStates[name] = 'drain-timed-out';
        // Still flagged: it keeps needing its reboot, and an operator has to ask again.
        if (wanted) run.findings.push(timedOutFinding(node, stateOf(node).since, ctx.settings.drainTimeout));
      }
    }
    // A node that took a Lease before its run died goes first: the slot is already its own.
    const holds = (node: KubeObject): number =>
      slots.some((s) => writtenHolder(run.leases.get(s)) === node.metadata.name) ? 0 : 1;
    waiting.sort((a, b) => holds(a) - holds(b) || a.metadata.name.localeCompare(b.metadata.name));

    // Resume what is in flight first: those nodes already hold a slot.
    for (const node of inFlight) {
      const name = node.metadata.name;
      const { state, since } = stateOf(node);
      const slot = pick(name);
      if (slot === undefined || !(await take(slot, name))) {
        run.nodeStates[name] = `${state ?? 'draining'} (lock held by another run)`;
        continue;
      }
      if (state === 'ready-for-reboot') {
        if (needsReboot(node)) {
          run.nodeStates[name] = 'ready-for-reboot';
          run.findings.push(readyFinding(node, {}));
        } else {
          await finish(run, node, slot, null, `node ${name} is back from its maintenance`);
          run.nodeStates[name] = 'done';
        }
        continue;
      }
      await drainStep(run, node, slot, since ?? now);
    }

    // Then start new drains while slots are free.
    for (const node of waiting) {
      const name = node.metadata.name;
      const slot = pick(name);
      if (slot === undefined) {
        run.nodeStates[name] = 'queued';
        run.findings.push(
          nodeFinding(
            node,
            'maintenance.reboot-queued',
            'info',
            `Node ${name} needs maintenance and waits for a free drain slot (${slots.length} at a time)`,
            { concurrency: slots.length },
            'nothing to do: it is drained when the node ahead of it is done',
          ),
        );
        continue;
      }
      if (!(await take(slot, name))) {
        run.nodeStates[name] = 'queued (lock held by another run)';
        continue;
      }
      const cordon = isCordoned(node)
        ? undefined
        : await ctx.safety.cordon(node, `drain ${name} for maintenance`);
      if (cordon && !done(cordon)) {
        // A freeze, a closed window or a firing alert: nothing started, the slot is given back.
        await releaseSlot(run, slot, name);
        run.nodeStates[name] = `held: ${cordon.reason ?? cordon.status}`;
        run.findings.push(
          nodeFinding(
            node,
            'maintenance.drain-held',
            'info',
            `Node ${name} needs maintenance but its drain may not start now: ${cordon.reason ?? cordon.status}`,
            { reason: cordon.reason ?? cordon.status },
            'the drain starts on the first tick inside a maintenance window, outside freezes and without blocking alerts',
          ),
        );
        continue;
      }
      const fresh = (await ctx.k8s.get(resources.nodes, name)) ?? node;
      await annotate(
        run,
        fresh,
        {
          [STATE_ANNOTATION]: 'draining',
          [SINCE_ANNOTATION]: now.toISOString(),
          ...(needsReboot(node) ? {} : { [REBOOT_REQUIRED]: 'true' }),
        },
        `start maintenance of node ${name}`,
      );
      await drainStep(run, (await ctx.k8s.get(resources.nodes, name)) ?? fresh, slot, now, true);
    }

    const states = Object.entries(run.nodeStates);
    return {
      summary:
        `${nodes.length} nodes, ${inFlight.length + waiting.length} needing maintenance` +
        (states.length > 0 ? ` (${states.map(([n, s]) => `${n}: ${s}`).join(', ')})` : '') +
        `; ${pdbCount} PDBs checked, ${run.findings.filter((f) => f.check === 'maintenance.pdb-blocks-drain').length} block every drain`,
      findings: run.findings,
      errors: run.errors,
      data: {
        nodes: run.nodeStates,
        concurrency: slots.length,
        leases: Object.fromEntries(slots.map((s) => [s, writtenHolder(run.leases.get(s)) ?? null])),
      },
    };
  },
});
