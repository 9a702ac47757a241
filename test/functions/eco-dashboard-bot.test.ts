// eco-dashboard-bot: sidecar ConfigMaps through the rails (dry-run plans, apply writes, a second run
// writes nothing, an edited ConfigMap is rewritten, an excluded one is left alone), with a token
// limited to its RBAC; and Grafana's HTTP API (POST /api/folders, GET /api/dashboards/uid/:uid,
// POST /api/dashboards/db) against a responder on 127.0.0.1 that follows Grafana's published API.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import bot from '../../functions/eco-dashboard-bot/handler.ts';
import { namespaceUid } from '../../functions/eco-dashboard-bot/dashboards.ts';
import type { KubeObject } from '../../shared/k8s/types.ts';
import { resources } from '../../shared/k8s/resources.ts';
import { startBotHarness, type BotHarness } from '../helpers/k8s-harness.ts';

const ns = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const objects = [ns('monitoring'), ns('shop'), ns('kube-system')];

let harness: BotHarness | undefined;
let server: Server | undefined;
let dir: string | undefined;
afterEach(async () => {
  await harness?.close();
  if (server) await new Promise((r) => server?.close(r));
  if (dir) await rm(dir, { recursive: true, force: true });
  harness = undefined;
  server = undefined;
  dir = undefined;
});

const configMap = (h: BotHarness, name: string): KubeObject | undefined =>
  h.emulator.store.get(resources.configmaps, name, 'monitoring');

describe('eco-dashboard-bot: ConfigMaps for the Grafana sidecar (through the rails)', () => {
  it('dry-run plans, apply writes labelled ConfigMaps, a second run writes nothing, an edit is rewritten', async () => {
    harness = await startBotHarness(bot, { objects });
    const dry = await harness.run({});
    expect(dry.actions.map((a) => `${a.verb} ${a.object.name} ${a.status}`).sort()).toEqual([
      'create eco-dashboard-eco-bots-fleet planned',
      'create eco-dashboard-eco-ns-default planned',
      'create eco-dashboard-eco-ns-monitoring planned',
      'create eco-dashboard-eco-ns-shop planned',
    ]);
    // The system namespace gets no dashboard (the emulator adds `default`).
    expect(dry.findings.some((f) => f.object.name.includes('kube-system'))).toBe(false);

    const applied = await harness.run({}, { env: { ECO_MODE: 'apply' } });
    expect(applied.actions.map((a) => a.status)).toEqual(['applied', 'applied', 'applied', 'applied']);
    const kubeconfigEnv = { ECO_MODE: 'apply' };
    const fleetCm = configMap(harness, 'eco-dashboard-eco-bots-fleet');
    expect(fleetCm?.metadata.labels).toMatchObject({
      grafana_dashboard: '1',
      'app.kubernetes.io/managed-by': 'eco-dashboard-bot',
    });
    expect(fleetCm?.metadata.annotations).toMatchObject({ grafana_folder: 'eco-bots' });
    const json = JSON.parse((fleetCm?.['data'] as Record<string, string>)['eco-bots-fleet.json'] ?? '{}') as {
      uid: string;
    };
    expect(json.uid).toBe('eco-bots-fleet');

    const again = await harness.run({}, { env: kubeconfigEnv });
    expect(again.actions).toEqual([]);
    expect(again.findings).toEqual([]);

    // Someone edits the shop dashboard in place: the next run rewrites it (update, with the precondition).
    const shop = configMap(harness, 'eco-dashboard-eco-ns-shop') as KubeObject;
    harness.emulator.seed([{ ...shop, data: { 'eco-ns-shop.json': '{"uid":"eco-ns-shop","panels":[]}' } }]);
    const rewritten = await harness.run({}, { env: kubeconfigEnv });
    expect(rewritten.actions.map((a) => `${a.verb} ${a.object.name} ${a.status}`)).toEqual([
      'update eco-dashboard-eco-ns-shop applied',
    ]);
    expect(rewritten.findings.map((f) => f.check)).toEqual(['dashboard.outdated']);
    expect(harness.emulator.requests.filter((r) => r.status === 403)).toEqual([]);
  });

  it('leaves an excluded ConfigMap alone and narrows to one namespace when asked', async () => {
    harness = await startBotHarness(bot, {
      objects: [
        ...objects,
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: {
            name: 'eco-dashboard-eco-ns-shop',
            namespace: 'monitoring',
            labels: { 'app.kubernetes.io/managed-by': 'eco-dashboard-bot', grafana_dashboard: '1' },
            annotations: { 'eco.bsw-arch.org/exclude': 'true' },
          },
          data: { 'eco-ns-shop.json': '{"uid":"eco-ns-shop","title":"hand-tuned"}' },
        },
      ],
    });
    const report = await harness.run({ namespace: 'shop' }, { env: { ECO_MODE: 'apply' } });
    expect(report.actions.map((a) => `${a.verb} ${a.object.name} ${a.status} ${a.reason}`)).toEqual([
      expect.stringMatching(/^update eco-dashboard-eco-ns-shop skipped /),
    ]);
    expect(report.scoped).toBe(true);
  });

  it('keeps uids within Grafana’s 40 characters, stable per namespace', () => {
    expect(namespaceUid('shop')).toBe('eco-ns-shop');
    const long = 'a'.repeat(63);
    expect(namespaceUid(long)).toHaveLength(40);
    expect(namespaceUid(long)).toBe(namespaceUid(long));
  });
});

