// A real client nobody here wrote: kubectl against the emulator through a kubeconfig. The emulator
// serves HTTPS here because kubectl (client-go clientcmd) only sends bearer tokens over TLS.
// Works with kubectl 1.32 (this machine) and is written for the Debian kubernetes-client 1.20 too:
// only get, get -l -o json, apply and delete, all of which 1.20 supports against legacy discovery.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, serviceAccountUser } from '../../local/k8s-emulator/index.ts';
import type { Emulator } from '../../local/k8s-emulator/index.ts';
import type { KubeObject } from '../../shared/k8s/types.ts';

const KUBECTL = process.env['KUBECTL'] ?? 'kubectl';
let emu: Emulator;
let dir: string;
let kubeconfig: string;

function kubectl(args: string[], token?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const extra = token ? ['--token', token] : [];
  return new Promise((resolve, reject) => {
    execFile(
      KUBECTL,
      [...args, ...extra, '--cache-dir', join(dir, 'cache')],
      {
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir, KUBECONFIG: kubeconfig },
        timeout: 20_000,
      },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') {
          reject(new Error(`cannot run ${KUBECTL}: ${err.message}`));
          return;
        }
        resolve({ code: err ? (err.code as number) : 0, stdout, stderr });
      },
    );
  });
}

const pod = (name: string, ns: string, app: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: ns, labels: { app } },
  spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] },
  status: { phase: 'Running', containerStatuses: [{ name: 'c', ready: true, restartCount: 2 }] },
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'emu-kubectl-'));
  emu = await startEmulator({
    tls: true,
    tokens: {
      'reader-token': {
        user: serviceAccountUser('eco-bots', 'eco-monitoring-bot'),
        rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }],
      },
    },
    objects: [
      pod('web-1', 'shop', 'web'),
      pod('web-2', 'shop', 'web'),
      pod('db-1', 'shop', 'db'),
      pod('tool', 'ops', 'tool'),
    ],
  });
  kubeconfig = join(dir, 'kubeconfig');
  await emu.writeKubeconfig(kubeconfig);
});
afterAll(async () => {
  await emu.close();
  await rm(dir, { recursive: true, force: true });
});

