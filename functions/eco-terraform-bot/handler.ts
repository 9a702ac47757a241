import * as Type from '../../shared/schema/index.ts';
import type { Static } from '../../shared/schema/index.ts';
import {
  SAFETY_RAILS_RBAC,
  ValidationError,
  defineBot,
  finding,
  setting,
  type Context,
  type Finding,
  type ObjectRef,
  type ReportError,
  type SettingValues,
  unconfiguredFinding,
} from '../../shared/index.ts';
import { changeKind, isPlan, planId, prohibitedOf, summary, type Plan } from './plan.ts';
import { findBinary, planAndShow, tofu } from './tofu.ts';

const NAME = 'eco-terraform-bot';

const SETTINGS = {
  workdir: setting.string({
    env: 'ECO_TOFU_WORKDIR',
    meaning:
      'an initialised OpenTofu working directory the bot plans on its schedule (tofu plan -out, show -json)',
  }),
  binary: setting.string({
    env: 'ECO_TOFU_BINARY',
    default: 'tofu',
    meaning: 'the OpenTofu CLI (a name looked up on PATH, or a path); never terraform',
  }),
  timeoutSeconds: setting.number({
    env: 'ECO_TOFU_TIMEOUT_SECONDS',
    default: 300,
    min: 10,
    max: 3600,
    integer: true,
    meaning: 'how long one tofu command may run',
  }),
};
type Settings = SettingValues<typeof SETTINGS>;

const Input = Type.Object(
  {
    /** The JSON of `tofu show -json <planfile>`. */
    plan: Type.Optional(Type.Object({}, { additionalProperties: true })),
    /** Approves the plan with this id (SHA-256 of the plan JSON): applied in apply mode only. */
    approve: Type.Optional(Type.String({ pattern: '^[0-9a-f]{64}$' })),
  },
  { additionalProperties: false },
);
type Input = Static<typeof Input>;

const ref = (kind: string, name: string): ObjectRef => ({ apiVersion: 'eco.bsw-arch.org/v1', kind, name });

/** The findings of a plan: prohibited providers, destroys and replacements, drift. */
export function planFindings(plan: Plan, id: string): Finding[] {
  const out: Finding[] = [];
  for (const p of prohibitedOf(plan))
    out.push(
      finding({
        bot: NAME,
        check: 'terraform.prohibited-provider',
        severity: 'critical',
        object: ref('TofuProvider', p.provider),
        message: `The plan uses provider ${p.provider} (${p.what}), which this platform prohibits: it is never applied.`,
        evidence: { provider: p.provider, seenIn: p.seenIn, planId: id },
        fix: 'Remove the provider and its resources from the configuration.',
      }),
    );
  for (const rc of plan.resource_changes ?? []) {
    const kind = changeKind(rc.change?.actions);
    if (kind !== 'delete' && kind !== 'replace') continue;
    out.push(
      finding({
        bot: NAME,
        check: kind === 'delete' ? 'terraform.destroy' : 'terraform.replace',
        severity: kind === 'delete' ? 'critical' : 'warning',
        object: ref('TofuResource', rc.address),
        message:
          kind === 'delete'
            ? `The plan destroys ${rc.address}.`
            : `The plan replaces ${rc.address} (destroy and re-create)${rc.action_reason ? `: ${rc.action_reason}` : ''}.`,
        evidence: {
          actions: rc.change?.actions ?? [],
          ...(rc.action_reason ? { reason: rc.action_reason } : {}),
          ...(rc.change?.replace_paths ? { replacePaths: rc.change.replace_paths } : {}),
          provider: rc.provider_name ?? null,
          planId: id,
        },
        fix:
          kind === 'delete'
            ? 'Check that the destroy is intended; add lifecycle { prevent_destroy = true } to resources that must survive.'
            : 'Check which attribute forces the replacement (replacePaths) and whether in-place change is possible.',
      }),
    );
  }
  for (const rc of plan.resource_drift ?? [])
    out.push(
      finding({
        bot: NAME,
        check: 'terraform.drift',
        severity: 'warning',
        object: ref('TofuResource', rc.address),
        message: `${rc.address} changed outside OpenTofu since the last apply (${changeKind(rc.change?.actions)}).`,
        evidence: {
          actions: rc.change?.actions ?? [],
          before: rc.change?.before ?? null,
          after: rc.change?.after ?? null,
          planId: id,
        },
        fix: 'Bring the change into the configuration, or apply the plan to revert it.',
      }),
    );
  return out;
}

