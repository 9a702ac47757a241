import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Finding, Report } from '../../shared/bot/index.ts';
import { silentLogger } from '../../shared/log/index.ts';
import { runBot, serve } from '../../shared/runtime/index.ts';
import statusBot from '../../functions/eco-status-bot/handler.ts';
import { escapeHtml, renderStatusPage } from '../../functions/eco-status-bot/render.ts';
import { toReport } from '../../functions/eco-status-bot/reports.ts';
import { buildStatusView, gradeOf } from '../../functions/eco-status-bot/view.ts';
import type { StatusView } from '../../functions/eco-status-bot/view.ts';

const NOW = new Date('2026-11-27T12:00:00Z');

function finding(severity: Finding['severity'], name: string, extra: Partial<Finding> = {}): Finding {
  return {
    id: createHash('sha256').update(`${severity}-${name}`).digest('hex').slice(0, 16),
    check: `demo.${severity}`,
    severity,
    object: { apiVersion: 'v1', kind: 'Pod', namespace: 'shop', name },
    message: `${name} is ${severity}`,
    ...extra,
  };
}

function report(bot: string, findings: Finding[], extra: Partial<Report> = {}): Report {
  return {
    bot,
    runId: `${bot}-run`,
    trigger: 'cron',
    startedAt: '2026-11-27T11:59:00.000Z',
    durationMs: 120,
    mode: 'dry-run',
    summary: `${bot} summary`,
    findings,
    actions: [],
    errors: [],
    ...extra,
  };
}

describe('grade', () => {
  it("follows Popeye's scale at the boundaries", () => {
    expect([100, 90, 89, 80, 79, 70, 69, 60, 59, 50, 49, 0].map(gradeOf)).toEqual([
      'A',
      'A',
      'B',
      'B',
      'C',
      'C',
      'D',
      'D',
      'E',
      'E',
      'F',
      'F',
    ]);
  });
});

describe('buildStatusView', () => {
  const reports = [
    report('eco-cleanup-bot', [
      finding('critical', 'a'),
      finding('warning', 'a'), // same object: counts once, by its worst severity
      finding('warning', 'b', { impact: { monthlyCost: 12.5, currency: 'USD' } }),
      finding('warning', 'c', { impact: { monthlyCost: 40, currency: 'USD' }, fix: 'delete it' }),
    ]),
    report('eco-monitoring-bot', [finding('info', 'd')], {
      actions: [
        {
          verb: 'delete',
          object: { apiVersion: 'v1', kind: 'Pod', namespace: 'shop', name: 'b' },
          status: 'planned',
          reason: 'evicted',
        },
      ],
    }),
  ];

  it('scores the share of clean objects, critical 1 and warning 0.5 per object', () => {
    const view = buildStatusView({ reports, cluster: { objects: 20 } }, NOW);
    // a: critical (1) + b, c: warning (0.5 each) = 2 of 20 => 90
    expect(view.score).toBe(90);
    expect(view.grade).toBe('A');
    expect(view.scoreBasis).toContain('of 20 objects');
    expect(view.totals).toMatchObject({ critical: 1, warning: 3, info: 1, botsReporting: 2 });
    expect(view.totals.monthlyCost).toEqual([{ currency: 'USD', amount: 52.5 }]);
  });

  it('averages per-kind sections like Popeye when the cluster counts are known', () => {
    const view = buildStatusView(
      {
        reports: [
          report('eco-x-bot', [
            finding('critical', 'a'),
            finding('warning', 'node-1', { object: { apiVersion: 'v1', kind: 'Node', name: 'node-1' } }),
            finding('critical', 'cm', {
              object: { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'x', name: 'cm' },
            }),
          ]),
        ],
        cluster: { objects: 14, byKind: { Pod: 10, Node: 2, Job: 2, Service: 0 } },
      },
      NOW,
    );
    // Pod 1 - 1/10 = 90, Node 1 - 0.5/2 = 75, Job 100 (Service has no objects; ConfigMap is not counted).
    expect(view.score).toBe(Math.round((90 + 75 + 100) / 3));
    expect(view.scoreBasis).toContain('mean over 3 kinds');
    expect(view.scoreBasis).toContain('2 of 14 objects have findings');
  });

  it('says the score is a lower bound when the cluster size is unknown', () => {
    const view = buildStatusView({ reports }, NOW);
    expect(view.scoreBasis).toContain('lower bound');
    expect(view.score).toBeLessThan(90);
  });

  it('orders top findings by severity, then cost impact', () => {
    const view = buildStatusView({ reports, top: 3 }, NOW);
    expect(view.topFindings.map((f) => `${f.severity}:${f.object}`)).toEqual([
      'critical:Pod shop/a',
      'warning:Pod shop/c',
      'warning:Pod shop/b',
    ]);
    expect(view.topFindings[1]).toMatchObject({ fix: 'delete it', monthlyCost: 40, currency: 'USD' });
  });

  it('groups findings by the bot category the fleet declares', () => {
    const view = buildStatusView(
      {
        reports,
        fleet: [
          { bot: 'eco-cleanup-bot', category: 'maintenance' },
          { bot: 'eco-monitoring-bot', category: 'observability' },
        ],
      },
      NOW,
    );
    expect(view.categories.map((row) => [row.category, row.critical, row.warning, row.info])).toEqual([
      ['maintenance', 1, 3, 0],
      ['observability', 0, 0, 1],
    ]);
  });

  it('shows a later crash over an older good report, and bots that never ran', () => {
    const view = buildStatusView(
      {
        reports,
        fleet: [
          {
            bot: 'eco-cleanup-bot',
            lastRun: { at: '2026-11-27T11:59:30.000Z', outcome: 'crash', durationMs: 5, error: 'exit 3' },
          },
          { bot: 'eco-idle-bot' },
          { bot: 'eco-self-bot', lastRun: { at: '2026-11-27T11:58:00.000Z', outcome: 'ok', durationMs: 12 } },
        ],
      },
      NOW,
    );
    const cleanup = view.fleet.find((row) => row.bot === 'eco-cleanup-bot');
    expect(cleanup).toMatchObject({ outcome: 'crash', error: 'exit 3', findings: 4 });
    expect(view.fleet.find((row) => row.bot === 'eco-idle-bot')?.outcome).toBe('never');
    expect(view.fleet.find((row) => row.bot === 'eco-self-bot')).toMatchObject({
      outcome: 'ok',
      durationMs: 12,
    });
    expect(view.totals.botsFailing).toBe(1);
    expect(view.actions).toEqual([
      {
        bot: 'eco-monitoring-bot',
        at: '2026-11-27T11:59:00.000Z',
        verb: 'delete',
        object: 'Pod shop/b',
        status: 'planned',
        reason: 'evicted',
      },
    ]);
  });
});

