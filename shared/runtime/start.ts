// The image's entry point, start.cjs beside the bundle index.cjs: runs the bundle with the V8 code
// cache index.cjs.cache when V8 accepts it, so a cold start skips parsing and compiling the ~450 KB
// bundle (what Node 22's NODE_COMPILE_CACHE does, but also on Node 20, and with the functions the
// first request compiles, which Node's own cache leaves out). Nothing here may import the kit: this
// file is bundled alone and must stay small, because it is the one part compiled on every start.
//
//   node start.cjs                      run index.cjs, with its code cache when there is one
//   node start.cjs --write-code-cache   run index.cjs, answer a few requests to itself, write the cache
//
// V8 accepts a cache only from the same V8 build with the same flags, so the image writes it in a
// stage on the runtime base with the runtime's NODE_OPTIONS (templates/eco-node/Dockerfile). A
// rejected or missing cache costs nothing but the time it would have saved: the bundle compiles as
// it does without this file.
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import Module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Script, constants } from 'node:vm';

const bundle = join(__dirname, 'index.cjs');
const cacheFile = `${bundle}.cache`;
const writing = process.argv.includes('--write-code-cache');

function readCache(): Buffer | undefined {
  if (writing || process.env['ECO_CODE_CACHE'] === 'off') return undefined;
  try {
    return readFileSync(cacheFile);
  } catch {
    return undefined;
  }
}

function warn(msg: string): void {
  process.stderr.write(`${JSON.stringify({ level: 'warn', time: new Date().toISOString(), msg })}\n`);
}

const cachedData = readCache();
const script = new Script(Module.wrap(readFileSync(bundle, 'utf8')), {
  filename: bundle,
  ...(cachedData === undefined ? {} : { cachedData }),
  importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
});
if (cachedData !== undefined && script.cachedDataRejected === true) {
  warn(
    `code cache ${cacheFile} was written by another Node version or with other V8 flags (NODE_OPTIONS); starting without it`,
  );
}

function runBundle(): void {
  const mod = new Module(bundle);
  mod.filename = bundle;
  const wrapper = script.runInThisContext() as (
    exports: unknown,
    require: NodeJS.Require,
    module: Module,
    filename: string,
    dirname: string,
  ) => void;
  wrapper.call(mod.exports, mod.exports, createRequire(bundle), mod, bundle, dirname(bundle));
}

if (writing) void writeCodeCache();
else runBundle();

/** One request to the bot itself; resolves with the status (0 while it is not listening yet). */
function ask(port: number, method: string, path: string, body?: string): Promise<number> {
  return new Promise((done) => {
    const req = request(
      { host: '127.0.0.1', port, method, path, headers: { 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () => done(res.statusCode ?? 0));
      },
    );
    req.on('error', () => done(0));
    req.end(body);
  });
}

/**
 * An API server with nothing in it, for the warm-up: every list is empty, everything else is not
 * found. The bot's first run then goes through the cluster client, its lists and its report, so
 * that code is in the cache too, without a cluster (the image build has none) and without writes.
 */
function emptyCluster(): Promise<Server> {
  const server = createServer((req, res) => {
    req.resume();
    const list = req.method === 'GET' && !req.url?.startsWith('/api?') && req.url !== '/api';
    res.writeHead(list ? 200 : 404, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify(
        list
          ? { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '1' }, items: [] }
          : { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 },
      ),
    );
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done(server)));
}

// An Alertmanager webhook (version 4) with one firing alert: the alert receiver's real first call.
const ALERT = JSON.stringify({
  version: '4',
  status: 'firing',
  receiver: 'eco-bots',
  groupKey: '{}:{alertname="Warm"}',
  groupLabels: { alertname: 'Warm' },
  commonLabels: { alertname: 'Warm', severity: 'info' },
  commonAnnotations: {},
  externalURL: 'http://alertmanager:9093',
  truncatedAlerts: 0,
  alerts: [
    {
      status: 'firing',
      labels: { alertname: 'Warm', severity: 'info', namespace: 'default' },
      annotations: { summary: 'code cache warm-up' },
      startsAt: '2026-01-01T00:00:00Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus:9090/graph',
      fingerprint: '0000000000000001',
    },
  ],
});

/**
 * Warms the bundle the way its first invocations would (health, readiness, an empty invocation over
 * an empty cluster, an Alertmanager webhook, metrics), then writes what V8 compiled as the cache.
 */
async function writeCodeCache(): Promise<void> {
  // The warm-up must never reach a real cluster or change anything, whatever the environment says.
  const cluster = await emptyCluster();
  const home = mkdtempSync(join(tmpdir(), 'eco-code-cache-'));
  const kubeconfig = join(home, 'kubeconfig');
  const server = `http://127.0.0.1:${(cluster.address() as AddressInfo).port}`;
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'current-context: warm',
      'clusters:',
      '- name: warm',
      '  cluster:',
      `    server: ${server}`,
      'users:',
      '- name: warm',
      '  user:',
      '    token: warm',
      'contexts:',
      '- name: warm',
      '  context:',
      '    cluster: warm',
      '    user: warm',
      '',
    ].join('\n'),
  );
  Object.assign(process.env, { ECO_MODE: 'dry-run', KUBECONFIG: kubeconfig, HOME: home });
  delete process.env['KUBERNETES_SERVICE_HOST'];
  runBundle();
  const port = Number(process.env['PORT'] ?? 8080);
  const deadline = Date.now() + 20_000;
  while ((await ask(port, 'GET', '/_/health')) === 0) {
    if (Date.now() > deadline) {
      warn(`--write-code-cache: the bundle did not listen on port ${port} within 20 s`);
      process.exit(1);
    }
    await new Promise((done) => setTimeout(done, 20));
  }
  await ask(port, 'GET', '/_/ready');
  await ask(port, 'POST', '/', '{}');
  await ask(port, 'POST', '/', ALERT);
  await ask(port, 'GET', '/metrics');
  const data = script.createCachedData();
  cluster.close();
  rmSync(home, { recursive: true, force: true });
  writeFileSync(`${cacheFile}.tmp`, data);
  renameSync(`${cacheFile}.tmp`, cacheFile);
  process.stderr.write(
    `${JSON.stringify({ level: 'info', time: new Date().toISOString(), msg: 'code cache written', file: cacheFile, bytes: data.byteLength })}\n`,
  );
  process.exit(0);
}
