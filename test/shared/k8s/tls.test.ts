// HTTPS clusters: CA verification, client certificates and insecure-skip-tls-verify, with
// certificates made by openssl for this run.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createK8s } from '../../../shared/k8s/client.ts';
import { K8sTransportError } from '../../../shared/k8s/errors.ts';
import { resources } from '../../../shared/k8s/resources.ts';

let dir: string;
let server: https.Server;
let url: string;
let connections = 0;
const pem: Record<string, string> = {};
const b64 = (name: string) => Buffer.from(pem[name] ?? '').toString('base64');

function openssl(...args: string[]) {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eco-tls-'));
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '1',
    '-subj',
    '/CN=eco-test-ca',
  );
  await writeFile(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    '/CN=127.0.0.1',
  );
  openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.crt',
    '-days',
    '1',
    '-extfile',
    'san.ext',
  );
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'client.key',
    '-out',
    'client.csr',
    '-subj',
    '/CN=eco-cleanup-bot/O=eco-bots',
  );
  openssl(
    'x509',
    '-req',
    '-in',
    'client.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'client.crt',
    '-days',
    '1',
  );
  for (const name of ['ca.crt', 'server.crt', 'server.key', 'client.crt', 'client.key'])
    pem[name] = await readFile(join(dir, name), 'utf8');
  server = https.createServer(
    {
      key: pem['server.key'],
      cert: pem['server.crt'],
      ca: pem['ca.crt'],
      requestCert: true,
      rejectUnauthorized: false,
    },
    (req, res) => {
      const socket = req.socket as TLSSocket;
      const user = socket.authorized
        ? String(socket.getPeerCertificate().subject.CN)
        : (req.headers.authorization ?? 'anonymous');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          kind: 'Pod',
          apiVersion: 'v1',
          metadata: { name: 'p', namespace: 'default', annotations: { user } },
        }),
      );
    },
  );
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true, force: true });
});

async function withKubeconfig(cluster: string, user: string) {
  const file = join(dir, `kc-${Math.random().toString(36).slice(2)}`);
  await writeFile(
    file,
    `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: ${url}\n${cluster}users:\n- name: u\n  user:\n${user}contexts:\n- name: x\n  context:\n    cluster: c\n    user: u\ncurrent-context: x\n`,
  );
  return createK8s({ env: { KUBECONFIG: file }, serviceAccountDir: join(dir, 'none') });
}
const userOf = async (k8s: ReturnType<typeof createK8s>) =>
  (await k8s.get(resources.pods, 'p', 'default'))?.metadata.annotations?.user;

describe('https clusters', () => {
  it('verifies the server against certificate-authority-data and presents the client certificate', async () => {
    const k8s = await withKubeconfig(
      `    certificate-authority-data: ${b64('ca.crt')}\n`,
      `    client-certificate-data: ${b64('client.crt')}\n    client-key-data: ${b64('client.key')}\n`,
    );
    expect(await userOf(k8s)).toBe('eco-cleanup-bot');
    k8s.close();
  });

  it('reads the CA and client certificate from files', async () => {
    const k8s = await withKubeconfig(
      `    certificate-authority: ${join(dir, 'ca.crt')}\n`,
      `    client-certificate: client.crt\n    client-key: client.key\n`,
    );
    expect(await userOf(k8s)).toBe('eco-cleanup-bot');
    k8s.close();
  });

  it('refuses an unverifiable server at once (no retries), unless insecure-skip-tls-verify', async () => {
    const strict = await withKubeconfig('', '    token: t\n');
    const before = connections;
    const error = await strict.get(resources.pods, 'p', 'default').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(K8sTransportError);
    expect((error as Error).message).toMatch(/TLS/);
    // One handshake: a certificate error is not retried.
    expect(connections - before).toBe(1);
    strict.close();
    const insecure = await withKubeconfig('    insecure-skip-tls-verify: true\n', '    token: t\n');
    expect(await userOf(insecure)).toBe('Bearer t');
    insecure.close();
  });
});
