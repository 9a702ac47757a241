import * as Type from '../../shared/schema/index.ts';
import type { Static } from '../../shared/schema/index.ts';
import {
  SAFETY_RAILS_RBAC,
  defineBot,
  runChecks,
  setting,
  takeSnapshot,
  type Action,
  type Context,
  type SettingValues,
} from '../../shared/index.ts';
import { CHECKS, KINDS, RELOADER, staleness, type ConfigSnap } from './checks.ts';
import { dataHash } from './refs.ts';

const NAME = 'eco-config-bot';

const SETTINGS = {
  skipNamespaces: setting.list({
    env: 'ECO_CONFIG_SKIP_NAMESPACES',
    default: ['kube-system', 'kube-public', 'kube-node-lease'],
    pattern: /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
    meaning: 'namespaces whose ConfigMaps, Secrets and workloads are not checked',
  }),
  reload: setting.boolean({
    env: 'ECO_CONFIG_RELOAD',
    default: true,
    meaning:
      'roll opted-in workloads (reloader.stakater.com/auto: "true") whose config data changed (dry-run unless ECO_MODE=apply)',
  }),
};
type Settings = SettingValues<typeof SETTINGS>;

const Input = Type.Object(
  {
    namespace: Type.Optional(Type.String({ pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$' })),
    checks: Type.Optional(
      Type.Array(Type.Union(CHECKS.map((c) => Type.Literal(c.id))), { uniqueItems: true }),
    ),
    /** false: report only, no rolling restart in this run. */
    reload: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
type Input = Static<typeof Input>;

export default defineBot({
  name: NAME,
  category: 'infrastructure',
  tier: 'medium',
  summary:
    'ConfigMaps and Secrets: references to ones (or keys) that do not exist, ones nothing references, and Reloader: opted-in workloads whose config data changed get a rolling restart (a hash annotation on the pod template)',
  triggers: { http: true, cron: '*/10 * * * *', events: ['org.bsw-arch.eco.config.changed.v1'] },
  rbac: [
    ...SAFETY_RAILS_RBAC,
    { apiGroups: [''], resources: ['pods', 'configmaps', 'secrets', 'serviceaccounts'], verbs: ['list'] },
    {
      apiGroups: ['apps'],
      resources: ['deployments', 'statefulsets', 'daemonsets'],
      verbs: ['get', 'list', 'patch'],
    },
    { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: ['list'] },
    { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: ['list'] },
  ],
  mutates: true,
  input: Input,
  settings: SETTINGS,
  scopeOptions: ['namespace', 'checks'],
  async run(input: Input, ctx: Context<Settings>) {
    const snap: ConfigSnap = await takeSnapshot(
      ctx,
      KINDS,
      input.namespace ? { namespace: input.namespace } : {},
    );
    const settings = { skipNamespaces: ctx.settings.skipNamespaces };
    const { findings, errors } = runChecks(ctx, CHECKS, snap, settings, {
      ...(input.checks ? { only: input.checks } : {}),
    });
    const actions: Action[] = [];
    const reload =
      (input.reload ?? ctx.settings.reload) && !snap.failed.has('configmaps') && !snap.failed.has('secrets');
    if (reload) {
      for (const s of staleness(snap, settings)) {
        if (!s.optedIn || !s.changed) continue;
        const { object, type } = s.consumer;
        const patch = { spec: { template: { metadata: { annotations: { [RELOADER.hash]: s.hash } } } } };
        actions.push(
          await ctx.safety.patch(
            type,
            object,
            patch,
            'merge',
            `config data changed (${s.basis}): ${s.configs.map((c) => `${c.kind ?? ''}/${c.metadata.name}`).join(', ')}`,
            {
              eventReason: 'ConfigReload',
              // A workload changed meanwhile (a deploy) is re-judged: if its template already carries the
              // current hash, nothing is left to do.
              redecide: (fresh) => {
                const current = (
                  fresh.spec as { template?: { metadata?: { annotations?: Record<string, string> } } }
                )?.template?.metadata?.annotations?.[RELOADER.hash];
                return current === dataHash(s.configs) ? false : 'config data changed';
              },
            },
          ),
        );
      }
    }
    const count = (check: string): number => findings.filter((f) => f.check === check).length;
    return {
      summary: `${snap.objects.configmaps.length} ConfigMaps and ${snap.objects.secrets.length} Secrets checked: ${count('config.missing-reference')} workloads with missing references, ${count('config.unused')} unused, ${count('config.reload-needed')} to reload, ${count('config.stale')} stale (not opted in)`,
      findings: [...snap.findings, ...findings],
      errors: [...snap.errors, ...errors],
      data: {
        configmaps: snap.objects.configmaps.length,
        secrets: snap.objects.secrets.length,
        reload,
      },
    };
  },
});
