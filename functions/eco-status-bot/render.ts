// The status page as one self-contained HTML document: inline CSS and a few lines of inline JS, no
// external requests (works offline), landmarks and table headers for screen readers, colours chosen
// for a contrast ratio of at least 4.5:1 on their background.
import type { Grade, StatusView } from './view.ts';

export interface RenderOptions {
  /** Seconds between automatic reloads; 0 disables. */
  refreshSeconds?: number;
  /** Link to the same data as JSON. */
  jsonHref?: string;
  /** Shown in the header, e.g. "embedded demo cluster, dry-run". */
  context?: string;
  /** A notice shown above the content (e.g. the status bot could not be reached). */
  notice?: string;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

// Foreground/background pairs; every pair is >= 4.5:1 (white on each fill, dark text on white).
const GRADE_FILL: Record<Grade, string> = {
  A: '#1b6e20',
  B: '#2e6b0f',
  C: '#7a5200',
  D: '#8f4300',
  E: '#a3320b',
  F: '#b00020',
};

function relative(iso: string | undefined, now: Date): string {
  if (iso === undefined) return 'never';
  const seconds = Math.round((now.getTime() - Date.parse(iso)) / 1000);
  if (!Number.isFinite(seconds)) return iso;
  if (seconds < 5) return 'just now';
  if (seconds < 90) return `${seconds} s ago`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 129600) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86400)} d ago`;
}

function duration(ms: number | undefined): string {
  if (ms === undefined) return '–';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function money(amount: number | undefined, currency: string | undefined): string {
  if (amount === undefined) return '–';
  return `${amount.toFixed(2)} ${escapeHtml(currency ?? '')}/month`;
}

function badge(kind: string, text: string): string {
  return `<span class="badge b-${escapeHtml(kind)}">${escapeHtml(text)}</span>`;
}

function table(id: string, caption: string, headers: string[], rows: string[][], empty: string): string {
  if (rows.length === 0) return `<p class="empty">${escapeHtml(empty)}</p>`;
  const head = headers.map((header) => `<th scope="col">${escapeHtml(header)}</th>`).join('');
  const body = rows
    .map(
      (cells) =>
        `<tr>${cells.map((cell, index) => (index === 0 ? `<th scope="row">${cell}</th>` : `<td>${cell}</td>`)).join('')}</tr>`,
    )
    .join('\n');
  // The wrapper scrolls on a phone; it is focusable so keyboard users can scroll it too.
  return `<div class="table-wrap" role="region" aria-labelledby="${id}-caption" tabindex="0">
