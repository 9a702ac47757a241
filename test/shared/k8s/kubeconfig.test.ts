import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadClusterConfig, parseKubeconfig } from '../../../shared/k8s/kubeconfig.ts';
import { K8sConfigError } from '../../../shared/k8s/errors.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eco-kubeconfig-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function kubeconfigYaml(
  options: { server?: string; user?: string; cluster?: string; namespace?: string; context?: string } = {},
) {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: emu',
    '  cluster:',
    `    server: ${options.server ?? 'http://127.0.0.1:6443'}`,
    ...(options.cluster ? options.cluster.split('\n').map((l) => `    ${l}`) : []),
    'users:',
    '- name: emu',
    '  user:',
    ...(options.user ?? 'token: test-token').split('\n').map((l) => `    ${l}`),
    'contexts:',
    '- name: emu',
    '  context:',
    '    cluster: emu',
    '    user: emu',
    ...(options.namespace ? [`    namespace: ${options.namespace}`] : []),
    `current-context: ${options.context ?? 'emu'}`,
    '',
  ].join('\n');
}

async function load(text: string, env: Record<string, string> = {}) {
  const file = join(dir, 'config');
  await writeFile(file, text);
  return loadClusterConfig({ env: { KUBECONFIG: file, ...env }, serviceAccountDir: join(dir, 'no-sa') });
}

