// eco-provision-bot: a tenant as Kyverno's add-ns-quota / add-network-policy / add-rolebinding
// generate it, through the rails, with the bot's own RBAC; idempotence; a namespace with other
// settings left alone; bad input a 400 naming the field; and the real kubectl (end to end) showing
// what was created in the emulator.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import bot, { PROVISION_EVENT, tenantPieces } from '../../functions/eco-provision-bot/handler.ts';
import type { KubeObject } from '../../shared/k8s/types.ts';
import { startBotHarness, type BotHarness } from '../helpers/k8s-harness.ts';

const run = promisify(execFile);

let harness: BotHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const existing: KubeObject[] = [
  {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: 'taken',
      labels: { 'eco.bsw-arch.org/tier': 'large', 'eco.bsw-arch.org/owner': 'team-a' },
    },
  },
];
const start = async (env: Record<string, string> = {}) =>
  (harness = await startBotHarness(bot, {
    objects: existing,
    env: { ECO_MAX_ACTIONS: '10', ECO_PROTECTED_NAMESPACES: 'kube-system,reserved', ...env },
    // TLS as a real API server: kubectl sends no bearer token over plain HTTP.
    emulator: { tls: true },
  }));
const store = (h: BotHarness, group: string, plural: string, ns?: string): string[] =>
  (h.emulator.store.list({ group, plural }) as KubeObject[])
    .filter((o) => ns === undefined || o.metadata.namespace === ns)
    .map((o) => o.metadata.name)
    .sort();

