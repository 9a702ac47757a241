// A complete bot on the kit, shown in README.md and docs/kit.md (generated from this file, so the
// docs' example typechecks and is tested: test/shared/example-bot.test.ts). A real bot lives in
// functions/<bot>/handler.ts; this one is not part of the fleet.
import * as Type from '../../shared/schema/index.ts';
import type { Static } from '../../shared/schema/index.ts';
import {
  check,
  defineBot,
  resources,
  runChecks,
  setting,
  takeSnapshot,
  type Snapshot,
} from '../../shared/index.ts';

const KINDS = { pods: resources.pods, namespaces: resources.namespaces };
type Snap = Snapshot<typeof KINDS>;

const SETTINGS = {
  maxRestarts: setting.number({
    env: 'ECO_EXAMPLE_MAX_RESTARTS',
    default: 5,
    min: 0,
    integer: true,
    meaning: 'restarts above which a container is reported (Popeye POP-206)',
  }),
};
type Settings = { maxRestarts: number };

// A check is a pure function of the snapshot, the settings and the clock: table-driven tests feed it
// objects and expect results, without a cluster.
export const restarts = check<Snap, Settings>({
  id: 'example.restarts', // the finding's `check`: <area>.<problem>, stable
  severity: 'warning',
  title: 'containers restarting more than the threshold',
  anchor: 'Popeye POP-206',
  *run(snap, settings) {
    for (const pod of snap.objects.pods) {
      const statuses =
        (pod.status as { containerStatuses?: { name: string; restartCount?: number }[] })
          ?.containerStatuses ?? [];
      for (const c of statuses) {
        if ((c.restartCount ?? 0) > settings.maxRestarts)
          yield {
            object: pod,
            type: resources.pods,
            discriminator: c.name,
            message: `container ${c.name} restarted ${c.restartCount} times`,
            evidence: { restartCount: c.restartCount, threshold: settings.maxRestarts },
            fix: `kubectl logs -p ${pod.metadata.name} -c ${c.name} -n ${pod.metadata.namespace}`,
          };
      }
    }
  },
});
export const CHECKS = [restarts];

const Input = Type.Object(
  {
    namespace: Type.Optional(Type.String({ pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$' })),
    checks: Type.Optional(
      Type.Array(Type.Union(CHECKS.map((c) => Type.Literal(c.id))), { uniqueItems: true }),
    ),
  },
  { additionalProperties: false },
);

export default defineBot({
  name: 'eco-example-bot',
  category: 'container',
  tier: 'small',
  summary: 'Containers restarting too often',
  triggers: { http: true, cron: '*/15 * * * *' },
  rbac: [{ apiGroups: [''], resources: ['pods', 'namespaces'], verbs: ['list'] }],
  mutates: false,
  input: Input,
  settings: SETTINGS,
  async run(input: Static<typeof Input>, ctx) {
    const snap = await takeSnapshot(ctx, KINDS, input.namespace ? { namespace: input.namespace } : {});
    const { findings, errors } = runChecks(ctx, CHECKS, snap, ctx.settings, {
      ...(input.checks ? { only: input.checks } : {}),
    });
    return {
      summary: `${snap.objects.pods.length} pods checked, ${findings.length} findings`,
      findings: [...snap.findings, ...findings],
      errors: [...snap.errors, ...errors],
    };
  },
});
