// eco-terraform-bot: OpenTofu plan JSON (the `tofu show -json` format: resource_changes,
// resource_drift, configuration.provider_config), prohibited providers by normalised registry
// address, destroys/replacements/drift, and tofu-controller's approve-by-plan-id gate. OpenTofu is
// not installable here: the `tofu` path runs a stand-in executable that writes a recorded plan and
// logs its calls.
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import bot, { planFindings } from '../../functions/eco-terraform-bot/handler.ts';
import { changeKind, planId, type Plan } from '../../functions/eco-terraform-bot/plan.ts';
import { silentLogger } from '../../shared/log/index.ts';
import { runBot } from '../../shared/runtime/index.ts';

// A plan as `tofu show -json` writes it (format 1.2): one create, one in-place update, one replace
// (replace_paths + action_reason), one destroy, one drifted resource, the kubernetes provider.
const PLAN: Plan = {
  format_version: '1.2',
  terraform_version: '1.8.5',
  resource_drift: [
    {
      address: 'kubernetes_config_map.settings',
      mode: 'managed',
      type: 'kubernetes_config_map',
      provider_name: 'registry.opentofu.org/hashicorp/kubernetes',
      change: {
        actions: ['update'],
        before: { data: { level: 'info' } },
        after: { data: { level: 'debug' } },
      },
    },
  ],
  resource_changes: [
    {
      address: 'kubernetes_namespace.team',
      provider_name: 'registry.opentofu.org/hashicorp/kubernetes',
      change: { actions: ['create'], before: null, after: { metadata: [{ name: 'team' }] } },
    },
    {
      address: 'kubernetes_config_map.settings',
      provider_name: 'registry.opentofu.org/hashicorp/kubernetes',
      change: { actions: ['update'] },
    },
    {
      address: 'kubernetes_persistent_volume_claim.data',
      provider_name: 'registry.opentofu.org/hashicorp/kubernetes',
      action_reason: 'replace_because_cannot_update',
      change: { actions: ['delete', 'create'], replace_paths: [['spec', 0, 'storage_class_name']] },
    },
    {
      address: 'kubernetes_service.old',
      provider_name: 'registry.opentofu.org/hashicorp/kubernetes',
      change: { actions: ['delete'] },
    },
    {
      address: 'kubernetes_pod.noop',
      provider_name: 'registry.opentofu.org/hashicorp/kubernetes',
      change: { actions: ['no-op'] },
    },
  ],
  configuration: {
    provider_config: {
      kubernetes: { name: 'kubernetes', full_name: 'registry.opentofu.org/hashicorp/kubernetes' },
    },
  },
};

const WITH_AWS: Plan = {
  format_version: '1.1',
  terraform_version: '1.2.4',
  resource_changes: [
    {
      address: 'aws_secretsmanager_secret.default',
      provider_name: 'registry.terraform.io/hashicorp/aws',
      change: { actions: ['create', 'delete'] },
    },
  ],
  configuration: {
    provider_config: { vault: { name: 'vault', full_name: 'registry.terraform.io/hashicorp/vault' } },
  },
};

describe('plan reading', () => {
  it.each([
    [['create'], 'create'],
    [['update'], 'update'],
    [['delete'], 'delete'],
    [['delete', 'create'], 'replace'],
    [['create', 'delete'], 'replace'],
    [['no-op'], 'no-op'],
  ])('actions %j are a %s', (actions, kind) => expect(changeKind(actions)).toBe(kind));

  it('finds destroys, replacements (with the reason and paths) and drift (tofu-controller drift detection)', () => {
    const got = planFindings(PLAN, planId(PLAN)).map((f) => `${f.check} ${f.object.name} ${f.severity}`);
    expect(got).toEqual([
      'terraform.replace kubernetes_persistent_volume_claim.data warning',
      'terraform.destroy kubernetes_service.old critical',
      'terraform.drift kubernetes_config_map.settings warning',
    ]);
  });

  it('finds prohibited providers by normalised registry address (aws, vault)', () => {
    const got = planFindings(WITH_AWS, planId(WITH_AWS)).filter(
      (f) => f.check === 'terraform.prohibited-provider',
    );
    expect(got.map((f) => f.object.name).sort()).toEqual(['hashicorp/aws', 'hashicorp/vault']);
  });
});

