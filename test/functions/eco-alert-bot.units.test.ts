import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRoutes, SEED_ALERTS } from '../../functions/eco-alert-bot/default-routes.ts';
import { labelsFingerprint } from '../../functions/eco-alert-bot/fingerprint.ts';
import { matches, parseMatcher } from '../../functions/eco-alert-bot/matchers.ts';
import {
  mapSeverity,
  normaliseAlert,
  unquoteMeta,
  ZERO_TIME,
} from '../../functions/eco-alert-bot/normalise.ts';
import { buildTable, loadRoutingTable } from '../../functions/eco-alert-bot/routes-file.ts';
import { pointerToPath } from '../../shared/index.ts';
import { compileRoutes, routeAlert } from '../../functions/eco-alert-bot/routing.ts';
import { AlertSchema, PayloadSchema } from '../../functions/eco-alert-bot/schema.ts';
import type { RawAlert } from '../../functions/eco-alert-bot/schema.ts';

const fixture = async (name: string): Promise<Record<string, unknown>> =>
  JSON.parse(await readFile(new URL(`../fixtures/alertmanager/${name}`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;

const alert = (labels: Record<string, string>, extra: Partial<RawAlert> = {}): RawAlert => ({
  status: 'firing',
  labels,
  startsAt: '2026-08-01T10:00:00Z',
  ...extra,
});

describe('fingerprint', () => {
  it('equals the fingerprint Alertmanager 0.25 computed for the same labels', async () => {
    // The captured payload carries Alertmanager's own fingerprints.
    const payload = await fixture('am-0.25-truncated.json');
    const alerts = payload['alerts'] as Array<{ labels: Record<string, string>; fingerprint: string }>;
    expect(alerts.length).toBeGreaterThan(0);
    for (const a of alerts) expect(labelsFingerprint(a.labels)).toBe(a.fingerprint);
  });

  it('hashes UTF-8 bytes and does not depend on key order', () => {
    // Value read back from Alertmanager 0.25's /api/v2/alerts for this label set.
    const labels = {
      alertname: 'HighCPUUsage',
      namespace: 'apps',
      pod: 'api-7d9f',
      severity: 'warning',
      x: 'é',
    };
    expect(labelsFingerprint(labels)).toBe('80904f5d1a40be89');
    const reversed = Object.fromEntries(Object.entries(labels).reverse());
    expect(labelsFingerprint(reversed)).toBe('80904f5d1a40be89');
    expect(labelsFingerprint({})).toBe('cbf29ce484222325');
  });
});

describe('normalise', () => {
  it('maps severities onto info|warning|critical with warning as the default', () => {
    expect(mapSeverity(undefined)).toBe('warning');
    expect(mapSeverity('critical')).toBe('critical');
    expect(mapSeverity('ERROR')).toBe('critical');
    expect(mapSeverity('page')).toBe('critical');
    expect(mapSeverity('warning')).toBe('warning');
    expect(mapSeverity('info')).toBe('info');
    expect(mapSeverity('none')).toBe('info');
    expect(mapSeverity('weird')).toBe('warning');
  });

  it('fills in fingerprint, annotations, endsAt (zero time while firing) and generatorURL', () => {
    const n = normaliseAlert(
      alert(
        { alertname: 'KubePodCrashLooping', severity: 'critical', pod: 'p' },
        { endsAt: '2099-01-01T00:00:00Z' },
      ),
    );
    expect(n).toEqual({
      status: 'firing',
      alertname: 'KubePodCrashLooping',
      severity: 'critical',
      labels: { alertname: 'KubePodCrashLooping', severity: 'critical', pod: 'p' },
      annotations: {},
      fingerprint: labelsFingerprint({ alertname: 'KubePodCrashLooping', severity: 'critical', pod: 'p' }),
      startsAt: '2026-08-01T10:00:00Z',
      endsAt: ZERO_TIME,
      generatorURL: '',
    });
  });

  it('undoes the regexp.QuoteMeta Alertmanager applies to the receiver name', () => {
    expect(unquoteMeta('eco\\.bots')).toBe('eco.bots');
    expect(unquoteMeta('team\\(ops\\)\\+1')).toBe('team(ops)+1');
    expect(unquoteMeta('a\\\\b')).toBe('a\\b');
    expect(unquoteMeta('eco-bots')).toBe('eco-bots');
  });

  it('keeps a given fingerprint and the end time of a resolved alert', () => {
    const n = normaliseAlert(
      alert(
        { alertname: 'X' },
        { status: 'resolved', endsAt: '2026-08-01T11:00:00Z', fingerprint: 'abc', annotations: { a: 'b' } },
      ),
    );
    expect(n.fingerprint).toBe('abc');
    expect(n.endsAt).toBe('2026-08-01T11:00:00Z');
    expect(n.annotations).toEqual({ a: 'b' });
    expect(n.severity).toBe('warning');
  });
});

describe('payload schema', () => {
  it('accepts every fixture version, including unknown fields', async () => {
    for (const name of [
      'am-0.25-truncated.json',
      'am-0.27-seed-alerts.json',
      'am-0.34-route-labels.json',
      'am-resolved-no-fingerprint.json',
      'am-duplicates.json',
    ]) {
      const errors = [...Value.Errors(PayloadSchema, await fixture(name))];
      expect(errors, name).toEqual([]);
    }
  });

  it('rejects alerts without labels, status or startsAt, and bad times', () => {
    const path = (value: unknown): string[] =>
      [...Value.Errors(AlertSchema, value)].map((e) => pointerToPath(e.path));
    expect(path({ status: 'firing', startsAt: '2026-08-01T10:00:00Z' })).toContain('labels');
    expect(path({ labels: {}, startsAt: '2026-08-01T10:00:00Z' })).toContain('status');
    expect(path({ status: 'firing', labels: {} })).toContain('startsAt');
    expect(path({ status: 'pending', labels: {}, startsAt: '2026-08-01T10:00:00Z' })).toContain('status');
    expect(path({ status: 'firing', labels: {}, startsAt: 'yesterday' })).toContain('startsAt');
    expect(path({ status: 'firing', labels: { a: 1 }, startsAt: '2026-08-01T10:00:00Z' })).toContain(
      'labels.a',
    );
    expect(path({ status: 'firing', labels: {}, startsAt: '2018-03-07T06:33:21.873077559-05:00' })).toEqual(
      [],
    );
  });

  it('turns JSON pointers into field paths', () => {
    expect(pointerToPath('/alerts/2/startsAt')).toBe('alerts[2].startsAt');
    expect(pointerToPath('/routes/0/matchers/1')).toBe('routes[0].matchers[1]');
    expect(pointerToPath('')).toBe('');
  });
});

describe('matchers', () => {
  it('parses the four Alertmanager operators, quoted or not', () => {
    const labels = { namespace: 'prod-eu', severity: 'critical' };
    expect(matches(parseMatcher('namespace="prod-eu"'), labels)).toBe(true);
    expect(matches(parseMatcher('namespace=prod-eu'), labels)).toBe(true);
    expect(matches(parseMatcher('severity!="critical"'), labels)).toBe(false);
    expect(matches(parseMatcher('namespace=~"prod-.*"'), labels)).toBe(true);
    expect(matches(parseMatcher('namespace!~"prod-.*"'), labels)).toBe(false);
    // Anchored like Alertmanager: "prod" alone does not match "prod-eu".
    expect(matches(parseMatcher('namespace=~"prod"'), labels)).toBe(false);
    // A missing label is the empty string.
    expect(matches(parseMatcher('team=""'), labels)).toBe(true);
    expect(matches(parseMatcher('team!~".+"'), labels)).toBe(true);
  });

  it('explains bad matchers', () => {
    expect(() => parseMatcher('namespace')).toThrow(/not a matcher/);
    expect(() => parseMatcher('pod=~"("')).toThrow(/invalid regular expression/);
    expect(() => parseMatcher('9x="a"')).toThrow(/not a matcher/);
  });
});

describe('routing', () => {
  const table = compileRoutes(defaultRoutes);

  it('routes the seed alerts and the mixin alerts to the bots in the catalogue', () => {
    const to = (alertname: string, labels: Record<string, string> = {}): string[] =>
      routeAlert(table, { alertname, ...labels }).targets;
    expect(to(SEED_ALERTS.highCpu)).toEqual(['eco-scaler-bot', 'eco-optimize-bot']);
    expect(to(SEED_ALERTS.highMemory)).toEqual(['eco-resource-bot']);
    expect(to(SEED_ALERTS.podRestarts)).toEqual(['eco-container-bot', 'eco-log-bot']);
    expect(to(SEED_ALERTS.imageTooLarge)).toEqual(['eco-image-bot']);
    expect(to(SEED_ALERTS.errorRate)).toEqual(['eco-trace-bot']);
    expect(to('KubePodCrashLooping')).toEqual(['eco-container-bot', 'eco-log-bot']);
    expect(to('KubeNodeNotReady')).toEqual(['eco-node-bot']);
    expect(to('KubeHpaMaxedOut')).toEqual(['eco-scaler-bot']);
    expect(to('KubeQuotaExceeded')).toEqual(['eco-quota-bot']);
    expect(to('CPUThrottlingHigh')).toEqual(['eco-optimize-bot']);
    expect(to('KubeJobFailed')).toEqual(['eco-cleanup-bot', 'eco-log-bot']);
    expect(to('TargetDown')).toEqual(['eco-metrics-bot']);
    expect(to('NodeFilesystemSpaceFillingUp')).toEqual(['eco-node-bot']);
    expect(to('KubeClientCertificateExpiration')).toEqual(['eco-cluster-bot']);
    expect(to('Watchdog')).toEqual([]);
  });

  it('uses label matchers: a critical volume alert also goes to the snapshot bot', () => {
    expect(
      routeAlert(table, { alertname: 'KubePersistentVolumeFillingUp', severity: 'warning' }).targets,
    ).toEqual(['eco-storage-bot']);
    const critical = routeAlert(table, { alertname: 'KubePersistentVolumeFillingUp', severity: 'critical' });
    expect(critical.targets).toEqual(['eco-storage-bot', 'eco-snapshot-bot']);
    expect(critical.routes).toEqual(['pv-filling-up', 'pv-filling-up-critical-snapshot']);
  });

  it('only targets bots of the catalogue, each a DNS label, and names every route once', () => {
    const names = defaultRoutes.map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
    for (const target of defaultRoutes.flatMap((r) => r.targets)) expect(target).toMatch(/^eco-[a-z]+-bot$/);
    expect(Object.isFrozen(defaultRoutes)).toBe(true);
  });

  it('stops at a matching route with stop: true and dedupes targets', () => {
    const routes = compileRoutes([
      { name: 'a', alertname: ['X', 'Y'], targets: ['eco-a-bot', 'eco-b-bot'] },
      { name: 'b', matchers: ['team="x"'], targets: ['eco-b-bot', 'eco-c-bot'], stop: true },
      { name: 'c', targets: ['eco-d-bot'] },
    ]);
    expect(routeAlert(routes, { alertname: 'X', team: 'x' })).toEqual({
      targets: ['eco-a-bot', 'eco-b-bot', 'eco-c-bot'],
      routes: ['a', 'b'],
    });
    expect(routeAlert(routes, { alertname: 'Z' })).toEqual({ targets: ['eco-d-bot'], routes: ['c'] });
  });
});

describe('ECO_ALERT_ROUTES file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eco-alert-routes-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('extends the defaults by default, with the file routes first', async () => {
    const file = join(dir, 'extend.yaml');
    await writeFile(
      file,
      [
        'routes:',
        '  - name: prod-crashloop-to-status',
        '    alertname: KubePodCrashLooping',
        '    matchers: [\'namespace=~"prod-.*"\']',
        '    targets: [eco-status-bot]',
        '    stop: true',
        '  - alertname: MyAppDown',
        '    targets: [eco-healthcheck-bot, my-own-function]',
      ].join('\n'),
    );
    const table = await loadRoutingTable({ ECO_ALERT_ROUTES: file });
    expect(table.mode).toBe('extend');
    expect(table.routes.length).toBe(defaultRoutes.length + 2);
    expect(
      routeAlert(table.routes, { alertname: 'KubePodCrashLooping', namespace: 'prod-eu' }).targets,
    ).toEqual(['eco-status-bot']);
    expect(routeAlert(table.routes, { alertname: 'KubePodCrashLooping', namespace: 'dev' }).targets).toEqual([
      'eco-container-bot',
      'eco-log-bot',
    ]);
    expect(routeAlert(table.routes, { alertname: 'MyAppDown' })).toEqual({
      targets: ['eco-healthcheck-bot', 'my-own-function'],
      routes: ['routes[1]'],
    });
  });

  it('replaces the defaults with mode: replace (JSON)', async () => {
    const file = join(dir, 'replace.json');
    await writeFile(
      file,
      JSON.stringify({ mode: 'replace', routes: [{ alertname: 'X', targets: ['eco-x-bot'] }] }),
    );
    const table = await loadRoutingTable({ ECO_ALERT_ROUTES: file });
    expect(table.routes.length).toBe(1);
    expect(routeAlert(table.routes, { alertname: 'KubePodCrashLooping' }).targets).toEqual([]);
  });

  it('re-reads the file when it changes', async () => {
    const file = join(dir, 'changing.yaml');
    await writeFile(file, '- alertname: A\n  targets: [eco-a-bot]\n');
    expect((await loadRoutingTable({ ECO_ALERT_ROUTES: file })).routes.length).toBe(defaultRoutes.length + 1);
    await writeFile(
      file,
      'mode: replace\nroutes:\n  - alertname: A\n    targets: [eco-a-bot]\n  - alertname: B\n    targets: [eco-b-bot]\n',
    );
    expect((await loadRoutingTable({ ECO_ALERT_ROUTES: file })).routes.length).toBe(2);
  });

  it('rejects a bad file with a message naming the variable, the file and the field', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['bad1.yaml', 'routes:\n  - alertname: X\n', /ECO_ALERT_ROUTES: .*bad1\.yaml: routes\[0\]\.targets: /],
      [
        'bad2.yaml',
        'routes:\n  - alertname: X\n    targets: [Not_A_Name]\n',
        /routes\[0\]\.targets\[0\]: "Not_A_Name" is not a function name/,
      ],
      [
        'bad3.yaml',
        'routes:\n  - targets: [eco-a-bot]\n    matchers: [\'pod=~"(("\']\n',
        /routes\[0\]\.matchers\[0\]: .*invalid regular expression/,
      ],
      ['bad4.yaml', 'mode: merge\nroutes: []\n', /ECO_ALERT_ROUTES: .*mode/],
      ['bad5.json', '{"routes": [', /bad5\.json is not valid JSON/],
      ['bad6.yaml', 'routes: [\n', /bad6\.yaml is not valid YAML/],
      ['bad7.yaml', 'routes:\n  - alertname: X\n    targets: [eco-a-bot]\n    tagrets: [x]\n', /routes\[0\]/],
    ];
    for (const [name, text, message] of cases) {
      const file = join(dir, name);
      await writeFile(file, text);
      const error = await loadRoutingTable({ ECO_ALERT_ROUTES: file }).then(
        () => undefined,
        (e: unknown) => e as Error & { status?: number },
      );
      expect(error, name).toBeDefined();
      expect(error?.message, name).toMatch(message);
      expect(error?.status, name).toBe(500);
    }
    await expect(loadRoutingTable({ ECO_ALERT_ROUTES: join(dir, 'missing.yaml') })).rejects.toThrow(
      /ECO_ALERT_ROUTES: .*missing\.yaml cannot be read \(ENOENT\)/,
    );
  });

  it('buildTable accepts a bare list as extend', () => {
    const table = buildTable([{ alertname: 'A', targets: ['eco-a-bot'] }], 'inline');
    expect(table.mode).toBe('extend');
    expect(table.specs[0]?.name).toBe('routes[0]');
  });
});