describe('toReport', () => {
  it('keeps a report but drops malformed findings and actions', () => {
    const parsed = toReport({
      ...report('eco-x-bot', [finding('warning', 'ok')]),
      findings: [finding('warning', 'ok'), { check: 'broken' }, 'nonsense'],
      actions: [{ nope: true }],
    });
    expect(parsed?.findings).toHaveLength(1);
    expect(parsed?.actions).toEqual([]);
    expect(toReport({ bot: 'x' })).toBeUndefined();
  });
});

describe('the bot', () => {
  const env = { ECO_STATUS_CLUSTER_CACHE_SECONDS: '0' };

  it('builds the view from the reports it is given and flags failing bots', async () => {
    const out = await runBot(
      statusBot,
      {
        reports: [
          report('eco-cleanup-bot', [finding('critical', 'a')], {
            errors: [{ code: 'k8s', message: 'forbidden' }],
          }),
        ],
        readCluster: false,
      },
      { env, log: silentLogger, now: () => NOW },
    );
    const view = out.data as unknown as StatusView;
    expect(view.totals.critical).toBe(1);
    expect(out.summary).toMatch(/^grade [A-F] \(score \d+\): 1 critical/);
    expect(out.findings).toHaveLength(1);
    expect(out.findings[0]).toMatchObject({ check: 'status.bot-failing', severity: 'warning' });
  });

  it('accumulates report CloudEvents and shows them when asked without reports', async () => {
    await runBot(
      statusBot,
      report('eco-event-bot', [finding('warning', 'z')], { startedAt: '2026-11-27T11:00:00.000Z' }),
      {
        env,
        log: silentLogger,
        trigger: 'cloudevent',
        event: {
          id: '1',
          type: 'org.bsw-arch.eco.report.v1',
          source: '/eco-bots/eco-event-bot',
          extensions: {},
        },
      },
    );
    const out = await runBot(statusBot, { readCluster: false }, { env, log: silentLogger });
    const view = out.data as unknown as StatusView;
    expect(view.fleet.map((row) => row.bot)).toContain('eco-event-bot');
  });

  it('rejects options of the wrong type', async () => {
    await expect(runBot(statusBot, { top: 'ten' }, { env, log: silentLogger })).rejects.toThrow(
      /invalid options/,
    );
  });
});

