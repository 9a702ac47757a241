import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import bot from '../../functions/eco-alert-bot/handler.ts';
import { ZERO_TIME } from '../../functions/eco-alert-bot/normalise.ts';
import type { EmitOptions, Report } from '../../shared/index.ts';
import { runBot, silentLogger } from '../../shared/index.ts';
import { FAST_RETRIES, loadFixture } from './eco-alert-bot.helpers.ts';

interface Emitted {
  type: string;
  data: Record<string, unknown>;
  options: EmitOptions | undefined;
}

function recorder(fail: (type: string, data: Record<string, unknown>) => boolean = () => false) {
  const events: Emitted[] = [];
  const emit = async (type: string, data: unknown, options?: EmitOptions): Promise<void> => {
    const record = data as Record<string, unknown>;
    if (fail(type, record))
      throw Object.assign(new Error('sink answered 503'), { attempts: 5, lastStatus: 503 });
    events.push({ type, data: record, options });
  };
  return { events, emit };
}

const SINK_ENV = { K_SINK: 'http://sink.test/', ...FAST_RETRIES };

async function run(
  input: unknown,
  env: Record<string, string> = SINK_ENV,
  emit = recorder().emit,
): Promise<Report> {
  return runBot(bot, input, { trigger: 'alertmanager', env, emit, log: silentLogger });
}

async function failure(promise: Promise<unknown>): Promise<Error & { status?: number; code?: string }> {
  return promise.then(
    () => {
      throw new Error('expected the run to fail');
    },
    (error: unknown) => error as Error & { status?: number; code?: string },
  );
}

describe('eco-alert-bot declaration', () => {
  it('is an observability bot that needs no cluster access', () => {
    expect(bot.name).toBe('eco-alert-bot');
    expect(bot.category).toBe('observability');
    expect(bot.tier).toBe('small');
    expect(bot.rbac).toEqual([]);
    expect(bot.mutates).toBe(false);
    expect(bot.triggers.http).toBe(true);
    expect(bot.emits).toEqual(['org.bsw-arch.eco.alert.firing.v1', 'org.bsw-arch.eco.alert.resolved.v1']);
  });
});

