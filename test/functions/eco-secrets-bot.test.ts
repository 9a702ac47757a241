// eco-secrets-bot end to end: the OpenBao API emulator (Kubernetes auth checked through the
// Kubernetes API emulator's TokenReview) and the Kubernetes API emulator with a token limited to the
// bot's RBAC. External Secrets Operator's sync (create, update on a new version, keep on delete),
// Reloader's rolling restart through the rails, rotation age, literal secrets, the demo cluster's
// planted rows, and the canary: secret values searched in everything the bot emitted.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import bot from '../../functions/eco-secrets-bot/handler.ts';
import { startBotHarness } from '../helpers/k8s-harness.ts';
import type { BotHarness } from '../helpers/k8s-harness.ts';
import { startOpenBaoEmulator } from '../../local/openbao-emulator/index.ts';
import type { OpenBaoEmulator } from '../../local/openbao-emulator/index.ts';
import { serviceAccountUser } from '../../local/k8s-emulator/index.ts';
import { createLogger } from '../../shared/log/index.ts';
import { createMetrics } from '../../shared/metrics/index.ts';
import type { KubeObject, Report } from '../../shared/index.ts';

const NOW = new Date('2026-06-01T12:00:00Z');
const DAY = 86_400_000;
// Canary values: each must never appear, raw or base64, in anything the bot emits.
const CANARY_DB = 'CANARY-db-7f3a9c41';
const CANARY_DB_2 = 'CANARY-db-rotated-55e1';
const CANARY_API = 'CANARY-api-0b9d2e';
const CANARY_CM = 'CANARY-cm-literal-44aa';
const CANARY_ENV = 'CANARY-env-literal-9c0f';
const CANARIES = [CANARY_DB, CANARY_DB_2, CANARY_API, CANARY_CM, CANARY_ENV];
const forms = (v: string): string[] => [v, Buffer.from(v).toString('base64'), v.slice(7)];

const objects: KubeObject[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
  {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'openbao-sync',
      namespace: 'shop',
      labels: { 'eco.bsw-arch.org/openbao-sync': 'true' },
    },
    data: {
      mappings: [
        '- target: db-credentials',
        '  path: shop/database',
        '  keys: [username, password]',
        '- target: api',
        '  path: shop/api',
        '- target: missing',
        '  path: shop/nothing-here',
        '- target: bad_name',
        '  path: x',
      ].join('\n'),
    },
  },
  {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'legacy-config', namespace: 'shop' },
    data: { DB_HOST: 'db', DB_PASSWORD: CANARY_CM },
  },
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop', uid: 'dep-web' },
    spec: {
      replicas: 1,
      template: {
        spec: {
          containers: [
            {
              name: 'web',
              image: 'web:1',
              env: [
                {
                  name: 'DB_PASSWORD',
                  valueFrom: { secretKeyRef: { name: 'db-credentials', key: 'password' } },
                },
                { name: 'API_TOKEN', value: CANARY_ENV },
              ],
            },
          ],
        },
      },
    },
  },
  {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: 'web-5d8f',
      namespace: 'shop',
      uid: 'rs-web',
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'dep-web', controller: true },
      ],
    },
    spec: { replicas: 1 },
  },
  {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'web-5d8f-abcde',
      namespace: 'shop',
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d8f', uid: 'rs-web', controller: true },
      ],
    },
    spec: { containers: [{ name: 'web', image: 'web:1' }] },
    status: { phase: 'Running', startTime: new Date(NOW.getTime() - DAY).toISOString() },
  },
];

