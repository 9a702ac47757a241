// eco-secrets-bot's sync logic: mappings from ConfigMaps and annotations, the sync plan (create,
// update, none, skip) with values only in the manifest, refresh decisions, stale workloads and
// rotation age.
import { describe, expect, it } from 'vitest';
import {
  ANNOTATIONS,
  DEFAULT_REFRESH_MS,
  mappingFromSecret,
  mappingsFromConfigMap,
  parseRefresh,
} from '../../functions/eco-secrets-bot/mapping.ts';
import type { SyncMapping } from '../../functions/eco-secrets-bot/mapping.ts';
import { isDue, planSync } from '../../functions/eco-secrets-bot/sync.ts';
import type { ExistingSecret } from '../../functions/eco-secrets-bot/sync.ts';
import {
  restartPatch,
  rotationOverdue,
  secretChangedAt,
  secretsUsedBy,
  staleSecretUses,
} from '../../functions/eco-secrets-bot/rollout.ts';

const NOW = new Date('2026-06-01T12:00:00Z');
const cm = (mappings: string) => ({
  metadata: { name: 'openbao-sync', namespace: 'shop' },
  data: { mappings },
});

describe('mappings', () => {
  it('reads a YAML list from a ConfigMap with defaults', async () => {
    const r = await mappingsFromConfigMap(
      cm(`
- target: db-credentials
  path: shop/database
  keys: [username, password]
- target: payment
  path: /shop/payment-api/
  keys: { PAYMENT_KEY: api_key }
  refreshInterval: 15m
  version: 2
  mount: kv
`),
    );
    expect(r.errors).toEqual([]);
    expect(r.mappings).toEqual([
      {
        namespace: 'shop',
        target: 'db-credentials',
        path: 'shop/database',
        keys: { username: 'username', password: 'password' },
        refreshMs: DEFAULT_REFRESH_MS,
        type: 'Opaque',
        declaredIn: 'ConfigMap shop/openbao-sync',
      },
      {
        namespace: 'shop',
        target: 'payment',
        path: 'shop/payment-api',
        mount: 'kv',
        keys: { PAYMENT_KEY: 'api_key' },
        refreshMs: 900_000,
        version: 2,
        type: 'Opaque',
        declaredIn: 'ConfigMap shop/openbao-sync',
      },
    ]);
  });

  it.each([
    ['not: a list', 'must be a list'],
    ['[{target: Bad_Name, path: a}]', 'target must be a Secret name'],
    ['[{target: a, path: ""}]', 'path must be a KV v2 secret path'],
    ['[{target: a, path: "x/../y"}]', 'path must be a KV v2 secret path'],
    ['[{target: a, path: x, refreshInterval: soon}]', 'refreshInterval must be a duration'],
    ['[{target: a, path: x, keys: "a=,b"}]', 'keys must be'],
    ['[{target: a, path: x, version: 0}]', 'version must be a positive integer'],
    ['[{target: a, path: x}, {target: a, path: y}]', 'declared twice'],
    ['[unclosed', 'is not YAML or JSON'],
  ])('rejects %s', async (text, message) => {
    const r = await mappingsFromConfigMap(cm(text));
    expect(r.errors.join('\n')).toContain(message);
  });

  it('reads JSON without loading the YAML parser', async () => {
    const r = await mappingsFromConfigMap(cm('[{"target":"db","path":"shop/db","keys":["password"]}]'));
    expect(r.mappings[0]).toMatchObject({ target: 'db', path: 'shop/db', keys: { password: 'password' } });
  });

  it('reads annotations on the target Secret', () => {
    const r = mappingFromSecret({
      metadata: {
        name: 'session',
        namespace: 'web',
        annotations: {
          [ANNOTATIONS.path]: 'web/session',
          [ANNOTATIONS.keys]: 'SIGNING_KEY=signing_key',
          [ANNOTATIONS.refresh]: '0',
        },
      },
      type: 'Opaque',
    });
    expect(r?.mappings[0]).toMatchObject({
      target: 'session',
      path: 'web/session',
      keys: { SIGNING_KEY: 'signing_key' },
      refreshMs: 0,
    });
    expect(mappingFromSecret({ metadata: { name: 'x', namespace: 'web' } })).toBeUndefined();
  });

  it.each([
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['90s', 90_000],
    ['0', 0],
    [undefined, DEFAULT_REFRESH_MS],
    ['1d', undefined],
  ])('refresh %s -> %s', (v, ms) => expect(parseRefresh(v)).toBe(ms));
});