describe('eco-alert-bot run', () => {
  it('emits one CloudEvent per alert and target bot, with type, subject, ecotarget and the normalised alert', async () => {
    const rec = recorder();
    const report = await run(loadFixture('am-0.27-seed-alerts.json'), SINK_ENV, rec.emit);
    expect(rec.events.map((e) => `${e.options?.subject} -> ${e.options?.extensions?.['ecotarget']}`)).toEqual(
      [
        'HighCPUUsage -> eco-scaler-bot',
        'HighCPUUsage -> eco-optimize-bot',
        'HighMemoryUsage -> eco-resource-bot',
        'PodRestartingTooOften -> eco-container-bot',
        'PodRestartingTooOften -> eco-log-bot',
        'ContainerImageTooLarge -> eco-image-bot',
        'HighErrorRate -> eco-trace-bot',
        'SomethingNobodyRoutes -> undefined',
      ],
    );
    const cpu = rec.events[0];
    expect(cpu?.type).toBe('org.bsw-arch.eco.alert.firing.v1');
    expect(cpu?.options?.extensions).toEqual({
      ecotarget: 'eco-scaler-bot',
      ecotargets: 'eco-scaler-bot',
      ecoseverity: 'warning',
    });
    expect(cpu?.data).toMatchObject({
      status: 'firing',
      alertname: 'HighCPUUsage',
      severity: 'warning',
      fingerprint: '1111aaaa2222bbbb',
      endsAt: ZERO_TIME,
      targets: ['eco-scaler-bot', 'eco-optimize-bot'],
      receiver: 'eco-bots',
      externalURL: 'http://alertmanager.monitoring:9093',
    });
    expect(cpu?.data['labels']).toEqual({
      alertname: 'HighCPUUsage',
      severity: 'warning',
      namespace: 'apps',
      pod: 'api-7d9f',
      container: 'api',
    });
    // The unrouted alert still reaches the sink (status page), without a targets extension.
    expect(rec.events[7]?.options?.extensions).toEqual({ ecoseverity: 'warning' });
    expect(rec.events[7]?.data['targets']).toEqual([]);

    expect(report.summary).toBe(
      '6 alerts received (6 firing, 0 resolved, 0 duplicates, 0 truncated): 5 routed, 1 unrouted; 8 deliveries ok, 0 failed',
    );
    const data = report.data as Record<string, unknown>;
    expect(data['received']).toBe(6);
    expect(data['routed']).toContainEqual({
      alertname: 'HighErrorRate',
      fingerprint: '1111aaaa2222ffff',
      status: 'firing',
      severity: 'critical',
      targets: ['eco-trace-bot'],
      routes: ['seed-error-rate'],
    });
    expect(data['unrouted']).toEqual([
      {
        alertname: 'SomethingNobodyRoutes',
        fingerprint: '1111aaaa22220000',
        status: 'firing',
        severity: 'warning',
      },
    ]);
    expect((data['delivered'] as unknown[]).length).toBe(8);
    expect(data['failed']).toEqual([]);
    expect(report.actions.every((a) => a.verb === 'deliver' && a.status === 'applied')).toBe(true);
    expect(report.actions).toHaveLength(8);
    expect(report.actions[0]?.reason).toBe('firing HighCPUUsage -> K_SINK for eco-scaler-bot');
  });

  it('emits one CloudEvent per alert with all targets in ecotargets when ECO_ALERT_EVENTS=per-alert', async () => {
    const rec = recorder();
    const report = await run(
      loadFixture('am-0.27-seed-alerts.json'),
      { ...SINK_ENV, ECO_ALERT_EVENTS: 'per-alert' },
      rec.emit,
    );
    expect(rec.events.map((e) => e.options?.subject)).toEqual([
      'HighCPUUsage',
      'HighMemoryUsage',
      'PodRestartingTooOften',
      'ContainerImageTooLarge',
      'HighErrorRate',
      'SomethingNobodyRoutes',
    ]);
    expect(rec.events[0]?.options?.extensions).toEqual({
      ecotargets: 'eco-scaler-bot,eco-optimize-bot',
      ecoseverity: 'warning',
    });
    expect(report.actions.map((a) => a.reason)[0]).toBe(
      'firing HighCPUUsage -> K_SINK (eco-scaler-bot,eco-optimize-bot)',
    );
    const bad = await failure(
      run(loadFixture('am-0.27-seed-alerts.json'), { ...SINK_ENV, ECO_ALERT_EVENTS: 'per-bot' }),
    );
    expect(bad.status).toBe(500);
    expect(bad.message).toBe(
      'ECO_ALERT_EVENTS: "per-bot" is not one of the values; allowed: per-target | per-alert',
    );
  });

  it('reports one finding per alert with the alert severity and the object the labels name', async () => {
    const report = await run(loadFixture('am-0.27-seed-alerts.json'));
    const byName = new Map(report.findings.map((f) => [f.evidence?.['alertname'], f]));
    expect(byName.get('HighErrorRate')?.severity).toBe('critical');
    expect(byName.get('ContainerImageTooLarge')?.severity).toBe('info');
    expect(byName.get('HighCPUUsage')).toMatchObject({
      check: 'alert.routed',
      severity: 'warning',
      object: { apiVersion: 'v1', kind: 'Pod', namespace: 'apps', name: 'api-7d9f' },
    });
    expect(byName.get('SomethingNobodyRoutes')).toMatchObject({
      check: 'alert.unrouted',
      fix: expect.stringContaining('ECO_ALERT_ROUTES'),
    });
    // Stable ids: the same alert gives the same finding id on the next notification.
    const again = await run(loadFixture('am-0.27-seed-alerts.json'));
    expect(again.findings.map((f) => f.id)).toEqual(report.findings.map((f) => f.id));
  });

  it('accepts the newest envelope (notification_reason, routeLabels, unknown fields) and computes missing fingerprints', async () => {
    const rec = recorder();
    const report = await run(loadFixture('am-0.34-route-labels.json'), SINK_ENV, rec.emit);
    expect(report.data?.['notification_reason']).toBe('new alerts added');
    // Sent as "eco\\.bots" (regexp.QuoteMeta), reported as configured.
    expect(report.data?.['receiver']).toBe('eco.bots');
    const pv = rec.events.filter((e) => e.options?.subject === 'KubePersistentVolumeFillingUp');
    expect(pv[0]?.data['fingerprint']).toMatch(/^[0-9a-f]{16}$/);
    expect(pv.map((e) => e.options?.extensions?.['ecotarget'])).toEqual([
      'eco-storage-bot',
      'eco-snapshot-bot',
    ]);
    expect(report.findings.find((f) => f.evidence?.['alertname'] === 'KubeNodeNotReady')?.object).toEqual({
      apiVersion: 'v1',
      kind: 'Node',
      name: 'worker-2',
    });
  });

  it('reports truncated alerts from a real Alertmanager 0.25 payload', async () => {
    const report = await run(loadFixture('am-0.25-truncated.json'));
    expect(report.data?.['truncated']).toBe(1);
    const truncated = report.findings.find((f) => f.check === 'alert.truncated');
    expect(truncated?.severity).toBe('warning');
    expect(truncated?.message).toContain('1 alert out of this notification');
  });

  it('sends resolved alerts as resolved events with their end time, reported as info', async () => {
    const rec = recorder();
    const report = await run(loadFixture('am-resolved-no-fingerprint.json'), SINK_ENV, rec.emit);
    expect(rec.events).toHaveLength(2); // eco-container-bot and eco-log-bot
    expect(rec.events.every((e) => e.type === 'org.bsw-arch.eco.alert.resolved.v1')).toBe(true);
    expect(rec.events[0]?.data['endsAt']).toBe('2026-08-01T10:20:00.000Z');
    expect(report.findings[0]?.severity).toBe('info');
    expect(report.findings[0]?.evidence?.['severity']).toBe('warning');
  });

  it('delivers duplicates (same fingerprint and status) once, but firing and resolved of one alert both', async () => {
    const rec = recorder();
    const report = await run(loadFixture('am-duplicates.json'), SINK_ENV, rec.emit);
    expect(rec.events.map((e) => `${e.type} ${e.options?.extensions?.['ecotarget']}`)).toEqual([
      'org.bsw-arch.eco.alert.firing.v1 eco-container-bot',
      'org.bsw-arch.eco.alert.firing.v1 eco-log-bot',
      'org.bsw-arch.eco.alert.resolved.v1 eco-container-bot',
      'org.bsw-arch.eco.alert.resolved.v1 eco-log-bot',
    ]);
    expect(report.data?.['duplicates']).toBe(1);
    expect(report.data?.['received']).toBe(3);
  });

  it('delivers an alert without an alertname label (no CloudEvent subject) instead of failing forever', async () => {
    const { CloudEvent } = await import('cloudevents');
    const events: Array<InstanceType<typeof CloudEvent>> = [];
    // Build and validate the real CloudEvent, as the kit's sender does: an empty subject is invalid.
    const emit = async (type: string, data: unknown, options?: EmitOptions): Promise<void> => {
      const event = new CloudEvent({
        type,
        source: '/eco-bots/eco-alert-bot',
        data,
        ...options?.extensions,
        ...(options?.subject === undefined ? {} : { subject: options.subject }),
      });
      event.validate();
      events.push(event);
    };
    const report = await run(
      {
        version: '4',
        alerts: [{ status: 'firing', labels: { job: 'node' }, startsAt: '2026-08-01T10:00:00Z' }],
      },
      SINK_ENV,
      emit,
    );
    expect(events).toHaveLength(1);
    expect(events[0]?.subject).toBeUndefined();
    expect(report.data?.['unrouted']).toHaveLength(1);
    expect(report.findings[0]?.message).toContain('(no alertname)');
  });

  it('says so when no delivery channel is configured, and still answers', async () => {
    const report = await run(loadFixture('am-0.27-seed-alerts.json'), {});
    expect(report.actions).toEqual([]);
    expect(report.findings.find((f) => f.check === 'alert.no-delivery-channel')?.severity).toBe('warning');
    expect(report.data?.['channels']).toEqual({ sink: false, openfaas: null });
  });

  it('fails with a 502 when a delivery fails after retries, naming the alert', async () => {
    const rec = recorder((_type, data) => data['alertname'] === 'HighMemoryUsage');
    const error = await failure(run(loadFixture('am-0.27-seed-alerts.json'), SINK_ENV, rec.emit));
    expect(error.status).toBe(502);
    expect(error.message).toMatch(
      /1 of 8 alert deliveries failed \(first: HighMemoryUsage via sink to eco-resource-bot: sink answered 503\)/,
    );
    // The other alerts were still delivered: Alertmanager resends the group and recipients dedupe.
    expect(rec.events).toHaveLength(7);
  });

  it('stops using a channel after it failed, so the 502 comes back without waiting for every retry', async () => {
    const calls: string[] = [];
    const emit = async (_type: string, _data: unknown, options?: EmitOptions): Promise<void> => {
      calls.push(options?.extensions?.['ecotarget'] ?? '-');
      throw Object.assign(new Error('sink answered 503'), { attempts: 4, lastStatus: 503 });
    };
    const error = await failure(
      run(loadFixture('am-0.27-seed-alerts.json'), { ...SINK_ENV, ECO_ALERT_CONCURRENCY: '1' }, emit),
    );
    expect(calls).toEqual(['eco-scaler-bot']);
    expect(error.status).toBe(502);
    expect(error.message).toBe(
      '8 of 8 alert deliveries failed (7 not attempted after an earlier failure on the same channel) ' +
        '(first: HighCPUUsage via sink to eco-scaler-bot: sink answered 503); Alertmanager will retry',
    );
  });

  it('treats an empty invocation (cron, PingSource, {}) as a self-check of the routing table', async () => {
    for (const input of [undefined, {}]) {
      const report = await runBot(bot, input, { trigger: 'cron', env: {}, log: silentLogger });
      expect(report.summary).toMatch(
        /no alerts in this invocation; routing table ok \(\d+ routes from defaults\)/,
      );
      expect(report.findings).toEqual([]);
    }
  });

  it('rejects a payload without alerts with a 400 naming the field', async () => {
    const error = await failure(run({ version: '4', receiver: 'x', status: 'firing' }));
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/^alerts: required/);
    const notArray = await failure(run({ version: '4', alerts: { a: 1 } }));
    expect(notArray.status).toBe(400);
    expect(notArray.message).toMatch(/alerts/);
  });

  it('rejects an alert without labels, status or startsAt with a 400 naming alerts[i].field', async () => {
    const good = loadFixture('am-0.27-seed-alerts.json');
    const cases: Array<[string, (a: Record<string, unknown>) => void]> = [
      ['startsAt', (a) => delete a['startsAt']],
      ['labels', (a) => delete a['labels']],
      ['status', (a) => delete a['status']],
      ['status', (a) => (a['status'] = 'pending')],
      ['startsAt', (a) => (a['startsAt'] = 'last tuesday')],
    ];
    for (const [field, mutate] of cases) {
      const payload = structuredClone(good);
      const third = payload.alerts[2];
      if (third === undefined) throw new Error('fixture too short');
      mutate(third);
      const error = await failure(run(payload));
      expect(error.status, field).toBe(400);
      expect(error.message, field).toMatch(new RegExp(`^invalid options: alerts\\[2\\]\\.${field}: `));
    }
  });

  it('answers 500 (so Alertmanager retries) when ECO_ALERT_ROUTES is broken', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'eco-alert-'));
    try {
      const file = join(dir, 'routes.yaml');
      await writeFile(file, 'routes:\n  - alertname: X\n    targets: [BAD NAME]\n');
      const error = await failure(
        run(loadFixture('am-0.27-seed-alerts.json'), { ...SINK_ENV, ECO_ALERT_ROUTES: file }),
      );
      expect(error.status).toBe(500);
      expect(error.message).toMatch(/^ECO_ALERT_ROUTES: .*routes\.yaml: routes\[0\]\.targets\[0\]/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('eco-alert-bot routing overrides', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eco-alert-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('routes by the ECO_ALERT_ROUTES file', async () => {
    const file = join(dir, 'routes.yaml');
    await writeFile(file, 'routes:\n  - alertname: SomethingNobodyRoutes\n    targets: [eco-status-bot]\n');
    const rec = recorder();
    const report = await run(
      loadFixture('am-0.27-seed-alerts.json'),
      { ...SINK_ENV, ECO_ALERT_ROUTES: file },
      rec.emit,
    );
    expect(report.data?.['unrouted']).toEqual([]);
    expect(rec.events.at(-1)?.options?.extensions?.['ecotargets']).toBe('eco-status-bot');
    expect(report.data?.['routingTable']).toMatchObject({ source: file, mode: 'extend' });
  });
});
