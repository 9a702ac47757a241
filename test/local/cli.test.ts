import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../shared/bot/index.ts';
import { main } from '../../local/cli/main.ts';
import type { Io } from '../../local/cli/io.ts';
import { formatReport, reaches } from '../../local/cli/format.ts';
import { loadBots } from '../../local/gateway/index.ts';

interface Captured {
  io: Io;
  out(): string;
  err(): string;
}

function capture(env: Record<string, string | undefined> = {}, cwd = process.cwd()): Captured {
  let out = '';
  let err = '';
  return {
    io: {
      stdout: { write: (text: string) => (out += text), isTTY: false },
      stderr: { write: (text: string) => (err += text), isTTY: false },
      // No KUBECONFIG: the embedded demo cluster, whatever the machine running the tests has.
      env: { PATH: process.env['PATH'], ...env },
      cwd,
      stopSignal: () => new Promise(() => undefined),
      readStdin: async () => '{}',
    },
    out: () => out,
    err: () => err,
  };
}

const failing = {
  reports: [
    {
      bot: 'eco-x-bot',
      runId: '1',
      startedAt: '2026-11-27T10:00:00.000Z',
      findings: [],
      errors: [{ code: 'boom', message: 'it broke' }],
    },
  ],
  readCluster: false,
};

describe('eco-bots CLI', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'eco-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints usage for help (0) and for no command (2)', async () => {
    const help = capture();
    expect(await main(['help'], help.io)).toBe(0);
    expect(help.out()).toContain('Usage: eco-bots <command>');
    const none = capture();
    expect(await main([], none.io)).toBe(2);
  });

  it('rejects unknown commands and options with exit 2 and one clear line', async () => {
    const unknown = capture();
    expect(await main(['frobnicate'], unknown.io)).toBe(2);
    expect(unknown.err()).toContain('unknown command "frobnicate"');
    const badOption = capture();
    expect(await main(['list', '--nope'], badOption.io)).toBe(2);
    expect(badOption.err()).toContain("Unknown option '--nope'");
    const badPort = capture();
    expect(await main(['up', '--port', 'http'], badPort.io)).toBe(2);
    expect(badPort.err()).toContain('--port must be a whole number');
    // One line each, in the same style.
    for (const c of [unknown, badOption, badPort]) expect(c.err().trim().split('\n')).toHaveLength(1);
  });

  it.each([
    ['ECO_MODE', 'banana', /ECO_MODE: "banana" is not one of dry-run, apply/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL: "loud" is not one of debug, info, warn, error/],
    ['ECO_MAX_ACTIONS', '-3', /ECO_MAX_ACTIONS: "-3" is not a whole number >= 0/],
    ['ECO_ALERT_ROUTES', '/missing.yml', /ECO_ALERT_ROUTES: file "\/missing.yml" does not exist/],
    [
      'ECO_MONITOR_CPU_THRESHOLD',
      '0',
      /ECO_MONITOR_CPU_THRESHOLD: "0" is out of range; allowed: number 1\.\.1000/,
    ],
    ['ECO_GATEWAY_MAX_PROCESSES', '0', /ECO_GATEWAY_MAX_PROCESSES: must be between 1 and 64/],
  ])(
    'checks %s=%s at start: invoke exits 2, up (npm start) exits 78, one line',
    async (name, value, message) => {
      const invoke = capture({ [name]: value });
      if (name !== 'ECO_GATEWAY_MAX_PROCESSES') {
        expect(await main(['invoke', 'eco-monitoring-bot'], invoke.io)).toBe(2);
        expect(invoke.err()).toMatch(message);
        expect(invoke.err().trim().split('\n')).toHaveLength(1);
      }
      const up = capture({ [name]: value });
      expect(await main(['up', '--port', '0', '--no-cron'], up.io)).toBe(78);
      expect(up.err()).toMatch(message);
      expect(up.err().trim().split('\n')).toHaveLength(1);
    },
  );

  it('lists every bot with category, tier and triggers', async () => {
    const bots = await loadBots();
    const table = capture();
    expect(await main(['list'], table.io)).toBe(0);
    expect(table.out()).toMatch(/^BOT\s+CATEGORY\s+TIER\s+MUTATES\s+TRIGGERS/);
    expect(table.out()).toMatch(
      /eco-status-bot\s+observability\s+small\s+no\s+http; event org\.bsw-arch\.eco\.report\.v1/,
    );
    expect(table.out()).toContain(`${bots.length} bots`);
    const json = capture();
    expect(await main(['list', '--json'], json.io)).toBe(0);
    const rows = JSON.parse(json.out()) as Array<{ name: string; category: string }>;
    expect(rows.map((row) => row.name)).toEqual(bots.map((bot) => bot.name));
  });

  it('invokes a bot and prints its report as JSON', async () => {
    const run = capture();
    expect(
      await main(['invoke', 'eco-status-bot', '--json', '--data', '{"readCluster":false}'], run.io),
    ).toBe(0);
    const report = JSON.parse(run.out()) as Report;
    expect(report).toMatchObject({ bot: 'eco-status-bot', trigger: 'http', mode: 'dry-run' });
  });

  it('prints a readable summary: counts by severity, top findings, actions', async () => {
    const file = path.join(dir, 'input.json');
    await writeFile(file, JSON.stringify(failing));
    const run = capture();
    expect(await main(['invoke', 'eco-status-bot', '--data', `@${file}`], run.io)).toBe(0);
    expect(run.out()).toContain('eco-status-bot · dry-run · trigger http');
    expect(run.out()).toContain('findings: 0 critical, 1 warning, 0 info');
    expect(run.out()).toContain('WARNING  status.bot-failing  Bot eco-x-bot');
    expect(run.out()).toContain('fix: Invoke eco-x-bot by hand');
    expect(run.out()).toContain('runbook: docs/runbooks/status.bot-failing.md');
    expect(run.out()).toContain('actions: none');
    expect(run.err()).toContain('cluster: embedded emulator');
  });

  it('exits 3 when findings reach --fail-on, 0 when they do not', async () => {
    const data = JSON.stringify(failing);
    expect(
      await main(['invoke', 'eco-status-bot', '--data', data, '--fail-on', 'warning'], capture().io),
    ).toBe(3);
    expect(
      await main(['invoke', 'eco-status-bot', '--data', data, '--fail-on', 'critical'], capture().io),
    ).toBe(0);
  });

  it('treats bad input as a usage error (2): unknown bot, bad JSON, invalid options, missing file', async () => {
    const unknown = capture();
    expect(await main(['invoke', 'eco-nope-bot'], unknown.io)).toBe(2);
    expect(unknown.err()).toContain('no bot named "eco-nope-bot"');
    const badJson = capture();
    expect(await main(['invoke', 'eco-status-bot', '--data', '{nope'], badJson.io)).toBe(2);
    expect(badJson.err()).toContain('--data is not valid JSON');
    const invalid = capture();
    expect(await main(['invoke', 'eco-status-bot', '--data', '{"top":"ten"}'], invalid.io)).toBe(2);
    expect(invalid.err()).toContain('invalid options');
    const missing = capture();
    expect(await main(['invoke', 'eco-status-bot', '--data', '@/nonexistent/x.json'], missing.io)).toBe(2);
    expect(await main(['invoke'], capture().io)).toBe(2);
  });

  it('fails with exit 1 and one line when --kubeconfig points nowhere', async () => {
    const file = path.join(dir, 'bad.kubeconfig');
    await writeFile(
      file,
      'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "http://127.0.0.1:9"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n',
    );
    const run = capture();
    expect(await main(['invoke', 'eco-status-bot', '--kubeconfig', file], run.io)).toBe(1);
    expect(run.err()).toMatch(/^eco-bots: --kubeconfig .*bad\.kubeconfig: /);
  });
});

