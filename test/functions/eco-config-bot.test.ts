// eco-config-bot: references in every place kubelet resolves them (Popeye 304/407), unused
// ConfigMaps/Secrets (Popeye 400, k8s-cleaner), and Reloader's rolling restart of opted-in workloads
// whose config data changed, through the rails, against the emulator with the bot's own RBAC.
import { afterEach, describe, expect, it } from 'vitest';
import bot from '../../functions/eco-config-bot/handler.ts';
import { RELOADER } from '../../functions/eco-config-bot/checks.ts';
import { dataHash, refsOf, type PodSpec } from '../../functions/eco-config-bot/refs.ts';
import type { K8s, KubeObject } from '../../shared/k8s/types.ts';
import { startBotHarness, type BotHarness } from '../helpers/k8s-harness.ts';

const NOW = new Date('2026-06-01T12:00:00Z');
const hoursAgo = (h: number): string => new Date(NOW.getTime() - h * 3_600_000).toISOString();

describe('references kubelet resolves', () => {
  it('finds env, envFrom, volumes and projected volumes, and keeps optional ones apart', () => {
    const spec: PodSpec = {
      initContainers: [{ name: 'init', envFrom: [{ secretRef: { name: 'init-secret' } }] }],
      containers: [
        {
          name: 'app',
          env: [
            { name: 'HOST', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'host' } } },
            { name: 'PASS', valueFrom: { secretKeyRef: { name: 'db', key: 'password', optional: true } } },
          ],
          envFrom: [{ configMapRef: { name: 'all' } }],
        },
      ],
      volumes: [
        { name: 'v1', configMap: { name: 'files' } },
        { name: 'v2', secret: { secretName: 'certs' } },
        {
          name: 'v3',
          projected: { sources: [{ configMap: { name: 'p-cm' } }, { secret: { name: 'p-sec' } }] },
        },
      ],
    };
    expect(
      refsOf(spec).map((r) => `${r.kind}/${r.name}${r.key ? `#${r.key}` : ''}${r.optional ? '?' : ''}`),
    ).toEqual([
      'Secret/init-secret',
      'ConfigMap/cfg#host',
      'Secret/db#password?',
      'ConfigMap/all',
      'ConfigMap/files',
      'Secret/certs',
      'ConfigMap/p-cm',
      'Secret/p-sec',
    ]);
  });
  it('hashes data so that any change of a value changes the hash, and order does not', () => {
    const cm = (data: Record<string, string>): KubeObject =>
      ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data }) as KubeObject;
    expect(dataHash([cm({ a: '1', b: '2' })])).toBe(dataHash([cm({ b: '2', a: '1' })]));
    expect(dataHash([cm({ a: '1' })])).not.toBe(dataHash([cm({ a: '2' })]));
  });
});

const cm = (
  namespace: string,
  name: string,
  data: Record<string, string>,
  createdHoursAgo = 100,
): KubeObject =>
  ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace, creationTimestamp: hoursAgo(createdHoursAgo) },
    data,
  }) as KubeObject;
const secret = (
  namespace: string,
  name: string,
  type = 'Opaque',
  extra: Partial<KubeObject['metadata']> = {},
): KubeObject =>
  ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace, creationTimestamp: hoursAgo(100), ...extra },
    type,
    data: { k: 'dg==' },
  }) as KubeObject;

