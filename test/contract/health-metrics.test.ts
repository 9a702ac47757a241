import { describe, expect, it } from 'vitest';
import { echoBot } from '../shared/fixtures/bots.ts';
import { post, startServer } from './helpers.ts';

describe('contract endpoints', () => {
  it('GET /_/health and /_/ready answer 200 JSON; HEAD works too', async () => {
    const s = await startServer(echoBot);
    const health = await fetch(`${s.url}/_/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${s.url}/_/ready`);
    expect(ready.status).toBe(200);
    expect((await fetch(`${s.url}/_/ready`, { method: 'HEAD' })).status).toBe(200);
  });

  it('/metrics: the seed names, the kit metrics, default process metrics and bot-registered gauges', async () => {
    const s = await startServer(echoBot);
    await post(s.url, JSON.stringify({ count: 3, namespace: 'ns-a' }), {
      'content-type': 'application/json',
    });
    await post(s.url, undefined, { 'x-connector': 'cron-connector' });
    const response = await fetch(`${s.url}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toMatch(/^bot_cpu_usage_percent\{bot_name="eco-echo-bot"\} [\d.]+$/m);
    expect(text).toMatch(/^bot_memory_usage_bytes\{bot_name="eco-echo-bot"\} [1-9]\d+$/m);
    expect(text).toContain('bot_errors_total{bot_name="eco-echo-bot",type="run"} 0');
    expect(text).toContain('eco_bot_invocations_total{bot="eco-echo-bot",trigger="http",outcome="ok"} 1');
    expect(text).toContain('eco_bot_invocations_total{bot="eco-echo-bot",trigger="cron",outcome="ok"} 1');
    expect(text).toMatch(/^eco_bot_duration_seconds_count\{bot="eco-echo-bot",trigger="http"\} 1$/m);
    // Findings of the last run (the cron run: one warning).
    expect(text).toContain('eco_bot_findings{bot="eco-echo-bot",severity="warning"} 1');
    expect(text).toContain('eco_bot_findings{bot="eco-echo-bot",severity="info"} 0');
    expect(text).toContain('# TYPE eco_bot_actions_total counter');
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
    expect(text).toContain('eco_test_echo_count{namespace="ns-a"} 3');
  });

  it('METRICS_PORT serves /metrics too; a metrics scrape is not an invocation', async () => {
    const s = await startServer(echoBot, { METRICS_PORT: '0' });
    expect(s.metricsPort).toBeGreaterThan(0);
    expect(s.metricsPort).not.toBe(s.port);
    const text = await (await fetch(`http://127.0.0.1:${s.metricsPort}/metrics`)).text();
    expect(text).toContain('bot_memory_usage_bytes');
    expect(text).not.toContain('eco_bot_invocations_total{');
    expect((await fetch(`http://127.0.0.1:${s.metricsPort}/other`)).status).toBe(404);
  });

  it('a caller error is outcome=rejected, never a bot error (the error-rate alert reads bot_errors_total)', async () => {
    const s = await startServer(echoBot);
    const bad = await fetch(s.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{bad',
    });
    expect(bad.status).toBe(400);
    const ok = await post(s.url, '{}', { 'content-type': 'application/json' });
    expect(ok.status).toBe(200);
    const text = await (await fetch(`${s.url}/metrics`)).text();
    expect(text).toMatch(
      /eco_bot_invocations_total\{bot="eco-echo-bot",trigger="[a-z]+",outcome="rejected"\} 1/,
    );
    expect(text).not.toMatch(/^bot_errors_total\{[^}]*\} [1-9]/m);
  });

  it('two servers in one process keep separate registries', async () => {
    const a = await startServer(echoBot);
    const b = await startServer(echoBot);
    await post(a.url);
    const textB = await (await fetch(`${b.url}/metrics`)).text();
    expect(textB).not.toContain('eco_bot_invocations_total{');
  });

  it('logs are one JSON object per line with level, time, bot, runId and traceId', async () => {
    const { createLogger } = await import('../../shared/log/index.ts');
    const lines: string[] = [];
    const log = createLogger({ write: (l) => void lines.push(l) });
    const s = await startServer(echoBot, {}, { log });
    await post(s.url);
    const run = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l['msg'] === 'run finished');
    expect(lines.every((l) => l.endsWith('\n') && !l.slice(0, -1).includes('\n'))).toBe(true);
    expect(run).toMatchObject({ level: 'info', bot: 'eco-echo-bot', trigger: 'http' });
    expect(run?.['runId']).toMatch(/^[0-9a-f-]{36}$/);
    expect(run?.['traceId']).toMatch(/^[0-9a-f]{32}$/);
    expect(Date.parse(String(run?.['time']))).not.toBeNaN();
  });
});