export default defineBot({
  name: NAME,
  category: 'infrastructure',
  tier: 'large',
  summary:
    'OpenTofu (never Terraform): plans ECO_TOFU_WORKDIR (tofu plan -out, show -json) or reads a posted plan; prohibited providers (FAGAM, Vault), destroys, replacements, drift; applies only a plan whose id was approved, in apply mode (tofu-controller approvePlan)',
  triggers: { http: true, cron: '0 */6 * * *' },
  rbac: [...SAFETY_RAILS_RBAC],
  mutates: true,
  input: Input,
  settings: SETTINGS,
  async run(input: Input, ctx: Context<Settings>) {
    const errors: ReportError[] = [];
    const findings: Finding[] = [];
    const binary = await findBinary(ctx.settings.binary, process.env['PATH']);
    let json: unknown = input.plan;
    let planFile: string | undefined;
    let cleanup: (() => Promise<void>) | undefined;
    if (json !== undefined && !isPlan(json))
      throw new ValidationError(
        'invalid options: plan: not the JSON of tofu show -json (no format_version)',
        {
          issues: [{ path: '/plan', message: 'expected a plan with format_version' }],
        },
      );
    if (json === undefined) {
      const workdir = ctx.settings.workdir;
      if (workdir === undefined)
        return {
          summary: 'nothing to plan: no plan posted and ECO_TOFU_WORKDIR is not set',
          findings: [
            unconfiguredFinding({
              bot: NAME,
              setting: 'ECO_TOFU_WORKDIR',
              message: 'No plan was posted and ECO_TOFU_WORKDIR is not set, so nothing was planned.',
              fix: 'POST {"plan": <tofu show -json output>} or set ECO_TOFU_WORKDIR to an initialised OpenTofu directory.',
            }),
          ],
        };
      if (!binary)
        return {
          summary: `cannot plan ${workdir}: the OpenTofu CLI (${ctx.settings.binary}) is not installed`,
          findings: [
            finding({
              bot: NAME,
              check: 'terraform.tofu-missing',
              severity: 'warning',
              object: ref('Setting', 'ECO_TOFU_BINARY'),
              message: `The OpenTofu CLI "${ctx.settings.binary}" is not on PATH, so ${workdir} was not planned.`,
              fix: 'Install OpenTofu in the image (never Terraform) or set ECO_TOFU_BINARY to its path.',
            }),
          ],
        };
      try {
        const planned = await planAndShow(binary, workdir, ctx.settings.timeoutSeconds * 1000, ctx.signal);
        ({ json, planFile, cleanup } = planned);
      } catch (error) {
        errors.push({ code: 'tofu-failed', message: (error as Error).message });
        return { summary: `tofu plan failed in ${workdir}`, findings, errors };
      }
    }
    try {
      const plan = json as Plan;
      const id = planId(plan);
      findings.push(...planFindings(plan, id));
      const counts = summary(plan);
      const changes = counts.create + counts.update + counts.delete + counts.replace;
      const blocked = findings.some((f) => f.check === 'terraform.prohibited-provider');
      if (input.approve !== undefined) {
        const why =
          input.approve !== id
            ? `the approved id ${input.approve.slice(0, 12)}... is not this plan (${id.slice(0, 12)}...): the plan changed since it was approved`
            : blocked
              ? 'the plan uses a prohibited provider'
              : !planFile || !binary
                ? 'only a plan made here from ECO_TOFU_WORKDIR with the tofu CLI can be applied (a posted plan has no plan file)'
                : undefined;
        if (why !== undefined)
          findings.push(
            finding({
              bot: NAME,
              check: 'terraform.apply-refused',
              severity: 'warning',
              object: ref('TofuPlan', id),
              message: `The approved apply was not run: ${why}.`,
              evidence: { approved: input.approve, planId: id },
              fix: 'Review the current plan and approve its id: {"approve": "<planId>"}.',
            }),
          );
        else if (changes > 0 && planFile && binary && ctx.settings.workdir) {
          const file = planFile;
          const workdir = ctx.settings.workdir;
          await ctx.safety.external(
            'update',
            ref('TofuPlan', id),
            `apply approved plan ${id.slice(0, 12)} (${counts.create} to add, ${counts.update + counts.replace} to change, ${counts.delete + counts.replace} to destroy)`,
            async () => {
              const applied = await tofu(
                binary,
                ['apply', '-input=false', '-no-color', file],
                workdir,
                ctx.settings.timeoutSeconds * 1000,
                ctx.signal,
              );
              return { output: applied.stdout.trim().split('\n').slice(-1)[0] ?? '' };
            },
            { before: { planId: id } },
          );
        }
      }
      return {
        summary:
          `plan ${id.slice(0, 12)}: ${counts.create} to add, ${counts.update} to change, ${counts.replace} to replace, ${counts.delete} to destroy; ${(plan.resource_drift ?? []).length} drifted` +
          (changes > 0 && input.approve === undefined ? `; approve with {"approve": "${id}"}` : ''),
        findings,
        errors,
        data: {
          planId: id,
          changes: counts,
          drift: (plan.resource_drift ?? []).length,
          tofu: binary ?? null,
        },
      };
    } finally {
      await cleanup?.();
    }
  },
});