describe('tenant pieces (Kyverno best-practices generate rules, seed tiers)', () => {
  it('namespace, quota, limit range, default deny with DNS egress, owner RoleBinding to edit', () => {
    const pieces = tenantPieces('team-x', 'medium', 'team-x-devs');
    expect(pieces.map((p) => `${p.object.kind}/${p.object.metadata.name}`)).toEqual([
      'Namespace/team-x',
      'ResourceQuota/tenant-quota',
      'LimitRange/tenant-limits',
      'NetworkPolicy/default-deny',
      'RoleBinding/owner-edit',
    ]);
    const [ns, quota, , policy, binding] = pieces.map((p) => p.object);
    expect(ns?.metadata.labels).toMatchObject({
      'eco.bsw-arch.org/tier': 'medium',
      'eco.bsw-arch.org/owner': 'team-x-devs',
    });
    expect((quota?.spec as { hard: Record<string, string> }).hard).toMatchObject({
      'requests.cpu': '6250m',
      'limits.memory': '12800Mi',
    });
    expect(policy?.spec).toMatchObject({
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      egress: [
        {
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
      ],
    });
    expect(binding).toMatchObject({
      roleRef: { kind: 'ClusterRole', name: 'edit' },
      subjects: [{ kind: 'Group', name: 'team-x-devs' }],
    });
    expect(tenantPieces('t', 'small', undefined)).toHaveLength(4);
  });
});

describe('eco-provision-bot against the emulator (RBAC enforced)', () => {
  it('dry-run: plans the namespace and records its contents as waiting for it; creates nothing', async () => {
    const h = await start();
    const report = await h.run({ namespace: 'team-x', tier: 'small', owner: 'team-x-devs' });
    expect(report.actions.map((a) => `${a.verb} ${a.object.kind} ${a.status}`)).toEqual([
      'create Namespace planned',
      'create ResourceQuota skipped',
      'create LimitRange skipped',
      'create NetworkPolicy skipped',
      'create RoleBinding skipped',
    ]);
    expect(store(h, '', 'namespaces')).not.toContain('team-x');
  });

  it('apply: creates the tenant; a second run creates nothing ("already provisioned"); kubectl shows it', async () => {
    const h = await start({ ECO_MODE: 'apply' });
    const first = await h.run({ namespace: 'team-x', tier: 'medium', owner: 'team-x-devs' });
    expect(first.actions.map((a) => `${a.object.kind} ${a.status}`)).toEqual([
      'Namespace applied',
      'ResourceQuota applied',
      'LimitRange applied',
      'NetworkPolicy applied',
      'RoleBinding applied',
    ]);
    expect(first.errors).toEqual([]);
    const second = await h.run({ namespace: 'team-x', tier: 'medium', owner: 'team-x-devs' });
    expect(second.actions).toEqual([]);
    expect(second.summary).toMatch(/already provisioned/);

    // The real kubectl, with the bot's own kubeconfig, sees exactly what was created.
    const { stdout } = await run(
      'kubectl',
      [
        '--kubeconfig',
        h.kubeconfig,
        'get',
        'ns,quota,limits,netpol,rolebinding',
        '-n',
        'team-x',
        '-o',
        'json',
      ],
      { timeout: 30_000 },
    );
    const items = (JSON.parse(stdout) as { items: KubeObject[] }).items
      .filter((o) => o.kind !== 'Namespace' || o.metadata.name === 'team-x')
      .map((o) => `${o.kind}/${o.metadata.name}`)
      .sort();
    expect(items).toEqual([
      'LimitRange/tenant-limits',
      'Namespace/team-x',
      'NetworkPolicy/default-deny',
      'ResourceQuota/tenant-quota',
      'RoleBinding/owner-edit',
    ]);
    const { stdout: quota } = await run(
      'kubectl',
      [
        '--kubeconfig',
        h.kubeconfig,
        'get',
        'resourcequota',
        'tenant-quota',
        '-n',
        'team-x',
        '-o',
        'jsonpath={.spec.hard.requests\\.cpu}',
      ],
      { timeout: 30_000 },
    );
    expect(quota).toBe('6250m');
  });

  it('repairs a provisioned tenant that lost a piece, and the {} run reports the loss first', async () => {
    const h = await start({ ECO_MODE: 'apply' });
    await h.run({ namespace: 'team-y', tier: 'small' });
    h.emulator.store.delete(
      { group: 'networking.k8s.io', plural: 'networkpolicies' },
      'default-deny',
      'team-y',
    );
    const sweep = await h.run({});
    expect(sweep.findings.map((f) => `${f.check} ${f.object.name}`)).toEqual(['provision.drift team-y']);
    expect(sweep.findings[0]?.evidence).toMatchObject({ missing: ['NetworkPolicy/default-deny'] });
    const repair = await h.run({ namespace: 'team-y', tier: 'small' });
    expect(repair.actions.map((a) => `${a.object.kind} ${a.status}`)).toEqual(['NetworkPolicy applied']);
  });

  it('an existing namespace with other settings is reported, not overwritten', async () => {
    const h = await start({ ECO_MODE: 'apply' });
    const report = await h.run({ namespace: 'taken', tier: 'small', owner: 'team-b' });
    expect(report.actions).toEqual([]);
    expect(report.findings.map((f) => f.check)).toEqual(['provision.conflict']);
    expect(report.findings[0]?.message).toMatch(
      /tier large \(requested small\), owner team-a \(requested team-b\)/,
    );
    expect(store(h, '', 'resourcequotas', 'taken')).toEqual([]);
  });

  it('a protected namespace is never created', async () => {
    const h = await start({ ECO_MODE: 'apply' });
    const report = await h.run({ namespace: 'reserved', tier: 'small' });
    expect(report.actions[0]).toMatchObject({ status: 'skipped' });
    expect(report.actions[0]?.reason).toMatch(/protected/);
  });

  it.each([
    [{ namespace: 'Bad_Name', tier: 'small' }, /namespace/],
    [{ namespace: 'ok', tier: 'huge' }, /tier/],
    [{ namespace: 'ok' }, /tier: required, one of small, medium, large/],
    [{ tier: 'small' }, /namespace: required/],
    [{ namespace: 'ok', tier: 'small', extra: 1 }, /extra|additional/i],
  ])('bad input %j is a 400 naming the field', async (input, message) => {
    const h = await start();
    await expect(h.run(input)).rejects.toMatchObject({ status: 400 });
    await expect(h.run(input)).rejects.toThrow(message);
  });

  it('is woken by the provisioning CloudEvent with the same data', () => {
    expect(bot.triggers.events).toEqual([PROVISION_EVENT]);
  });
});
