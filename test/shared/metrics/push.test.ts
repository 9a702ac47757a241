// The kit's Pushgateway push: a bot process that runs once and exits (a function scaled to zero)
// leaves its series in the REAL Pushgateway (Debian prometheus-pushgateway), and the REAL Prometheus,
// scraping it with the generated scrape job (honor_labels: true), answers them with job="eco-bots"
// and bot=<bot> after the process is gone. A Pushgateway that is down never fails a run.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { pushUrl, seriesOf } from '../../../shared/metrics/push.ts';
import { loadConfig } from '../../../shared/config/index.ts';
import { pushgatewayScrapeConfig } from '../../../scripts/generate/monitoring/prometheus.ts';
import { freePort, getJson, killAll, removeTempDirs, start, tempDir, until } from '../../e2e/helpers.ts';

const PUSHGATEWAY = '/usr/bin/prometheus-pushgateway';
const PROMETHEUS = '/usr/bin/prometheus';
const ENTRY = fileURLToPath(new URL('../../contract/entry/serve-echo.ts', import.meta.url));

afterAll(async () => {
  await killAll();
  await removeTempDirs();
});

describe('push URL and series', () => {
  it('groups by job and bot under the base URL (a path prefix kept, a "/" in a value base64-encoded)', () => {
    expect(pushUrl('http://pgw:9091', 'eco-log-bot')).toBe(
      'http://pgw:9091/metrics/job/eco-bots/bot/eco-log-bot',
    );
    expect(pushUrl('http://pgw:9091/prefix/', 'eco-log-bot')).toBe(
      'http://pgw:9091/prefix/metrics/job/eco-bots/bot/eco-log-bot',
    );
    expect(pushUrl('http://pgw:9091', 'a/b')).toBe('http://pgw:9091/metrics/job/eco-bots/bot@base64/YS9i');
  });

  it("a group process pushes only the bot's own samples; a one-bot process pushes everything", () => {
    const text = [
      '# HELP eco_bot_invocations_total Bot invocations',
      '# TYPE eco_bot_invocations_total counter',
      'eco_bot_invocations_total{bot="a",trigger="http",outcome="ok"} 2',
      'eco_bot_invocations_total{bot="b",trigger="http",outcome="ok"} 1',
      '# HELP bot_errors_total Errors',
      '# TYPE bot_errors_total counter',
      'bot_errors_total{bot_name="b",type="run"} 1',
      '# HELP process_cpu_seconds_total CPU',
      '# TYPE process_cpu_seconds_total counter',
      'process_cpu_seconds_total 3.5',
      '',
    ].join('\n');
    expect(seriesOf(text, 'a', false)).toBe(
      [
        '# HELP eco_bot_invocations_total Bot invocations',
        '# TYPE eco_bot_invocations_total counter',
        'eco_bot_invocations_total{bot="a",trigger="http",outcome="ok"} 2',
        '',
      ].join('\n'),
    );
    expect(seriesOf(text, 'a', true)).toBe(text);
  });

  it('ECO_PUSHGATEWAY_URL is checked at start: not a URL is a ConfigError naming it', () => {
    expect(() => loadConfig({ ECO_PUSHGATEWAY_URL: 'pushgateway:9091' })).toThrow(/ECO_PUSHGATEWAY_URL/);
    expect(loadConfig({ ECO_PUSHGATEWAY_URL: 'http://127.0.0.1:9091' }).pushgatewayUrl).toBe(
      'http://127.0.0.1:9091/',
    );
    expect(loadConfig({}).pushgatewayUrl).toBeUndefined();
  });
});

/** Runs the echo bot once in its own process, then SIGTERM; resolves with its output. */
async function runOnceAndExit(env: Record<string, string>): Promise<string> {
  const bot = start(process.execPath, ['--import', 'tsx', ENTRY], {
    env: { PATH: process.env['PATH'] ?? '', PORT: '0', ...env },
  });
  const port = await until(
    'the bot to listen',
    () => {
      const line = bot
        .stdout()
        .split('\n')
        .find((l) => l.includes('"msg":"listening"'));
      return line === undefined ? undefined : (JSON.parse(line) as { port: number }).port;
    },
    30_000,
    () => bot.output(),
  );
  const res = await fetch(`http://127.0.0.1:${port}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"count":2}',
  });
  expect(res.status).toBe(200);
  await res.arrayBuffer();
  bot.proc.kill('SIGTERM');
  expect(await bot.exited).toBe(0);
  return bot.output();
}

describe('against the real Pushgateway and Prometheus', () => {
  it('a bot process that exits after its run leaves its series queryable, labelled job="eco-bots" and bot', async () => {
    const pgPort = await freePort();
    const pushgateway = start(PUSHGATEWAY, [`--web.listen-address=127.0.0.1:${pgPort}`]);
    const pgw = `http://127.0.0.1:${pgPort}`;
    await until(
      'the Pushgateway to be ready',
      async () => ((await fetch(`${pgw}/-/ready`)).ok ? true : undefined),
      20_000,
      () => pushgateway.output(),
    );

    // Two short-lived processes, one run each: PUT replaces the group, so the counter is that of
    // the last process (1), not a sum.
    await runOnceAndExit({ ECO_PUSHGATEWAY_URL: pgw });
    await runOnceAndExit({ ECO_PUSHGATEWAY_URL: pgw });
    const pushed = await (await fetch(`${pgw}/metrics`)).text();
    const line = pushed
      .split('\n')
      .find((l) => l.startsWith('eco_bot_invocations_total{') && l.includes('bot="eco-echo-bot"'));
    expect(line).toContain('job="eco-bots"');
    expect(line).toMatch(/ 1$/);
    expect(pushed).toMatch(/push_time_seconds\{bot="eco-echo-bot",instance="",job="eco-bots"\}/);

    // Prometheus with the generated scrape job for the Pushgateway.
    const dir = await tempDir('pushgateway');
    const promPort = await freePort();
    await writeFile(
      path.join(dir, 'prometheus.yml'),
      stringify({
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        scrape_configs: [pushgatewayScrapeConfig(`127.0.0.1:${pgPort}`)],
      }),
    );
    const prometheus = start(PROMETHEUS, [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
    ]);
    type Query = { data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
    const query = (q: string): Promise<Query | undefined> =>
      getJson<Query>(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(q)}`);
    const result = await until(
      'the pushed series in Prometheus',
      async () => {
        const body = await query('eco_bot_invocations_total{bot="eco-echo-bot"}');
        return body !== undefined && body.data.result.length > 0 ? body.data.result : undefined;
      },
      60_000,
      () => prometheus.output().slice(-3000),
    );
    // honor_labels: the pushed job wins over the scrape job's name.
    expect(result[0]?.metric).toMatchObject({
      job: 'eco-bots',
      bot: 'eco-echo-bot',
      trigger: 'http',
      outcome: 'ok',
    });
    expect(result[0]?.value[1]).toBe('1');
    const memory = await query('bot_memory_usage_bytes{job="eco-bots",bot="eco-echo-bot"}');
    expect(Number(memory?.data.result[0]?.value[1])).toBeGreaterThan(0);
  }, 180_000);

  it('a Pushgateway that is down never fails the run: logged as "metrics push failed"', async () => {
    const closedPort = await freePort();
    const output = await runOnceAndExit({ ECO_PUSHGATEWAY_URL: `http://127.0.0.1:${closedPort}` });
    expect(output).toContain('metrics push failed');
    expect(output).toContain('ECONNREFUSED');
  }, 60_000);
});