describe('planSync', () => {
  const mapping: SyncMapping = {
    namespace: 'shop',
    target: 'db-credentials',
    path: 'shop/database',
    keys: { username: 'username', DB_PASSWORD: 'password' },
    refreshMs: DEFAULT_REFRESH_MS,
    type: 'Opaque',
    declaredIn: 'ConfigMap shop/openbao-sync',
  };
  const source = {
    status: 'ok' as const,
    data: { username: 'shop', password: 'CANARY-pw-1', extra: 'x' },
    version: 3,
  };
  const b64 = (s: string) => Buffer.from(s).toString('base64');

  it('creates the Secret with only the mapped keys, values only in the manifest', () => {
    const plan = planSync(mapping, undefined, source, NOW);
    expect(plan.action).toBe('create');
    expect(plan.manifest?.data).toEqual({ username: b64('shop'), DB_PASSWORD: b64('CANARY-pw-1') });
    expect(plan.manifest?.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'eco-secrets-bot' });
    expect(plan.manifest?.metadata.annotations).toMatchObject({
      [ANNOTATIONS.syncedVersion]: '3',
      [ANNOTATIONS.syncedAt]: NOW.toISOString(),
    });
    const { manifest: _manifest, ...safe } = plan;
    expect(JSON.stringify(safe)).not.toContain('CANARY');
    expect(JSON.stringify(safe)).not.toContain(b64('CANARY-pw-1'));
  });

  it('updates only what changed and names the keys, and does nothing when in sync', () => {
    const existing: ExistingSecret = {
      metadata: {
        name: 'db-credentials',
        namespace: 'shop',
        labels: { 'app.kubernetes.io/managed-by': 'eco-secrets-bot' },
        resourceVersion: '7',
      },
      type: 'Opaque',
      data: { username: b64('shop'), DB_PASSWORD: b64('old'), stale: b64('x') },
    };
    const plan = planSync(mapping, existing, source, NOW);
    expect(plan.action).toBe('update');
    expect(plan.changedKeys).toEqual(['DB_PASSWORD', 'stale']);
    expect(plan.manifest?.metadata.resourceVersion).toBe('7');
    const inSync = planSync(mapping, { ...existing, data: plan.manifest?.data ?? {} }, source, NOW);
    expect(inSync.action).toBe('none');
  });

  it.each<[string, ExistingSecret | undefined, Parameters<typeof planSync>[2], string]>([
    [
      'an unmanaged Secret of that name',
      { metadata: { name: 'db-credentials', labels: { team: 'x' } } },
      source,
      'not managed by eco-secrets-bot',
    ],
    ['nothing in OpenBao', undefined, { status: 'missing' }, 'nothing at shop/database'],
    [
      'a deleted version',
      undefined,
      { status: 'deleted', version: 4 },
      'is deleted in OpenBao; the Secret is kept',
    ],
    ['a destroyed version', undefined, { status: 'destroyed', version: 4 }, 'is destroyed'],
    [
      'a missing key',
      undefined,
      { status: 'ok', data: { username: 'u' }, version: 1 },
      'has no key(s) password',
    ],
  ])('skips %s', (_name, existing, src, reason) => {
    const plan = planSync(mapping, existing, src, NOW);
    expect(plan.action).toBe('skip');
    expect(plan.reason).toContain(reason);
    expect(plan.manifest).toBeUndefined();
  });
});