<table id="${id}"><caption id="${id}-caption">${escapeHtml(caption)}</caption>
<thead><tr>${head}</tr></thead>
<tbody>
${body}
</tbody></table></div>`;
}

export function renderStatusPage(view: StatusView, options: RenderOptions = {}): string {
  const now = new Date(view.generatedAt);
  const refresh = options.refreshSeconds ?? 30;
  const jsonHref = options.jsonHref ?? '?format=json';
  const { totals } = view;
  const cost = totals.monthlyCost.map((entry) => money(entry.amount, entry.currency)).join(', ') || '–';

  const fleetRows = view.fleet.map((row) => [
    escapeHtml(row.bot),
    escapeHtml(row.category),
    `<time datetime="${escapeHtml(row.lastRun ?? '')}">${escapeHtml(relative(row.lastRun, now))}</time>`,
    escapeHtml(row.trigger ?? '–'),
    badge(row.outcome, row.outcome) + (row.error ? `<div class="small">${escapeHtml(row.error)}</div>` : ''),
    escapeHtml(duration(row.durationMs)),
    escapeHtml(row.findings),
    escapeHtml(row.summary ?? ''),
  ]);
  const categoryRows = view.categories.map((row) => [
    escapeHtml(row.category),
    escapeHtml(row.critical),
    escapeHtml(row.warning),
    escapeHtml(row.info),
    `${badge(`grade-${row.grade}`, row.grade)} ${escapeHtml(row.score)}`,
  ]);
  const findingRow = (finding: StatusView['topFindings'][number]): string[] => [
    badge(finding.severity, finding.severity),
    `<code>${escapeHtml(finding.check)}</code><div class="small">${escapeHtml(finding.bot)}</div>`,
    escapeHtml(finding.object),
    escapeHtml(finding.message),
    escapeHtml(finding.fix ?? '–') + runbookHtml(finding.runbook),
    money(finding.monthlyCost, finding.currency),
  ];
  const findingRows = view.topFindings.map(findingRow);
  const allRows = (view.findings ?? []).map(findingRow);
  const allTotal = totals.critical + totals.warning + totals.info;
  const actionRows = view.actions.map((action) => [
    `<time datetime="${escapeHtml(action.at)}">${escapeHtml(relative(action.at, now))}</time>`,
    escapeHtml(action.bot),
    escapeHtml(action.verb),
    escapeHtml(action.object),
    badge(action.status, action.status),
    escapeHtml(action.reason),
  ]);
  const cluster = view.cluster;
  const clusterLine =
    cluster === undefined
      ? ''
      : `<p class="small">Cluster: ${escapeHtml(cluster.objects)} objects${cluster.nodes !== undefined ? `, ${escapeHtml(cluster.nodes)} nodes` : ''}${cluster.namespaces !== undefined ? `, ${escapeHtml(cluster.namespaces)} namespaces` : ''}${cluster.error ? ` (partial: ${escapeHtml(cluster.error)})` : ''}</p>`;

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>eco-bots status: grade ${escapeHtml(view.grade)}</title>
<style>
:root{--fg:#1a1a1a;--muted:#4a4a4a;--bg:#ffffff;--panel:#f3f4f6;--line:#c8ccd2;--link:#0b57d0;--focus:#1a56db}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
a{color:var(--link)}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
main:focus{outline:none}
.skip{position:absolute;left:-9999px;top:0;background:#fff;padding:.5rem 1rem}
.skip:focus{left:.5rem;z-index:10}
header{background:#102a43;color:#fff;padding:1rem}
header a{color:#fff}
header :focus-visible{outline-color:#ffd166}
header h1{margin:0;font-size:1.4rem}
header p{margin:.25rem 0 0;color:#e6edf3}
nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:.25rem 1rem;margin:.5rem 0 0;padding:0}
main{max-width:78rem;margin:0 auto;padding:1rem}
h2{font-size:1.2rem;margin:1.75rem 0 .5rem}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(11rem,1fr));gap:.75rem}
.card{background:var(--panel);border:1px solid var(--line);border-radius:.5rem;padding:.75rem}
.card .label{color:var(--muted);font-size:.9rem}
.card .value{font-size:1.6rem;font-weight:700}
.grade{display:inline-block;min-width:3.2rem;text-align:center;font-size:2.2rem;font-weight:800;color:#fff;border-radius:.5rem;padding:0 .5rem}
.table-wrap{overflow-x:auto;border:1px solid var(--line);border-radius:.5rem}
table{border-collapse:collapse;width:100%;min-width:40rem}
caption{text-align:left;font-weight:600;padding:.5rem .75rem;color:var(--muted)}
th,td{text-align:left;vertical-align:top;padding:.45rem .75rem;border-top:1px solid var(--line)}
thead th{background:var(--panel)}
tbody th{font-weight:600}
code{font-size:.9em}
.small{font-size:.85rem;color:var(--muted)}
.badge{display:inline-block;padding:0 .45rem;border-radius:.3rem;font-size:.85rem;font-weight:600;color:#fff;background:#4a4a4a}
.b-critical,.b-error,.b-crash,.b-timeout,.b-failed{background:#b00020}
.b-warning{background:#8a4b00}
.b-info,.b-planned{background:#0b5cad}
.b-ok,.b-applied{background:#1b6e20}
.b-never,.b-skipped{background:#4a4a4a}
${(Object.keys(GRADE_FILL) as Grade[]).map((grade) => `.b-grade-${grade},.g-${grade}{background:${GRADE_FILL[grade]}}`).join('\n')}
details{margin-top:.75rem}summary{cursor:pointer;font-weight:600;padding:.25rem 0}
.notice{background:#fff4e5;border:1px solid #8a4b00;border-radius:.5rem;padding:.5rem .75rem}
.empty{color:var(--muted)}
footer{max-width:78rem;margin:0 auto;padding:1rem;color:var(--muted);font-size:.9rem}
button{font:inherit;padding:.2rem .6rem;border:1px solid var(--fg);border-radius:.3rem;background:#fff;color:var(--fg);cursor:pointer}
@media (max-width:40rem){header h1{font-size:1.2rem}.card .value{font-size:1.3rem}main{padding:.5rem}}
</style>
</head>
<body>
<a class="skip" href="#main">Skip to main content</a>
<header>
<h1>eco-bots status</h1>
<p>${escapeHtml(options.context ?? 'Kubernetes ops bot fleet')} · updated <time datetime="${escapeHtml(view.generatedAt)}">${escapeHtml(view.generatedAt.replace('T', ' ').slice(0, 19))} UTC</time></p>
<nav aria-label="Sections"><ul>
<li><a href="#overview">Overview</a></li>
<li><a href="#categories">By category</a></li>
<li><a href="#top-findings">Top findings</a></li>
<li><a href="#fleet">Fleet health</a></li>
<li><a href="#actions">Recent actions</a></li>
<li><a href="${escapeHtml(jsonHref)}">JSON</a></li>
</ul></nav>
</header>
<main id="main" tabindex="-1">
${options.notice ? `<p class="notice" role="status">${escapeHtml(options.notice)}</p>` : ''}
<section aria-labelledby="overview">
<h2 id="overview">Overview</h2>
<div class="cards">
<div class="card"><div class="label">Cluster grade</div><div><span class="grade g-${escapeHtml(view.grade)}" id="grade" aria-label="Grade ${escapeHtml(view.grade)}">${escapeHtml(view.grade)}</span> <span class="value" id="score">${escapeHtml(view.score)}</span><span class="small"> / 100</span></div></div>
<div class="card"><div class="label">Critical findings</div><div class="value">${escapeHtml(totals.critical)}</div></div>
<div class="card"><div class="label">Warnings</div><div class="value">${escapeHtml(totals.warning)}</div></div>
<div class="card"><div class="label">Info</div><div class="value">${escapeHtml(totals.info)}</div></div>
<div class="card"><div class="label">Bots reporting / failing</div><div class="value">${escapeHtml(totals.botsReporting)} / ${escapeHtml(totals.botsFailing)}</div><div class="small" id="coverage">${escapeHtml(totals.bots)} of the catalogue's ${escapeHtml(totals.catalogue)} bots running${totals.bots < totals.catalogue ? ': the grade covers only what they check' : ''}</div></div>
<div class="card"><div class="label">Cost impact of findings</div><div class="value small">${cost}</div></div>
</div>
<p class="small">Score: ${escapeHtml(view.scoreBasis)}. Grades follow Popeye's scale: A ≥ 90, B ≥ 80, C ≥ 70, D ≥ 60, E ≥ 50, F below.</p>
${clusterLine}
</section>
<section aria-labelledby="categories">
<h2 id="categories">Findings by category</h2>
${table('categories-table', 'Findings per category and severity, with the category grade', ['Category', 'Critical', 'Warning', 'Info', 'Grade'], categoryRows, 'No findings.')}
</section>
<section aria-labelledby="top-findings">
<h2 id="top-findings">Top findings</h2>
${table('findings-table', 'The most severe findings first, then the most expensive', ['Severity', 'Check', 'Object', 'Problem', 'Fix', 'Cost impact'], findingRows, 'No findings: nothing to fix.')}
${
  allRows.length > findingRows.length
    ? `<details id="all-findings"><summary>All findings (${escapeHtml(allTotal)}${allRows.length < allTotal ? `, the first ${escapeHtml(allRows.length)} listed` : ''})</summary>
