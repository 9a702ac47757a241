// End to end with the real Alertmanager binary (Debian's prometheus-alertmanager): it sends its own
// webhook payload, with bearer credentials from a file, to eco-alert-bot; the sink is down at first, the
// bot answers 502, Alertmanager retries, and the alert arrives once the sink is back.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/gateway/free-port.ts';
import bot from '../../functions/eco-alert-bot/handler.ts';
import { serve, silentLogger } from '../../shared/index.ts';
import type { RunningServer } from '../../shared/index.ts';
import { FAST_RETRIES, startFakeServer } from './eco-alert-bot.helpers.ts';
import type { FakeServer } from './eco-alert-bot.helpers.ts';

const ALERTMANAGER = process.env['ALERTMANAGER_BIN'] ?? 'prometheus-alertmanager';

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

let dir: string | undefined;
let am: ChildProcess | undefined;
let botServer: RunningServer | undefined;
let sink: FakeServer | undefined;
afterAll(async () => {
  if (am !== undefined && am.exitCode === null) {
    const exited = new Promise((resolve) => am?.once('exit', resolve));
    am.kill('SIGTERM');
    await exited;
  }
  await botServer?.close();
  await sink?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe('eco-alert-bot behind a real Alertmanager', () => {
  it('receives the webhook with bearer auth, answers 502 while the sink is down, and delivers after the retry', async () => {
    dir = await mkdtemp(join(tmpdir(), 'eco-alert-am-'));
    const attempts = Number(FAST_RETRIES.ECO_SINK_ATTEMPTS);
    // First notification: every attempt of both events (eco-container-bot, eco-log-bot) fails, so the
    // bot answers 502; afterwards the sink accepts.
    sink = await startFakeServer([...Array<number>(2 * attempts).fill(503), 202]);
    botServer = await serve(bot, {
      env: { PORT: '0', ...FAST_RETRIES, K_SINK: sink.url, ECO_AUTH_TOKEN: 'am-token' },
      handleSignals: false,
      exitOnConfigError: false,
      host: '127.0.0.1',
      log: silentLogger,
    });
    await writeFile(join(dir, 'token'), 'am-token\n');
    await writeFile(
      join(dir, 'alertmanager.yml'),
      [
        'route:',
        '  receiver: eco-bots',
        "  group_by: ['alertname']",
        '  group_wait: 1s',
        '  group_interval: 1m',
        'receivers:',
        '  - name: eco-bots',
        '    webhook_configs:',
        `      - url: http://127.0.0.1:${botServer.port}/`,
        '        send_resolved: true',
        '        http_config:',
        '          authorization:',
        '            type: Bearer',
        `            credentials_file: ${join(dir, 'token')}`,
      ].join('\n'),
    );
    const amPort = await freePort();
    am = spawn(
      ALERTMANAGER,
      [
        `--config.file=${join(dir, 'alertmanager.yml')}`,
        `--storage.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${amPort}`,
        '--cluster.listen-address=',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let amLog = '';
    am.once(
      'error',
      (error) => (amLog += `cannot start ${ALERTMANAGER} (set ALERTMANAGER_BIN): ${error.message}`),
    );
    am.stderr?.on('data', (chunk: Buffer) => (amLog += chunk.toString('utf8')));
    const amUrl = `http://127.0.0.1:${amPort}`;
    await until('Alertmanager to be ready', async () => {
      if (am?.exitCode !== null || amLog.startsWith('cannot start'))
        throw new Error(`alertmanager not running: ${amLog}`);
      const ready = await fetch(`${amUrl}/-/ready`).catch(() => undefined);
      return ready?.ok === true ? true : undefined;
    });

    const labels = {
      alertname: 'KubePodCrashLooping',
      namespace: 'apps',
      pod: 'api-7d9f',
      container: 'api',
      severity: 'critical',
    };
    const posted = await fetch(`${amUrl}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ labels, annotations: { summary: 'Pod is crash looping.' } }]),
    });
    expect(posted.status).toBe(200);

    const accepted = (target: string) =>
      sink?.requests.find(
        (r) =>
          r.status === 202 &&
          r.headers['ce-type'] === 'org.bsw-arch.eco.alert.firing.v1' &&
          r.headers['ce-ecotarget'] === target,
      );
    // Both target bots get their event once the sink is back.
    const delivered = await until('the alert events to be accepted by the sink', () =>
      accepted('eco-log-bot') === undefined ? undefined : accepted('eco-container-bot'),
    );
    // The first notification failed at the sink: Alertmanager had to retry after our 502.
    const alertRequests = sink.requests.filter(
      (r) => r.headers['ce-type'] === 'org.bsw-arch.eco.alert.firing.v1',
    );
    expect(alertRequests.slice(0, 2 * attempts).every((r) => r.status === 503)).toBe(true);

    expect(delivered.headers['ce-subject']).toBe('KubePodCrashLooping');
    expect(delivered.headers['ce-ecotarget']).toBe('eco-container-bot');
    const data = JSON.parse(delivered.body) as Record<string, unknown>;
    const amAlerts = (await (await fetch(`${amUrl}/api/v2/alerts`)).json()) as Array<{ fingerprint: string }>;
    expect(data).toMatchObject({
      status: 'firing',
      severity: 'critical',
      labels,
      endsAt: '0001-01-01T00:00:00Z',
      receiver: 'eco-bots',
      fingerprint: amAlerts[0]?.fingerprint,
      targets: ['eco-container-bot', 'eco-log-bot'],
    });
  }, 60_000);
});