describe('the bot deployed (kit runtime over HTTP)', () => {
  it('answers a browser GET with the HTML page and ?format=json with the report', async () => {
    const server = await serve(statusBot, {
      handleSignals: false,
      env: { PORT: '0', ECO_STATUS_CLUSTER_CACHE_SECONDS: '0', LOG_LEVEL: 'error' },
      host: '127.0.0.1',
    });
    try {
      const base = `http://127.0.0.1:${server.port}/`;
      const page = await fetch(`${base}?readCluster=false&top=20`, {
        headers: { accept: 'text/html,application/xhtml+xml' },
      });
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(await page.text()).toContain('<h1>eco-bots status</h1>');
      const json = await fetch(`${base}?readCluster=false&format=json`, { headers: { accept: 'text/html' } });
      expect(json.headers.get('content-type')).toContain('application/json');
      const report = (await json.json()) as Report;
      expect(report.bot).toBe('eco-status-bot');
      expect((report.data as unknown as StatusView).grade).toMatch(/^[A-F]$/);
      const post = await fetch(base, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"readCluster":false}',
      });
      expect(((await post.json()) as Report).summary).toMatch(/^grade [A-F]/);
    } finally {
      await server.close();
    }
  });
});

describe('renderStatusPage', () => {
  const view = buildStatusView(
    {
      reports: [
        report('eco-cleanup-bot', [finding('critical', '<script>alert(1)</script>', { fix: 'a & b' })], {
          actions: [
            {
              verb: 'delete',
              object: { apiVersion: 'batch/v1', kind: 'Job', namespace: 'ci', name: 'old' },
              status: 'planned',
              reason: 'ttl',
            },
          ],
        }),
      ],
      fleet: [{ bot: 'eco-cleanup-bot', category: 'maintenance' }],
      cluster: { objects: 50, nodes: 3, namespaces: 4 },
    },
    NOW,
  );
  const html = renderStatusPage(view, { refreshSeconds: 30 });

  it('escapes everything that comes from reports', () => {
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('a &amp; b');
    expect(escapeHtml(`"'`)).toBe('&quot;&#39;');
  });

  it('has landmarks, headings, table headers, a language and a viewport', () => {
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('name="viewport"');
    for (const landmark of ['<header>', '<main id="main"', '<nav aria-label="Sections">', '<footer>'])
      expect(html).toContain(landmark);
    expect(html).toContain('<h1>eco-bots status</h1>');
    expect(html.match(/<h2 /g)?.length).toBe(5);
    expect(html).toContain('<th scope="col">Severity</th>');
    expect(html).toContain('<caption');
    expect(html).toContain('class="skip" href="#main"');
    expect(html).toContain(':focus-visible');
  });

  it('loads nothing from the network (works offline)', () => {
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/);
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('shows the grade, the cluster size, findings with fix, and planned actions', () => {
    expect(html).toContain(`id="grade" aria-label="Grade ${view.grade}"`);
    expect(html).toContain('50 objects, 3 nodes, 4 namespaces');
    expect(html).toContain('Job ci/old');
    expect(html).toContain('b-planned');
    // A grade over a partial fleet says so: how many of the catalogue's bots are running.
    expect(html).toMatch(
      /id="coverage">\d+ of the catalogue's 49 bots running: the grade covers only what they check/,
    );
  });

  it('uses badge colours with at least 4.5:1 contrast against white text', () => {
    const fills = [...html.matchAll(/background:(#[0-9a-f]{6})/g)].map((match) => match[1] ?? '');
    expect(fills.length).toBeGreaterThan(8);
    const luminance = (hex: string): number => {
      const [r, g, b] = [1, 3, 5].map((i) => {
        const c = parseInt(hex.slice(i, i + 2), 16) / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      }) as [number, number, number];
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    for (const fill of fills.filter((hex) => luminance(hex) < 0.5)) {
      expect(1.05 / (luminance(fill) + 0.05), fill).toBeGreaterThanOrEqual(4.5);
    }
  });

  it('can turn auto-refresh off', () => {
    expect(renderStatusPage(view, { refreshSeconds: 0 })).not.toContain('location.reload');
    expect(html).toContain('location.reload');
  });
});