describe('formatReport', () => {
  it('orders findings by severity and shows cost impact', () => {
    const text = formatReport({
      bot: 'eco-x-bot',
      runId: '1',
      trigger: 'cron',
      startedAt: '2026-11-27T10:00:00.000Z',
      durationMs: 1500,
      mode: 'apply',
      summary: 'two things',
      findings: [
        {
          id: '1',
          check: 'x.info',
          severity: 'info',
          object: { apiVersion: 'v1', kind: 'Pod', name: 'p' },
          message: 'fyi',
        },
        {
          id: '2',
          check: 'x.crit',
          severity: 'critical',
          object: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: 'db', name: 'data' },
          message: 'unused',
          impact: { monthlyCost: 12.3, currency: 'USD' },
        },
      ],
      actions: [
        {
          verb: 'delete',
          object: { apiVersion: 'v1', kind: 'Pod', namespace: 'a', name: 'b' },
          status: 'applied',
          reason: 'evicted',
        },
      ],
      errors: [{ code: 'partial', message: 'nodes: forbidden' }],
    });
    expect(text.indexOf('x.crit')).toBeLessThan(text.indexOf('x.info'));
    expect(text).toContain('cost: 12.30 USD/month');
    expect(text).toContain('runbook: docs/runbooks/x.crit.md');
    expect(text).toContain('eco-x-bot · apply · trigger cron · 1.5 s');
    expect(text).toContain('applied  delete Pod a/b');
    expect(text).toContain('error partial: nodes: forbidden');
    expect(reaches([], 'info')).toBe(false);
  });
});
