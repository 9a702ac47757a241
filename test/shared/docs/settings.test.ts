import { describe, expect, it } from 'vitest';
import { checkSettingsSpec, readSettings } from '../../../shared/settings/index.ts';
import { DOCS_SETTINGS, createRunbookLinker, docsSources } from '../../../shared/docs/index.ts';
import { formatReport } from '../../../local/cli/format.ts';

describe('documentation settings', () => {
  it('declares its variables as settings that pass the kit’s own check', () => {
    expect(checkSettingsSpec(DOCS_SETTINGS)).toEqual([]);
    expect(Object.values(DOCS_SETTINGS).map((s) => s.env)).toContain('DOCS_PATH');
  });

  it('builds the scanner, the forge client and runbook options from the values', () => {
    const values = readSettings(DOCS_SETTINGS, {
      DOCS_PATH: '/srv/docs',
      DOCS_FORGE: 'forgejo',
      DOCS_FORGE_REPO: 'team/docs',
      ECO_DOCS_BASE_URL: 'https://docs.example/eco-bots/docs',
    });
    const sources = docsSources(values);
    expect(sources.scanner.repoPath).toBe('/srv/docs');
    expect(sources.forge?.kind).toBe('gitea');
    expect(createRunbookLinker(undefined, sources.runbook)('monitoring.node-cpu')).toBe(
      'https://docs.example/eco-bots/docs/runbooks/monitoring.node-cpu.md',
    );
    const defaults = docsSources(readSettings(DOCS_SETTINGS, {}));
    expect(defaults.scanner.repoPath).toBe('/opt/documentation');
    expect(defaults.forge).toBeUndefined();
  });

  it('shows the runbook a finding carries in the CLI report, else the project page', () => {
    const text = formatReport({
      bot: 'eco-x-bot',
      runId: '1',
      trigger: 'http',
      startedAt: '2026-12-04T10:00:00.000Z',
      durationMs: 5,
      mode: 'dry-run',
      summary: 's',
      findings: [
        {
          id: '1',
          check: 'cleanup.pod-failed',
          severity: 'warning',
          object: { apiVersion: 'v1', kind: 'Pod', name: 'a' },
          message: 'm',
          runbook: 'https://docs.example/team/runbooks/pods.md',
        },
        {
          id: '2',
          check: 'cleanup.pod-evicted',
          severity: 'info',
          object: { apiVersion: 'v1', kind: 'Pod', name: 'b' },
          message: 'm',
        },
      ],
      actions: [],
      errors: [],
    });
    expect(text).toContain('runbook: https://docs.example/team/runbooks/pods.md');
    expect(text).toContain('runbook: docs/runbooks/cleanup.pod-evicted.md');
  });
});