describe('kubectl against the emulator', () => {
  it('get pods -A lists every pod with its namespace', async () => {
    const r = await kubectl(['get', 'pods', '-A']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAMESPACE\s+NAME\s+/);
    const rows = lines.slice(1).map((l) => l.split(/\s+/).slice(0, 2).join('/'));
    expect(rows).toEqual(['ops/tool', 'shop/db-1', 'shop/web-1', 'shop/web-2']);
  });

  it('get pods -l app=web -n shop -o json returns the selected pods as a List', async () => {
    const r = await kubectl(['get', 'pods', '-l', 'app=web', '-n', 'shop', '-o', 'json']);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as { kind: string; items: KubeObject[] };
    expect(list.kind).toBe('List');
    expect(list.items.map((i) => i.metadata.name)).toEqual(['web-1', 'web-2']);
    expect(list.items[0]?.kind).toBe('Pod');
  });

  it('apply -f creates, re-apply changes in place, delete -f removes', async () => {
    const manifest = (replicas: number, value: string): string =>
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata: {name: api, namespace: shop, labels: {app: api}}',
        'spec:',
        `  replicas: ${replicas}`,
        '  selector: {matchLabels: {app: api}}',
        '  template:',
        '    metadata: {labels: {app: api}}',
        '    spec:',
        '      containers:',
        '      - name: api',
        '        image: registry.eco.local/shop/api:1.0.0',
        `        env: [{name: MODE, value: "${value}"}]`,
        '---',
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata: {name: api-config, namespace: shop}',
        `data: {mode: "${value}"}`,
        '',
      ].join('\n');
    const file = join(dir, 'api.yaml');
    await writeFile(file, manifest(2, 'a'));
    const created = await kubectl(['apply', '-f', file]);
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('deployment.apps/api created');
    expect(created.stdout).toContain('configmap/api-config created');
    const first = emu.store.get<KubeObject & { spec: { replicas: number } }>(
      'deployments.apps',
      'api',
      'shop',
    );
    expect(first?.spec.replicas).toBe(2);
    expect(first?.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration']).toBeDefined();

    await writeFile(file, manifest(3, 'b'));
    const changed = await kubectl(['apply', '-f', file]);
    expect(changed.code).toBe(0);
    expect(changed.stdout).toContain('deployment.apps/api configured');
    const second = emu.store.get<
      KubeObject & { spec: { replicas: number; template: { spec: { containers: Array<{ env: unknown }> } } } }
    >('deployments.apps', 'api', 'shop');
    expect(second?.spec.replicas).toBe(3);
    expect(second?.metadata.uid).toBe(first?.metadata.uid);
    expect(second?.metadata.generation).toBe(2);
    expect(second?.spec.template.spec.containers[0]?.env).toEqual([{ name: 'MODE', value: 'b' }]);
    expect(
      emu.store.get<KubeObject & { data: Record<string, string> }>('configmaps', 'api-config', 'shop')?.data,
    ).toEqual({ mode: 'b' });

    const unchanged = await kubectl(['apply', '-f', file]);
    expect(unchanged.stdout).toContain('deployment.apps/api unchanged');

    const deleted = await kubectl(['delete', '-f', file]);
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toContain('deployment.apps "api" deleted');
    expect(emu.store.get('deployments.apps', 'api', 'shop')).toBeUndefined();
    expect(emu.store.get('configmaps', 'api-config', 'shop')).toBeUndefined();
  });

  it('apply --server-side reports a field-manager conflict after kubectl scale, and --force-conflicts wins', async () => {
    const file = join(dir, 'ssa.yaml');
    const manifest = (replicas: number): string =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ssa, namespace: shop}\nspec:\n  replicas: ${replicas}\n  selector: {matchLabels: {app: ssa}}\n  template:\n    metadata: {labels: {app: ssa}}\n    spec: {containers: [{name: c, image: nginx:1.27}]}\n`;
    await writeFile(file, manifest(2));
    expect((await kubectl(['apply', '--server-side', '-f', file])).stdout).toContain(
      'deployment.apps/ssa serverside-applied',
    );
    expect((await kubectl(['scale', 'deployment', 'ssa', '-n', 'shop', '--replicas=5'])).code).toBe(0);
    await writeFile(file, manifest(3));
    const conflict = await kubectl(['apply', '--server-side', '-f', file]);
    expect(conflict.code).not.toBe(0);
    expect(conflict.stderr).toContain(
      'Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps/v1: .spec.replicas',
    );
    expect((await kubectl(['apply', '--server-side', '--force-conflicts', '-f', file])).code).toBe(0);
    expect(
      emu.store.get<KubeObject & { spec: { replicas: number } }>('deployments.apps', 'ssa', 'shop')?.spec
        .replicas,
    ).toBe(3);
  });

  it('delete pod by name, and a 404 for a missing one', async () => {
    const r = await kubectl(['delete', 'pod', 'tool', '-n', 'ops']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('pod "tool" deleted');
    const again = await kubectl(['delete', 'pod', 'tool', '-n', 'ops']);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('Error from server (NotFound): pods "tool" not found');
  });

  it('auth can-i and auth whoami answer from the token grant', async () => {
    const yes = await kubectl(['auth', 'can-i', 'list', 'pods', '-n', 'shop'], 'reader-token');
    expect(yes.stdout.trim()).toBe('yes');
    const no = await kubectl(['auth', 'can-i', 'delete', 'pods', '-n', 'shop'], 'reader-token');
    expect(no.stdout.trim()).toBe('no');
    expect(no.code).not.toBe(0);
    const who = await kubectl(['auth', 'whoami', '-o', 'json'], 'reader-token');
    expect(who.code).toBe(0);
    expect(
      (JSON.parse(who.stdout) as { status: { userInfo: { username: string; groups: string[] } } }).status
        .userInfo,
    ).toEqual({
      username: 'system:serviceaccount:eco-bots:eco-monitoring-bot',
      groups: ['system:authenticated', 'system:serviceaccounts', 'system:serviceaccounts:eco-bots'],
    });
  });

  it('RBAC reaches kubectl: allowed reads work, the rest is Forbidden with the real wording', async () => {
    const ok = await kubectl(['get', 'pods', '-n', 'shop', '-o', 'name'], 'reader-token');
    expect(ok.code).toBe(0);
    expect(ok.stdout.trim().split('\n')).toEqual(['pod/db-1', 'pod/web-1', 'pod/web-2']);
    const denied = await kubectl(['get', 'deployments', '-n', 'shop'], 'reader-token');
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain(
      'Error from server (Forbidden): deployments.apps is forbidden: User "system:serviceaccount:eco-bots:eco-monitoring-bot" cannot list resource "deployments" in API group "apps" in the namespace "shop"',
    );
    const unknown = await kubectl(['get', 'pods'], 'wrong-token');
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/Unauthorized|must be logged in/);
  });
});