describe('syncing from OpenBao with Kubernetes auth, and the canary', () => {
  let h: BotHarness;
  let bao: OpenBaoEmulator;
  let dir: string;
  let baoClock = new Date(NOW.getTime() - 120 * DAY);
  const logLines: string[] = [];
  const metrics = createMetrics({ processName: 'eco-secrets-bot' });
  const reports: Report[] = [];
  const run = async (input: unknown = {}): Promise<Report> => {
    const r = await h.run(input, { metrics });
    reports.push(r);
    return r;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eco-secrets-'));
    await writeFile(join(dir, 'sa-token'), 'projected-sa-token\n');
    bao = await startOpenBaoEmulator({
      now: () => baoClock,
      policies: [
        {
          name: 'sync',
          hcl: 'path "secret/data/shop/*" { capabilities = ["read"] }\npath "secret/metadata/shop/*" { capabilities = ["read"] }',
        },
      ],
      roles: [
        {
          name: 'eco-secrets-bot',
          boundServiceAccountNames: ['eco-secrets-bot'],
          boundServiceAccountNamespaces: ['eco-bots'],
          policies: ['sync'],
          ttl: 3600,
        },
      ],
      secrets: [{ path: 'shop/database', data: { username: 'shop', password: CANARY_DB, unrelated: 'x' } }],
    });
    baoClock = new Date(NOW.getTime() - DAY);
    bao.putSecret('shop/api', { token: CANARY_API });
    h = await startBotHarness(bot, {
      objects,
      now: () => NOW,
      log: createLogger({ level: 'debug', write: (line: string) => logLines.push(line) }),
      env: {
        ECO_MODE: 'apply',
        BAO_ADDR: bao.url,
        BAO_ROLE: 'eco-secrets-bot',
        BAO_SA_TOKEN_FILE: join(dir, 'sa-token'),
      },
    });
    h.emulator.addToken('projected-sa-token', { user: serviceAccountUser('eco-bots', 'eco-secrets-bot') });
    h.emulator.addToken('reviewer', {
      user: serviceAccountUser('openbao', 'openbao'),
      rules: [{ apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] }],
    });
    bao.configureKubernetes({ kubernetesHost: h.emulator.url, tokenReviewerJwt: 'reviewer' });
  });
  afterAll(async () => {
    await h.close();
    await bao.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the mapped Secrets with the mapped keys (ESO ExternalSecret sync)', async () => {
    const report = await run({});
    expect(report.errors ?? []).toEqual([]);
    const creates = (report.actions ?? []).filter((a) => a.verb === 'create');
    expect(creates.map((a) => `${a.object.name}:${a.status}`).sort()).toEqual([
      'api:applied',
      'db-credentials:applied',
    ]);
    const db = h.emulator.store.get('secrets', 'db-credentials', 'shop') as unknown as {
      data: Record<string, string>;
      metadata: { labels: Record<string, string>; annotations: Record<string, string> };
    };
    expect(Object.keys(db.data).sort()).toEqual(['password', 'username']);
    expect(Buffer.from(db.data['password'] ?? '', 'base64').toString()).toBe(CANARY_DB);
    expect(db.metadata.labels['app.kubernetes.io/managed-by']).toBe('eco-secrets-bot');
    expect(db.metadata.annotations['eco.bsw-arch.org/openbao-synced-version']).toBe('1');
    // OpenBao checked the service account token with the Kubernetes API server.
    expect(h.emulator.requests.some((r) => r.path.endsWith('/tokenreviews') && r.status === 201)).toBe(true);
  });

  it('reports a missing source, an invalid mapping and an overdue rotation by name only', async () => {
    const report = reports[0] as Report;
    const sync = report.findings.filter((f) => f.check === 'secrets.sync');
    expect(
      sync.some(
        (f) => f.object.name === 'missing' && f.message.includes('nothing at secret/shop/nothing-here'),
      ),
    ).toBe(true);
    expect(sync.some((f) => f.message.includes('target must be a Secret name'))).toBe(true);
    const rotation = report.findings.find((f) => f.check === 'secrets.rotation');
    expect(rotation).toMatchObject({
      object: { name: 'db-credentials' },
      evidence: { ageDays: 120, rotationDays: 90 },
    });
  });

  it('flags the literal secrets in a ConfigMap and an env value', async () => {
    const literal = (reports[0] as Report).findings.filter((f) => f.check === 'secrets.literal');
    expect(
      literal.map((f) => `${f.object.kind}/${f.object.name}:${(f.evidence as { key: string }).key}`).sort(),
    ).toEqual(['ConfigMap/legacy-config:DB_PASSWORD', 'Deployment/web:API_TOKEN']);
  });

  it('rolls the workload whose pods predate the synced Secret (Reloader), through the rails', async () => {
    const report = await run({});
    const stale = report.findings.find((f) => f.check === 'secrets.stale-workload');
    expect(stale).toMatchObject({
      object: { kind: 'Deployment', name: 'web' },
      evidence: { secret: 'db-credentials', stalePods: 1, restart: true },
    });
    expect(
      (report.actions ?? []).filter((a) => a.verb === 'restart').map((a) => `${a.object.name}:${a.status}`),
    ).toEqual(['web:applied']);
    // Nothing changed in OpenBao: no Secret written again.
    expect((report.actions ?? []).filter((a) => a.object.kind === 'Secret')).toEqual([]);
  });

  it('updates the Secret when OpenBao has a new version, and keeps it when the version is deleted', async () => {
    bao.putSecret('shop/database', { username: 'shop', password: CANARY_DB_2 });
    const report = await run({ checks: ['secrets.sync'] });
    const update = (report.actions ?? []).find((a) => a.verb === 'update');
    expect(update).toMatchObject({ object: { name: 'db-credentials' }, status: 'applied' });
    expect(update?.reason).toContain('differs in 1 key(s)');
    const db = h.emulator.store.get('secrets', 'db-credentials', 'shop') as unknown as {
      data: Record<string, string>;
    };
    expect(Buffer.from(db.data['password'] ?? '', 'base64').toString()).toBe(CANARY_DB_2);
    await fetch(`${bao.url}/v1/secret/data/shop/database`, {
      method: 'DELETE',
      headers: { 'X-Vault-Token': bao.rootToken },
    });
    await fetch(`${bao.url}/v1/secret/metadata/shop/database`, {
      method: 'POST',
      headers: { 'X-Vault-Token': bao.rootToken },
      body: JSON.stringify({ max_versions: 10 }),
    });
    const afterDelete = await run({ checks: ['secrets.sync'] });
    expect((afterDelete.actions ?? []).filter((a) => a.object.kind === 'Secret')).toEqual([]);
    expect(h.emulator.store.get('secrets', 'db-credentials', 'shop')).toBeDefined();
  });

  it('never emits a secret value: reports, actions, logs, Events and metrics (canary)', async () => {
    expect(reports.length).toBeGreaterThanOrEqual(4);
    const events = h.emulator.store
      .list('events')
      .concat(h.emulator.store.list({ group: 'events.k8s.io', plural: 'events' } as never));
    expect(events.length).toBeGreaterThan(0); // the rails' audit events exist, so the search means something
    expect(logLines.length).toBeGreaterThan(0);
    const emitted = [
      JSON.stringify(reports),
      logLines.join('\n'),
      JSON.stringify(events),
      await metrics.render(),
    ].join('\n');
    for (const canary of CANARIES) for (const form of forms(canary)) expect(emitted).not.toContain(form);
    // The actions show which keys a Secret has, never their values.
    const create = reports[0]?.actions?.find(
      (a) => a.verb === 'create' && a.object.name === 'db-credentials',
    );
    expect((create?.after as { data: Record<string, string> }).data).toEqual({
      username: '(redacted)',
      password: '(redacted)',
    });
  });
});