interface Stored {
  dashboard: Record<string, unknown>;
  folderUid: string;
  version: number;
}

async function fakeGrafana(
  token: string,
): Promise<{ url: string; folders: Map<string, string>; dashboards: Map<string, Stored>; posts: string[] }> {
  const folders = new Map<string, string>();
  const dashboards = new Map<string, Stored>();
  const posts: string[] = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const send = (status: number, body: unknown): void =>
        void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.headers.authorization !== `Bearer ${token}`) return send(401, { message: 'Unauthorized' });
      const url = new URL(req.url ?? '/', 'http://g');
      const body = chunks.length
        ? (JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>)
        : {};
      let m: RegExpExecArray | null;
      if (req.method === 'GET' && (m = /^\/api\/folders\/([^/]+)$/.exec(url.pathname))) {
        const title = folders.get(decodeURIComponent(m[1] ?? ''));
        return title === undefined
          ? send(404, { message: 'folder not found' })
          : send(200, { uid: m[1], title });
      }
      if (req.method === 'POST' && url.pathname === '/api/folders') {
        posts.push('folder');
        if (folders.has(String(body['uid'])))
          return send(409, { message: 'a folder with the same uid already exists' });
        folders.set(String(body['uid']), String(body['title']));
        return send(200, { uid: body['uid'], title: body['title'] });
      }
      if (req.method === 'GET' && (m = /^\/api\/dashboards\/uid\/([^/]+)$/.exec(url.pathname))) {
        const d = dashboards.get(decodeURIComponent(m[1] ?? ''));
        return d === undefined
          ? send(404, { message: 'Dashboard not found' })
          : send(200, {
              dashboard: { ...d.dashboard, id: 7, version: d.version },
              meta: { folderUid: d.folderUid },
            });
      }
      if (req.method === 'POST' && url.pathname === '/api/dashboards/db') {
        posts.push('dashboard');
        const dashboard = body['dashboard'] as Record<string, unknown>;
        const uid = String(dashboard['uid']);
        if (!folders.has(String(body['folderUid']))) return send(400, { message: 'folder not found' });
        const previous = dashboards.get(uid);
        if (previous && body['overwrite'] !== true) return send(412, { status: 'version-mismatch' });
        const version = (previous?.version ?? 0) + 1;
        const { id: _id, version: _v, ...rest } = dashboard;
        dashboards.set(uid, { dashboard: rest, folderUid: String(body['folderUid']), version });
        return send(200, { id: 7, uid, url: `/d/${uid}`, status: 'success', version });
      }
      send(404, { message: 'Not found' });
    });
  });
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, folders, dashboards, posts };
}

describe('eco-dashboard-bot: Grafana HTTP API', () => {
  it('creates the folder once, saves each dashboard by its stable uid, and writes nothing the second time', async () => {
    const grafana = await fakeGrafana('glsa_test');
    dir = await mkdtemp(path.join(tmpdir(), 'eco-dashboard-'));
    const tokenFile = path.join(dir, 'token');
    await writeFile(tokenFile, 'glsa_test\n');
    const env = {
      ECO_DASHBOARD_TARGET: 'grafana',
      GRAFANA_URL: grafana.url,
      GRAFANA_TOKEN_FILE: tokenFile,
      ECO_MODE: 'apply',
    };
    harness = await startBotHarness(bot, { objects, env });
    const first = await harness.run({});
    expect(first.errors).toEqual([]);
    expect(first.actions.map((a) => `${a.verb} ${a.object.kind} ${a.object.name} ${a.status}`)).toEqual([
      'create Folder eco-bots applied',
      'create Dashboard eco-bots-fleet applied',
      'create Dashboard eco-ns-default applied',
      'create Dashboard eco-ns-monitoring applied',
      'create Dashboard eco-ns-shop applied',
    ]);
    expect([...grafana.dashboards.values()].every((d) => d.folderUid === 'eco-bots')).toBe(true);
    const second = await harness.run({});
    expect(second.actions).toEqual([]);
    expect(grafana.posts).toHaveLength(5);

    // Dry-run: nothing is posted, the plan is in the actions.
    grafana.dashboards.delete('eco-ns-shop');
    const planned = await harness.run({}, { env: { ...env, ECO_MODE: 'dry-run' } });
    expect(planned.actions.map((a) => `${a.verb} ${a.object.name} ${a.status}`)).toEqual([
      'create eco-ns-shop planned',
    ]);
    expect(grafana.posts).toHaveLength(5);
  });

  it('a wrong token is a report error naming Grafana and the status; no URL is one unconfigured finding', async () => {
    const grafana = await fakeGrafana('right');
    dir = await mkdtemp(path.join(tmpdir(), 'eco-dashboard-'));
    const tokenFile = path.join(dir, 'token');
    await writeFile(tokenFile, 'wrong');
    harness = await startBotHarness(bot, {
      objects,
      env: { ECO_DASHBOARD_TARGET: 'grafana', GRAFANA_URL: grafana.url, GRAFANA_TOKEN_FILE: tokenFile },
    });
    const refused = await harness.run({});
    expect(refused.errors.map((e) => e.code)).toEqual(['grafana-http-401']);
    const none = await harness.run(
      {},
      { env: { ECO_DASHBOARD_TARGET: 'grafana', GRAFANA_URL: '', GRAFANA_TOKEN_FILE: '' } },
    );
    expect(none.findings.map((f) => f.check)).toEqual(['eco-dashboard-bot.unconfigured']);
  });
});