let dir: string;
let stand: string;
let workdir: string;
let log: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eco-tofu-test-'));
  workdir = join(dir, 'work');
  await (await import('node:fs/promises')).mkdir(workdir);
  log = join(dir, 'calls.log');
  await writeFile(join(dir, 'recorded-plan.json'), JSON.stringify(PLAN));
  stand = join(dir, 'tofu');
  // The stand-in: `plan -out=F` writes a plan file, `show -json F` prints the recorded plan,
  // `apply F` logs it. Every call is logged with its working directory.
  await writeFile(
    stand,
    [
      '#!/bin/sh',
      `echo "$(pwd) $*" >> '${log}'`,
      'case "$1" in',
      '  plan) for a in "$@"; do case "$a" in -out=*) echo binary-plan > "${a#-out=}";; esac; done; echo "Plan: 1 to add";;',
      `  show) cat '${join(dir, 'recorded-plan.json')}';;`,
      '  apply) echo "Apply complete! Resources: 1 added, 1 changed, 2 destroyed.";;',
      '  *) echo "unknown command $1" >&2; exit 1;;',
      'esac',
      '',
    ].join('\n'),
  );
  await chmod(stand, 0o755);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const invoke = (input: unknown, env: Record<string, string> = {}) =>
  runBot(bot, input, {
    env: { ECO_TOFU_BINARY: stand, ECO_TOFU_WORKDIR: workdir, ...env },
    log: silentLogger,
    trigger: 'http',
  });
const calls = async (): Promise<string[]> =>
  (await readFile(log, 'utf8').catch(() => ''))
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split(' ').slice(1, 2).join(''));

describe('eco-terraform-bot with the tofu CLI (stand-in)', () => {
  it('plans the workdir (plan -out, show -json) and reports the plan id and findings', async () => {
    await writeFile(log, '');
    const report = await invoke({});
    expect(await calls()).toEqual(['plan', 'show']);
    expect(report.data).toMatchObject({
      planId: planId(PLAN),
      changes: { create: 1, update: 1, replace: 1, delete: 1 },
      drift: 1,
    });
    expect(report.summary).toContain(`approve with {"approve": "${planId(PLAN)}"}`);
    expect(report.actions).toEqual([]);
  });

  it('apply needs the approved id AND apply mode: dry-run plans, apply runs tofu apply once', async () => {
    await writeFile(log, '');
    const dry = await invoke({ approve: planId(PLAN) });
    expect(dry.actions.map((a) => `${a.verb} ${a.object.kind} ${a.status}`)).toEqual([
      'update TofuPlan planned',
    ]);
    expect(await calls()).toEqual(['plan', 'show']);
    await writeFile(log, '');
    const applied = await invoke({ approve: planId(PLAN) }, { ECO_MODE: 'apply' });
    expect(applied.actions.map((a) => a.status)).toEqual(['applied']);
    expect(await calls()).toEqual(['plan', 'show', 'apply']);
  });

  it('a stale approval (the plan changed) is refused with a finding, never applied', async () => {
    await writeFile(log, '');
    const report = await invoke({ approve: 'a'.repeat(64) }, { ECO_MODE: 'apply' });
    expect(report.actions).toEqual([]);
    expect(report.findings.find((f) => f.check === 'terraform.apply-refused')?.message).toMatch(
      /plan changed/,
    );
    expect(await calls()).toEqual(['plan', 'show']);
  });

  it('a posted plan is judged but never applied (no plan file); prohibited providers block apply', async () => {
    const report = await invoke({ plan: WITH_AWS, approve: planId(WITH_AWS) }, { ECO_MODE: 'apply' });
    expect(report.actions).toEqual([]);
    expect(report.findings.map((f) => f.check).sort()).toEqual([
      'terraform.apply-refused',
      'terraform.prohibited-provider',
      'terraform.prohibited-provider',
      'terraform.replace',
    ]);
  });

  it('without tofu on PATH: a finding, no crash; without a workdir: unconfigured', async () => {
    const missing = await invoke({}, { ECO_TOFU_BINARY: join(dir, 'nope', 'tofu') });
    expect(missing.findings.map((f) => f.check)).toEqual(['terraform.tofu-missing']);
    const unconfigured = await runBot(bot, {}, { env: {}, log: silentLogger, trigger: 'cron' });
    expect(unconfigured.findings.map((f) => [f.check, f.object.name])).toEqual([
      ['eco-terraform-bot.unconfigured', 'ECO_TOFU_WORKDIR'],
    ]);
  });

  it('bad input is a 400 naming the field', async () => {
    await expect(invoke({ approve: 'xyz' })).rejects.toThrow(/approve/);
    await expect(invoke({ plan: { nothing: true } })).rejects.toThrow(/plan/);
  });
});