describe('kubeconfig loading', () => {
  it('reads a plain-http server with a bearer token and the context namespace', async () => {
    const config = await load(
      kubeconfigYaml({ namespace: 'team-a', cluster: 'insecure-skip-tls-verify: true' }),
    );
    expect(config.server).toBe('http://127.0.0.1:6443');
    expect(config.source).toBe('kubeconfig');
    expect(config.namespace).toBe('team-a');
    expect(config.insecureSkipTlsVerify).toBe(true);
    expect(await config.authHeaders()).toEqual({ authorization: 'Bearer test-token' });
  });

  it('defaults the namespace to "default" and accepts JSON kubeconfigs', async () => {
    const json = JSON.stringify({
      clusters: [{ name: 'c', cluster: { server: 'https://10.0.0.1:443/' } }],
      users: [{ name: 'u', user: {} }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'x',
    });
    const config = await load(json);
    expect(config.server).toBe('https://10.0.0.1');
    expect(config.namespace).toBe('default');
    expect(await config.authHeaders()).toEqual({});
  });

  it('decodes certificate-authority-data and client certificate/key data', async () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const config = await load(
      kubeconfigYaml({
        server: 'https://127.0.0.1:6443',
        cluster: `certificate-authority-data: ${b64('CA-PEM')}`,
        user: `client-certificate-data: ${b64('CERT-PEM')}\nclient-key-data: ${b64('KEY-PEM')}`,
      }),
    );
    expect(config.ca?.toString()).toBe('CA-PEM');
    expect(config.cert?.toString()).toBe('CERT-PEM');
    expect(config.key?.toString()).toBe('KEY-PEM');
    expect(config.insecureSkipTlsVerify).toBe(false);
  });

  it('resolves certificate files relative to the kubeconfig file', async () => {
    await mkdir(join(dir, 'pki'));
    await writeFile(join(dir, 'pki', 'ca.crt'), 'CA-FILE');
    await writeFile(join(dir, 'pki', 'c.crt'), 'CERT-FILE');
    await writeFile(join(dir, 'pki', 'c.key'), 'KEY-FILE');
    const config = await load(
      kubeconfigYaml({
        cluster: 'certificate-authority: pki/ca.crt',
        user: 'client-certificate: pki/c.crt\nclient-key: pki/c.key',
      }),
    );
    expect(config.ca?.toString()).toBe('CA-FILE');
    expect(config.cert?.toString()).toBe('CERT-FILE');
    expect(config.key?.toString()).toBe('KEY-FILE');
  });

  it('rejects a client certificate without a key', async () => {
    await writeFile(join(dir, 'c.crt'), 'CERT');
    await expect(load(kubeconfigYaml({ user: 'client-certificate: c.crt' }))).rejects.toThrow(
      /without a key/,
    );
  });

  it('re-reads a tokenFile after invalidate (rotation)', async () => {
    await writeFile(join(dir, 'tok'), 'first\n');
    const config = await load(kubeconfigYaml({ user: `tokenFile: ${join(dir, 'tok')}` }));
    expect(await config.authHeaders()).toEqual({ authorization: 'Bearer first' });
    await writeFile(join(dir, 'tok'), 'second');
    config.invalidate?.();
    expect(await config.authHeaders()).toEqual({ authorization: 'Bearer second' });
  });

  it('sends basic auth for username/password users', async () => {
    const config = await load(kubeconfigYaml({ user: 'username: ada\npassword: s3cret' }));
    expect(await config.authHeaders()).toEqual({
      authorization: `Basic ${Buffer.from('ada:s3cret').toString('base64')}`,
    });
  });

  it('merges a KUBECONFIG path list first-wins', async () => {
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    await writeFile(
      a,
      kubeconfigYaml({ context: 'emu', server: 'http://127.0.0.1:1111' }).replace(
        /clusters:[\s\S]*?users:/,
        'users:',
      ),
    );
    await writeFile(b, kubeconfigYaml({ server: 'http://127.0.0.1:2222', user: 'token: from-b' }));
    const config = await loadClusterConfig({
      env: { KUBECONFIG: `${a}:${b}` },
      serviceAccountDir: join(dir, 'none'),
    });
    expect(config.server).toBe('http://127.0.0.1:2222');
    // The user "emu" is defined in both: the first file wins.
    expect(await config.authHeaders()).toEqual({ authorization: 'Bearer test-token' });
  });

  it('uses exec plugins through client-node (credential from the plugin)', async () => {
    const plugin = join(dir, 'plugin.sh');
    await writeFile(
      plugin,
      `#!/bin/sh\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"from-exec"}}'\n`,
      { mode: 0o755 },
    );
    const config = await load(
      kubeconfigYaml({
        user: `exec:\n  apiVersion: client.authentication.k8s.io/v1\n  command: ${plugin}\n  interactiveMode: Never`,
      }),
    );
    expect(await config.authHeaders()).toEqual({ authorization: 'Bearer from-exec' });
  });

  it('gives clear errors for missing, malformed and incomplete configs', async () => {
    await expect(
      loadClusterConfig({ env: { KUBECONFIG: join(dir, 'missing') }, serviceAccountDir: dir }),
    ).rejects.toThrow(/no cluster configured: KUBECONFIG=.* names no readable file/);
    await expect(loadClusterConfig({ env: { HOME: dir }, serviceAccountDir: dir })).rejects.toBeInstanceOf(
      K8sConfigError,
    );
    await expect(load('clusters: [')).rejects.toThrow(/not valid YAML/);
    await expect(load(kubeconfigYaml({ context: 'nope' }))).rejects.toThrow(/context "nope" not found/);
    await expect(load(kubeconfigYaml({ server: 'ftp://x' }))).rejects.toThrow(/must be http/);
    await expect(parseKubeconfig('- a\n- b')).rejects.toThrow(/not a mapping/);
  });

  it('prefers the in-cluster ServiceAccount and re-reads its token', async () => {
    const sa = join(dir, 'sa');
    await mkdir(sa);
    await writeFile(join(sa, 'token'), 'sa-token-1');
    await writeFile(join(sa, 'ca.crt'), 'SA-CA');
    await writeFile(join(sa, 'namespace'), 'eco-bots\n');
    const config = await loadClusterConfig({
      env: {
        KUBERNETES_SERVICE_HOST: '10.96.0.1',
        KUBERNETES_SERVICE_PORT: '443',
        KUBECONFIG: join(dir, 'ignored'),
      },
      serviceAccountDir: sa,
    });
    expect(config.source).toBe('in-cluster');
    expect(config.server).toBe('https://10.96.0.1:443');
    expect(config.namespace).toBe('eco-bots');
    expect(config.ca?.toString()).toBe('SA-CA');
    expect(await config.authHeaders()).toEqual({ authorization: 'Bearer sa-token-1' });
    await writeFile(join(sa, 'token'), 'sa-token-2');
    config.invalidate?.();
    expect(await config.authHeaders()).toEqual({ authorization: 'Bearer sa-token-2' });
  });
});