describe('isDue', () => {
  const mapping: SyncMapping = {
    namespace: 'shop',
    target: 't',
    path: 'p',
    refreshMs: 3_600_000,
    type: 'Opaque',
    declaredIn: 'x',
  };
  const synced = (version: string, at: string, path = 'p'): ExistingSecret => ({
    metadata: {
      name: 't',
      annotations: {
        [ANNOTATIONS.syncedVersion]: version,
        [ANNOTATIONS.syncedAt]: at,
        [ANNOTATIONS.syncedPath]: path,
      },
    },
  });
  it.each<[string, ExistingSecret | undefined, number | undefined, boolean]>([
    ['never synced', undefined, 1, true],
    ['a new version in OpenBao', synced('1', '2026-06-01T11:59:00Z'), 2, true],
    ['same version, refreshed recently', synced('2', '2026-06-01T11:30:00Z'), 2, false],
    ['same version, refresh interval passed', synced('2', '2026-06-01T10:00:00Z'), 2, true],
    ['the mapping now points elsewhere', synced('2', '2026-06-01T11:59:00Z', 'old'), 2, true],
  ])('%s -> %s', (_n, existing, version, due) => expect(isDue(mapping, existing, version, NOW)).toBe(due));
});

describe('stale workloads and rotation', () => {
  const spec = {
    containers: [
      { env: [{ valueFrom: { secretKeyRef: { name: 'db' } } }], envFrom: [{ secretRef: { name: 'api' } }] },
    ],
    initContainers: [{ envFrom: [{ secretRef: { name: 'init-only' } }] }],
    volumes: [
      { secret: { secretName: 'tls' } },
      { projected: { sources: [{ secret: { name: 'bundle' } }] } },
    ],
  };

  it('finds every Secret a pod spec reads', () => {
    expect([...secretsUsedBy(spec)].sort()).toEqual(['api', 'bundle', 'db', 'init-only', 'tls']);
  });

  it('dates a Secret change by the sync annotation, managedFields or creation', () => {
    expect(
      secretChangedAt({
        metadata: {
          annotations: { [ANNOTATIONS.syncedAt]: '2026-05-01T00:00:00Z' },
          managedFields: [{ time: '2026-05-20T00:00:00Z' }],
        },
      }),
    ).toBe(Date.parse('2026-05-01T00:00:00Z'));
    expect(
      secretChangedAt({
        metadata: { managedFields: [{ time: '2026-05-01T00:00:00Z' }, { time: '2026-05-20T00:00:00Z' }] },
      }),
    ).toBe(Date.parse('2026-05-20T00:00:00Z'));
    expect(secretChangedAt({ metadata: { creationTimestamp: '2026-01-01T00:00:00Z' } })).toBe(
      Date.parse('2026-01-01T00:00:00Z'),
    );
  });

  it('flags running pods that started before a used Secret changed', () => {
    const pods = [
      { status: { phase: 'Running', startTime: '2026-05-10T00:00:00Z' } },
      { status: { phase: 'Running', startTime: '2026-05-30T00:00:00Z' } },
      { status: { phase: 'Succeeded', startTime: '2026-05-01T00:00:00Z' } },
    ];
    const changed = new Map([
      ['db', Date.parse('2026-05-20T00:00:00Z')],
      ['tls', Date.parse('2026-05-01T00:00:00Z')],
      ['unused', Date.parse('2026-05-31T00:00:00Z')],
    ]);
    expect(staleSecretUses(spec, pods, changed)).toEqual([
      {
        secret: 'db',
        changedAt: Date.parse('2026-05-20T00:00:00Z'),
        oldestPodStart: Date.parse('2026-05-10T00:00:00Z'),
        stalePods: 1,
      },
    ]);
  });

  it('restarts as kubectl rollout restart does and measures rotation age', () => {
    expect(restartPatch(NOW)).toEqual({
      spec: {
        template: {
          metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-06-01T12:00:00.000Z' } },
        },
      },
    });
    expect(rotationOverdue('2026-01-01T00:00:00Z', NOW, 90 * 86_400_000)).toBe(151);
    expect(rotationOverdue('2026-05-01T00:00:00Z', NOW, 90 * 86_400_000)).toBeUndefined();
  });
});
