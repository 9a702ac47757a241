import { afterEach, describe, expect, it } from 'vitest';
import { Type } from '@sinclair/typebox';
import { defineBot } from '../../../shared/bot/define-bot.ts';
import type { KubeObject, ResourceType } from '../../../shared/k8s/types.ts';
import { resources } from '../../../shared/k8s/resources.ts';
import { check, runChecks, takeSnapshot } from '../../../shared/scan/index.ts';
import type { Snapshot } from '../../../shared/scan/index.ts';
import { startBotHarness, type BotHarness } from '../../helpers/k8s-harness.ts';

const gateways: ResourceType = {
  group: 'gateway.networking.k8s.io',
  version: 'v1',
  plural: 'httproutes',
  kind: 'HTTPRoute',
  namespaced: true,
};
const KINDS = { namespaces: resources.namespaces, pods: resources.pods, routes: gateways };
type Snap = Snapshot<typeof KINDS>;

const unlabelled = check<Snap, { label: string }>({
  id: 'probe.namespace-unlabelled',
  severity: 'warning',
  title: 'namespaces without the owner label',
  anchor: 'test',
  *run(snap, settings) {
    for (const n of snap.objects.namespaces) {
      if (n.metadata.labels?.[settings.label] === undefined)
        yield {
          object: n,
          type: resources.namespaces,
          message: `no ${settings.label} label`,
          evidence: { labels: n.metadata.labels ?? {} },
        };
    }
  },
});
const broken = check<Snap, { label: string }>({
  id: 'probe.broken',
  severity: 'info',
  title: 'throws',
  anchor: 'test',
  run() {
    throw new Error('boom');
  },
});

const bot = defineBot({
  name: 'eco-probe-bot',
  category: 'infrastructure',
  tier: 'small',
  summary: 'scanner kit probe',
  triggers: { http: true },
  rbac: [
    { apiGroups: [''], resources: ['namespaces'], verbs: ['list'] },
    { apiGroups: ['gateway.networking.k8s.io'], resources: ['httproutes'], verbs: ['list'] },
  ],
  mutates: false,
  input: Type.Object({}),
  async run(_input, ctx) {
    const snap = await takeSnapshot(ctx, KINDS);
    const { findings, errors } = runChecks(
      ctx,
      [unlabelled, broken],
      snap,
      { label: 'owner' },
      {
        runbook: (id) => `docs/runbooks/${id}.md`,
      },
    );
    return {
      summary: 'scanned',
      findings: [...snap.findings, ...findings],
      errors: [...snap.errors, ...errors],
    };
  },
});

let harness: BotHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('the scanner kit', () => {
  it('reads each kind once, turns a missing API into one api-missing finding and a forbidden read into a report error, and a throwing check into a report error', async () => {
    const objects: KubeObject[] = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', labels: { owner: 'x' } } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-b' } },
    ];
    harness = await startBotHarness(bot, { objects });
    const report = await harness.run({});
    const ours = report.findings.filter(
      (f) => !f.object.name.startsWith('kube-') && f.object.name !== 'default',
    );
    expect(ours.map((f) => `${f.check} ${f.object.name}`).sort()).toEqual([
      'eco-probe-bot.api-missing httproutes.gateway.networking.k8s.io',
      'probe.namespace-unlabelled team-b',
    ]);
    const f = ours.find((x) => x.check === 'probe.namespace-unlabelled');
    expect(f).toMatchObject({
      severity: 'warning',
      object: { apiVersion: 'v1', kind: 'Namespace', name: 'team-b' },
      runbook: 'docs/runbooks/probe.namespace-unlabelled.md',
    });
    expect(report.errors.map((e) => e.code).sort()).toEqual(['check-failed', 'k8s-forbidden']);
    expect(harness.emulator.requests.filter((r) => r.path === '/api/v1/namespaces')).toHaveLength(1);
  });

  it('runs only the checks asked for', () => {
    const snap = {
      objects: { namespaces: [{ metadata: { name: 'a' } }], pods: [], routes: [] },
      missing: new Set(),
      failed: new Set(),
      errors: [],
      findings: [],
      takenAt: new Date(0),
    } as unknown as Snap;
    const ctx = { bot: 'eco-probe-bot', now: () => new Date(0) };
    expect(
      runChecks(ctx, [unlabelled, broken], snap, { label: 'owner' }, { only: ['probe.broken'] }).findings,
    ).toEqual([]);
    expect(runChecks(ctx, [unlabelled], snap, { label: 'owner' }).findings).toHaveLength(1);
  });
});
