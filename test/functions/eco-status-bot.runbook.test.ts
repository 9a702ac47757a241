// The status page shows the runbook a finding carries: a link for a web address, the docs path as text otherwise.
import { describe, expect, it } from 'vitest';
import type { Finding, Report } from '../../shared/bot/index.ts';
import { renderStatusPage } from '../../functions/eco-status-bot/render.ts';
import { buildStatusView } from '../../functions/eco-status-bot/view.ts';

const NOW = new Date('2026-12-04T12:00:00Z');

function finding(name: string, runbook?: string): Finding {
  return {
    id: name,
    check: `cleanup.${name}`,
    severity: 'warning',
    object: { apiVersion: 'v1', kind: 'Pod', namespace: 'shop', name },
    message: `${name} failed`,
    fix: 'delete it',
    ...(runbook !== undefined ? { runbook } : {}),
  };
}

const report: Report = {
  bot: 'eco-cleanup-bot',
  runId: 'r1',
  trigger: 'cron',
  startedAt: '2026-12-04T11:59:00.000Z',
  durationMs: 10,
  mode: 'dry-run',
  summary: 's',
  findings: [
    finding('pod-failed', 'https://docs.example/runbooks/cleanup.pod-failed.md?a=1&b=2'),
    finding('pod-evicted', 'docs/runbooks/cleanup.pod-evicted.md'),
    finding('job-failed'),
  ],
  actions: [],
  errors: [],
};

describe('status page runbook links', () => {
  const view = buildStatusView({ reports: [report] }, NOW);

  it('keeps each finding’s runbook in the view (and so in the JSON)', () => {
    const byCheck = new Map(view.topFindings.map((f) => [f.check, f.runbook]));
    expect(byCheck.get('cleanup.pod-failed')).toBe(
      'https://docs.example/runbooks/cleanup.pod-failed.md?a=1&b=2',
    );
    expect(byCheck.get('cleanup.pod-evicted')).toBe('docs/runbooks/cleanup.pod-evicted.md');
    expect(byCheck.get('cleanup.job-failed')).toBeUndefined();
  });

  it('links a web address, shows a docs path as text, escaped', () => {
    const html = renderStatusPage(view);
    expect(html).toContain(
      '<a href="https://docs.example/runbooks/cleanup.pod-failed.md?a=1&amp;b=2">Runbook</a>',
    );
    expect(html).toContain('Runbook: <code>docs/runbooks/cleanup.pod-evicted.md</code>');
    expect(html.match(/Runbook/g)).toHaveLength(2);
  });
});