describe('without OpenBao', () => {
  it('says it is unconfigured and still finds the demo cluster’s literal secrets', async () => {
    const h = await startBotHarness(bot, { demo: true, now: () => NOW });
    try {
      const report = await h.run({});
      expect(report.errors ?? []).toEqual([]);
      expect(report.findings.find((f) => f.check === 'eco-secrets-bot.unconfigured')?.object).toEqual({
        apiVersion: 'eco.bsw-arch.org/v1',
        kind: 'Setting',
        name: 'BAO_ADDR',
      });
      const literal = report.findings.filter((f) => f.check === 'secrets.literal');
      expect(
        literal.some(
          (f) =>
            f.object.kind === 'ConfigMap' &&
            f.object.namespace === 'legacy' &&
            f.object.name === 'app-config',
        ),
      ).toBe(true);
      expect(
        literal.some(
          (f) => f.object.name === 'no-limits-app' && (f.evidence as { key: string }).key === 'API_TOKEN',
        ),
      ).toBe(true);
      // Look-alike: DB_HOST in the same ConfigMap is not a secret.
      expect(literal.some((f) => (f.evidence as { key: string }).key === 'DB_HOST')).toBe(false);
      expect(JSON.stringify(report)).not.toContain('hunter2');
      expect(JSON.stringify(report)).not.toContain('sk-demo-0000-not-real');
    } finally {
      await h.close();
    }
  });

  it('reports an unreachable OpenBao as a report error, not a crash', async () => {
    const h = await startBotHarness(bot, {
      objects,
      now: () => NOW,
      env: { BAO_ADDR: 'http://127.0.0.1:9', BAO_TOKEN_FILE: '/nonexistent/token' },
    });
    try {
      const report = await h.run({ checks: ['secrets.sync'] });
      expect(report.errors?.[0]?.code).toBe('openbao-unavailable');
    } finally {
      await h.close();
    }
  });
});
