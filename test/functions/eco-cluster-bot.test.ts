// eco-cluster-bot: readyz/livez parsing (kube-apiserver's verbose format), the version skew policy,
// Popeye's grade scale, and runs against the emulator with the bot's own RBAC (a failing /readyz is
// injected with the cluster client's intercept, as kube-apiserver answers it: 500 and the check list).
import { afterEach, describe, expect, it } from 'vitest';
import bot from '../../functions/eco-cluster-bot/handler.ts';
import { grade, skewOf } from '../../functions/eco-cluster-bot/checks.ts';
import { parseVerbose, parseVersion, type Version } from '../../functions/eco-cluster-bot/health.ts';
import { K8sApiError } from '../../shared/k8s/errors.ts';
import type { K8s, KubeObject } from '../../shared/k8s/types.ts';
import { startBotHarness, type BotHarness } from '../helpers/k8s-harness.ts';

const v = (text: string): Version => parseVersion(text) as Version;

describe('version skew policy (kubelet up to 3 minors older than kube-apiserver, never newer)', () => {
  it.each([
    ['v1.35.0', 'v1.35.2', 'ok'],
    ['v1.35.0', 'v1.33.1', 'ok'],
    ['v1.35.0', 'v1.32.9', 'at-limit'],
    ['v1.35.0', 'v1.31.4', 'too-old'],
    ['v1.34.1', 'v1.35.0', 'newer'],
    ['v1.35.0', 'v1.35.0-eks-1234', 'ok'],
    ['v1.35.0', 'v1.30.2+k3s1', 'too-old'],
  ])('apiserver %s, kubelet %s: %s', (server, kubelet, kind) => {
    expect(skewOf(v(server), v(kubelet)).kind).toBe(kind);
  });
});

describe("Popeye's grade scale (internal/report/grade.go)", () => {
  it.each([
    [100, 'A'],
    [90, 'A'],
    [89, 'B'],
    [80, 'B'],
    [70, 'C'],
    [60, 'D'],
    [50, 'E'],
    [49, 'F'],
  ])('%i -> %s', (score, letter) => expect(grade(score)).toBe(letter));
});

describe('readyz/livez verbose parsing', () => {
  it('names the failed checks and their reasons', () => {
    const text =
      '[+]ping ok\n[+]log ok\n[-]etcd failed: reason withheld\n[+]informer-sync ok\n[-]poststarthook/rbac/bootstrap-roles failed: not finished\nreadyz check failed\n';
    const { checks, passed } = parseVerbose(text);
    expect(passed).toBe(false);
    expect(checks.filter((c) => !c.ok)).toEqual([
      { name: 'etcd', ok: false, reason: 'reason withheld' },
      { name: 'poststarthook/rbac/bootstrap-roles', ok: false, reason: 'not finished' },
    ]);
    expect(checks).toHaveLength(5);
  });
  it('reads an excluded check as passed', () => {
    expect(parseVerbose('[+]etcd excluded: ok\nlivez check passed\n')).toEqual({
      checks: [{ name: 'etcd', ok: true }],
      passed: true,
    });
  });
});

const node = (name: string, kubelet: string, ready = 'True'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name },
  status: {
    conditions: [{ type: 'Ready', status: ready, lastTransitionTime: '2026-05-01T00:00:00Z' }],
    nodeInfo: { kubeletVersion: kubelet, architecture: 'amd64' },
  },
});

let harness: BotHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('eco-cluster-bot against the emulator (RBAC enforced)', () => {
  it('healthy control plane: readyz/livez parsed, skewed kubelets found, score and grade in data', async () => {
    harness = await startBotHarness(bot, {
      objects: [
        node('a', 'v1.35.0'),
        node('b', 'v1.32.9'),
        node('c', 'v1.31.0'),
        node('d', 'v1.35.0', 'Unknown'),
      ],
    });
    const report = await harness.run({});
    expect(report.errors).toEqual([]);
    const got = report.findings.map((f) => `${f.check} ${f.object.name} ${f.severity}`).sort();
    expect(got).toEqual([
      'cluster.nodes-not-ready cluster warning',
      'cluster.version-skew b warning',
      'cluster.version-skew c critical',
    ]);
    expect(report.data).toMatchObject({
      version: 'v1.35.0',
      readyz: { ok: true, failed: [] },
      livez: { ok: true },
    });
    // apiserver 100, nodes 75, skew 50, cluster 100 => 81 (Popeye: mean of the section scores)
    expect(report.data).toMatchObject({ score: 81, grade: 'B' });
    expect(report.findings.find((f) => f.object.name === 'c')?.evidence).toMatchObject({
      apiserver: 'v1.35.0',
      kubelet: 'v1.31.0',
      minorsBehind: 4,
    });
    expect(harness.emulator.requests.every((r) => r.status === 200)).toBe(true);
  });

  it('names the failed readyz checks when kube-apiserver answers 500', async () => {
    harness = await startBotHarness(bot, { objects: [node('a', 'v1.35.0')] });
    const intercept = (k8s: K8s): K8s =>
      Object.assign(Object.create(null) as K8s, k8s, {
        list: k8s.list.bind(k8s),
        async request(...args: Parameters<K8s['request']>) {
          if (args[1] === '/readyz?verbose')
            throw new K8sApiError({
              status: 500,
              method: 'GET',
              path: '/readyz?verbose',
              bodyText: '[+]ping ok\n[-]etcd failed: reason withheld\n[+]shutdown ok\nreadyz check failed\n',
            });
          return k8s.request(...(args as [string, string]));
        },
      });
    const report = await harness.run({}, { intercept });
    const f = report.findings.find((x) => x.check === 'cluster.readyz-failed');
    expect(f?.message).toMatch(/fails 1 check\(s\): etcd/);
    expect(f?.evidence).toMatchObject({ status: 500, failed: [{ name: 'etcd', reason: 'reason withheld' }] });
    expect(report.findings.some((x) => x.check === 'cluster.livez-failed')).toBe(false);
  });

  it('an unreachable /livez is a finding naming the error, not a crash', async () => {
    harness = await startBotHarness(bot, { objects: [node('a', 'v1.35.0')] });
    const intercept = (k8s: K8s): K8s =>
      Object.assign(Object.create(null) as K8s, k8s, {
        list: k8s.list.bind(k8s),
        async request(...args: Parameters<K8s['request']>) {
          if (args[1] === '/livez?verbose') throw new Error('connect ECONNREFUSED');
          return k8s.request(...(args as [string, string]));
        },
      });
    const report = await harness.run({}, { intercept });
    expect(report.findings.find((x) => x.check === 'cluster.livez-failed')?.message).toMatch(/ECONNREFUSED/);
  });

  it('an old control plane is Popeye 405', async () => {
    harness = await startBotHarness(bot, {
      objects: [node('a', 'v1.35.0')],
      env: { ECO_CLUSTER_LATEST_MINOR: '38' },
    });
    const report = await harness.run({});
    expect(report.findings.map((f) => f.check)).toContain('cluster.version-old');
  });

  it('a bad option is a 400 naming the field', async () => {
    harness = await startBotHarness(bot, { objects: [] });
    await expect(harness.run({ checks: ['cluster.x'] })).rejects.toThrow(/checks/);
  });
});