${table('all-findings-table', 'Every finding, most severe first', ['Severity', 'Check', 'Object', 'Problem', 'Fix', 'Cost impact'], allRows, '')}
</details>`
    : ''
}
</section>
<section aria-labelledby="fleet">
<h2 id="fleet">Fleet health</h2>
${table('fleet-table', 'Each bot with its last run', ['Bot', 'Category', 'Last run', 'Trigger', 'Outcome', 'Duration', 'Findings', 'Summary'], fleetRows, 'No bot has reported yet.')}
</section>
<section aria-labelledby="actions">
<h2 id="actions">Recent actions</h2>
${table('actions-table', 'Planned actions are dry-run; applied actions changed the cluster', ['When', 'Bot', 'Action', 'Object', 'Status', 'Reason'], actionRows, 'No actions planned or applied.')}
</section>
</main>
<footer>
<p>${refresh > 0 ? `This page reloads every ${escapeHtml(refresh)} s. <button type="button" id="pause" aria-pressed="false">Pause auto-refresh</button>` : 'Auto-refresh is off.'} · <a href="${escapeHtml(jsonHref)}">Same data as JSON</a></p>
</footer>
${
  refresh > 0
    ? `<script>
(function(){var key='eco-status-paused',paused=sessionStorage.getItem(key)==='1',b=document.getElementById('pause');
function show(){b.textContent=paused?'Resume auto-refresh':'Pause auto-refresh';b.setAttribute('aria-pressed',String(paused));}
b.addEventListener('click',function(){paused=!paused;sessionStorage.setItem(key,paused?'1':'0');show();});show();
setInterval(function(){if(!paused&&!document.hidden)location.reload();},${refresh * 1000});})();
</script>`
    : ''
}
</body>
</html>
`;
}

/** A runbook link under the fix: a link when it is a web address, else the docs path as text (a relative path would not resolve from this page). */
function runbookHtml(runbook: string | undefined): string {
  if (runbook === undefined) return '';
  return /^https?:\/\//i.test(runbook)
    ? `<div class="small"><a href="${escapeHtml(runbook)}">Runbook</a></div>`
    : `<div class="small">Runbook: <code>${escapeHtml(runbook)}</code></div>`;
}