function deploy(
  name: string,
  spec: PodSpec,
  opts: { annotations?: Record<string, string>; templateAnnotations?: Record<string, string> } = {},
): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace: 'apps',
      creationTimestamp: hoursAgo(200),
      ...(opts.annotations ? { annotations: opts.annotations } : {}),
    },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: {
          labels: { app: name },
          ...(opts.templateAnnotations ? { annotations: opts.templateAnnotations } : {}),
        },
        spec: { containers: [{ name: 'app', image: 'nginx:1.27' }], ...spec } as Record<string, unknown>,
      },
    },
  };
}
const podOf = (app: string, startedHoursAgo: number): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: `${app}-abc`,
    namespace: 'apps',
    labels: { app },
    ownerReferences: [
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${app}-rs`, uid: `uid-${app}`, controller: true },
    ],
  },
  spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
  status: { phase: 'Running', startTime: hoursAgo(startedHoursAgo) },
});

const settingsCm = cm('apps', 'settings', { LEVEL: 'info' });
const cluster = (): KubeObject[] => [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } },
  settingsCm,
  cm('apps', 'replaced', { LEVEL: 'debug' }, 2), // re-created 2 h ago, after the pods started
  cm('apps', 'orphan', { X: '1' }),
  cm('apps', 'kube-root-ca.crt', { 'ca.crt': 'x' }),
  secret('apps', 'tls', 'kubernetes.io/tls'),
  secret('apps', 'token', 'kubernetes.io/service-account-token'),
  secret('apps', 'sh.helm.release.v1.app.v1', 'helm.sh/release.v1'),
  secret('apps', 'owned', 'Opaque', {
    ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'x', uid: 'u' }],
  }),
  secret('apps', 'unused-secret'),
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'web', namespace: 'apps' },
    spec: { tls: [{ hosts: ['a.example.com'], secretName: 'tls' }], rules: [] },
  },
  deploy('broken', {
    containers: [{ name: 'app', envFrom: [{ configMapRef: { name: 'nope' } }] }],
  } as PodSpec),
  deploy('badkey', {
    containers: [
      {
        name: 'app',
        env: [{ name: 'L', valueFrom: { configMapKeyRef: { name: 'settings', key: 'MISSING' } } }],
      },
    ],
  } as PodSpec),
  deploy('optional', {
    containers: [{ name: 'app', envFrom: [{ configMapRef: { name: 'nope', optional: true } }] }],
  } as PodSpec),
  // Opted in; its template carries the hash of older data: reload.
  deploy(
    'auto',
    { volumes: [{ name: 'c', configMap: { name: 'settings' } }] },
    {
      annotations: { [RELOADER.auto]: 'true' },
      templateAnnotations: { [RELOADER.hash]: 'old' },
    },
  ),
  podOf('auto', 50),
  // Opted in, current hash: nothing to do.
  deploy(
    'current',
    { volumes: [{ name: 'c', configMap: { name: 'settings' } }] },
    {
      annotations: { [RELOADER.auto]: 'true' },
      templateAnnotations: { [RELOADER.hash]: dataHash([settingsCm]) },
    },
  ),
  podOf('current', 50),
  // Opted in by name; config re-created after its pods started: reload (time basis).
  deploy(
    'named',
    { volumes: [{ name: 'c', configMap: { name: 'replaced' } }] },
    {
      annotations: { [RELOADER.configmaps]: 'replaced' },
    },
  ),
  podOf('named', 10),
  // Not opted in, same situation: reported as stale, never touched.
  deploy('manual', { volumes: [{ name: 'c', configMap: { name: 'replaced' } }] }),
  podOf('manual', 10),
  // Opted in but excluded.
  deploy(
    'frozen',
    { volumes: [{ name: 'c', configMap: { name: 'settings' } }] },
    {
      annotations: { [RELOADER.auto]: 'true', 'eco.bsw-arch.org/exclude': 'true' },
      templateAnnotations: { [RELOADER.hash]: 'old' },
    },
  ),
];

let harness: BotHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});
const start = async (env: Record<string, string> = {}) =>
  (harness = await startBotHarness(bot, { objects: cluster(), now: () => NOW, env }));
const templateHash = (h: BotHarness, name: string): string | undefined =>
  (
    h.emulator.store.get({ group: 'apps', plural: 'deployments' }, name, 'apps')?.spec as {
      template: { metadata: { annotations?: Record<string, string> } };
    }
  ).template.metadata.annotations?.[RELOADER.hash];

describe('eco-config-bot against the emulator (RBAC enforced)', () => {
  it('finds missing references and keys, unused objects, reloads due; leaves system-managed ones alone', async () => {
    const h = await start();
    const report = await h.run({});
    expect(report.errors).toEqual([]);
    expect(report.findings.map((f) => `${f.check} ${f.object.kind}/${f.object.name}`).sort()).toEqual([
      'config.missing-reference Deployment/badkey',
      'config.missing-reference Deployment/broken',
      'config.reload-needed Deployment/auto',
      'config.reload-needed Deployment/frozen',
      'config.reload-needed Deployment/named',
      'config.stale Deployment/manual',
      'config.unused ConfigMap/orphan',
      'config.unused Secret/unused-secret',
    ]);
    const named = report.findings.find((f) => f.object.name === 'named');
    expect(named?.evidence).toMatchObject({ basis: 'time' });
    expect(report.actions.map((a) => `${a.verb} ${a.object.name} ${a.status}`).sort()).toEqual([
      'patch auto planned',
      'patch frozen skipped',
      'patch named planned',
    ]);
    expect(templateHash(h, 'auto')).toBe('old');
  });

  it('apply: writes the data hash on the pod template of opted-in workloads only', async () => {
    const h = await start({ ECO_MODE: 'apply' });
    const report = await h.run({});
    expect(
      report.actions
        .filter((a) => a.status === 'applied')
        .map((a) => a.object.name)
        .sort(),
    ).toEqual(['auto', 'named']);
    expect(templateHash(h, 'auto')).toBe(dataHash([settingsCm]));
    expect(templateHash(h, 'manual')).toBeUndefined();
    expect(templateHash(h, 'frozen')).toBe('old');
    // The next run finds nothing left to roll for auto (hash basis now matches).
    const again = await h.run({});
    expect(again.actions.find((a) => a.object.name === 'auto')).toBeUndefined();
  });

  it('apply: a workload redeployed with the current hash meanwhile is not rolled again', async () => {
    const h = await start({ ECO_MODE: 'apply' });
    const intercept = (k8s: K8s): K8s =>
      Object.assign(Object.create(null) as K8s, k8s, {
        list: k8s.list.bind(k8s),
        async patch(...args: Parameters<K8s['patch']>) {
          if (args[1] === 'auto') {
            const cur = h.emulator.store.get(
              { group: 'apps', plural: 'deployments' },
              'auto',
              'apps',
            ) as KubeObject;
            const spec = structuredClone(cur.spec) as {
              template: { metadata: { annotations: Record<string, string> } };
            };
            spec.template.metadata.annotations[RELOADER.hash] = dataHash([settingsCm]);
            h.emulator.store.put({ ...cur, spec });
          }
          return k8s.patch(...args);
        },
      });
    const report = await h.run({}, { intercept });
    expect(report.actions.find((a) => a.object.name === 'auto')).toMatchObject({ status: 'skipped' });
  });

  it('reload: false reports without acting; a bad option is a 400', async () => {
    const h = await start({ ECO_MODE: 'apply' });
    const report = await h.run({ reload: false });
    expect(report.actions).toEqual([]);
    await expect(h.run({ reload: 'yes' })).rejects.toThrow(/reload/);
  });
});
