// npm run bench: runs every scripts/bench/*.ts module that exports run(), prints one table per
// result and writes them all to dist/bench-results.json. BENCH_QUICK=1 for fewer repetitions;
// `npm run bench -- alert-bot` runs only the named modules.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchContext, BenchModule, BenchResult, BenchRow } from './bench/lib/types.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const human = (row: BenchRow, value: number | undefined): string => {
  if (value === undefined) return '';
  if (row.unit === 'bytes')
    return value >= 1024 * 1024
      ? `${(value / 1024 / 1024).toFixed(1)} MiB`
      : `${(value / 1024).toFixed(1)} KiB`;
  return `${value} ${row.unit}`;
};

function printTable(result: BenchResult): void {
  console.log(`\n${result.name}: ${result.subject}`);
  const header = ['metric', 'value', 'baseline', 'ratio', 'target', 'ok', 'note'];
  const rows = result.rows.map((r) => [
    r.metric,
    human(r, r.value),
    human(r, r.baseline),
    r.ratio === undefined ? '' : r.ratio.toFixed(2),
    r.target ?? '',
    r.pass === undefined ? '' : r.pass ? 'yes' : 'NO',
    r.note ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const r of rows) console.log(line(r));
}

async function main(): Promise<void> {
  const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const dir = join(root, 'scripts', 'bench');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).sort();
  const ctx: BenchContext = {
    root,
    quick: process.env['BENCH_QUICK'] === '1',
    log: (message) => console.error(`[bench] ${message}`),
  };
  const results: BenchResult[] = [];
  for (const file of files) {
    const name = file.replace(/\.ts$/, '');
    if (only.length > 0 && !only.includes(name)) continue;
    const mod = (await import(pathToFileURL(join(dir, file)).href)) as Partial<BenchModule>;
    if (typeof mod.run !== 'function') continue;
    ctx.log(`running ${name}`);
    const out = await mod.run(ctx);
    for (const result of Array.isArray(out) ? out : [out]) {
      printTable(result);
      results.push(result);
    }
  }
  await mkdir(join(root, 'dist'), { recursive: true });
  const file = join(root, 'dist', 'bench-results.json');
  // `npm run bench -- <module>` replaces that module's results and keeps the others.
  if (only.length > 0 && existsSync(file)) {
    const previous = JSON.parse(await readFile(file, 'utf8')) as { results?: BenchResult[] };
    const fresh = new Set(results.map((r) => r.name));
    results.unshift(...(previous.results ?? []).filter((r) => !fresh.has(r.name)));
  }
  const report = {
    generatedAt: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
    results,
  };
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwrote dist/bench-results.json (${results.length} result(s))`);
  const failed = results.flatMap((r) =>
    r.rows.filter((row) => row.pass === false).map((row) => `${r.name}: ${row.metric}`),
  );
  if (failed.length > 0) console.log(`over budget: ${failed.join('; ')}`);
}

await main();
