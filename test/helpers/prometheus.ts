// A real Prometheus for tests, loaded with history the test writes: series are written as
// OpenMetrics, backfilled into TSDB blocks with `promtool tsdb create-blocks-from openmetrics`, and
// a `prometheus` server is started on that data directory on a free loopback port.
//
// Working flags (Prometheus 2.42, Debian): blocks older than the retention are deleted at start, so
// `--storage.tsdb.retention.time` is set far beyond any test window (10 years). Backfilled blocks
// only ever hold the past, so they never overlap the head and need no out-of-order window.
// `--max-block-duration=24h` makes promtool cut 15 blocks for 14 days instead of 169 two-hour ones
// (seconds instead of tens of seconds). Binaries come from the Debian `prometheus` package; a
// missing binary fails the test (it does not skip): `.ci/run` installs it.
import { createWriteStream } from 'node:fs';
import { access, constants, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { freePort } from '../../local/gateway/free-port.ts';
import { start, until } from '../e2e/helpers.ts';
import type { Spawned } from '../e2e/helpers.ts';

export const PROMETHEUS_BIN = '/usr/bin/prometheus';
export const PROMTOOL_BIN = '/usr/bin/promtool';

/** One series: a metric name, its labels and its samples ([Unix seconds, value], time ascending). */
export interface MetricSeries {
  name: string;
  labels: Readonly<Record<string, string>>;
  samples: ReadonlyArray<readonly [number, number]>;
}

export interface PrometheusServer {
  url: string;
  dataDir: string;
  /** Prometheus' log, for failure messages. */
  output(): string;
  /** Stops the server and removes its temp directory. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Rule file contents (YAML), loaded through the config's rule_files. */
  rules?: string;
  /** Global evaluation interval, e.g. '1s' for rule tests. */
  evaluationInterval?: string;
  /** Extra YAML appended to prometheus.yml (e.g. scrape_configs). */
  extraConfig?: string;
}

/** Fails with a clear message when a Debian binary is missing. */
export async function requireBinary(file: string, debianPackage = 'prometheus'): Promise<void> {
  try {
    await access(file, constants.X_OK);
  } catch {
    throw new Error(`${file} is missing: install the Debian package "${debianPackage}" (.ci/run does)`);
  }
}

/** Grid times start, start+step, ... ≤ end (Unix seconds), computed by multiplication (no drift). */
export function gridTimes(start: number, end: number, stepSeconds: number): number[] {
  const times: number[] = [];
  for (let i = 0; start + i * stepSeconds <= end; i += 1) times.push(start + i * stepSeconds);
  return times;
}

/** "now" floored to a multiple of `stepSeconds`, so sample and evaluation grids line up. */
export function alignedNow(stepSeconds: number, now = Date.now() / 1000): number {
  return Math.floor(now / stepSeconds) * stepSeconds;
}

/**
 * A counter whose per-second rate at time t is rateAt(t) (held over each sample interval):
 * value(t_i) = value(t_{i-1}) + rateAt(t_i) × (t_i − t_{i−1}).
 */
export function counterSamples(
  times: readonly number[],
  rateAt: (time: number) => number,
  initial = 1_000,
): Array<readonly [number, number]> {
  const samples: Array<readonly [number, number]> = [];
  let value = initial;
  let previous: number | undefined;
  for (const time of times) {
    if (previous !== undefined) value += rateAt(time) * (time - previous);
    samples.push([time, value]);
    previous = time;
  }
  return samples;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

/** The OpenMetrics family a sample name belongs to, and its type (a `_total` name is a counter). */
function family(name: string): { family: string; type: 'counter' | 'gauge' } {
  return name.endsWith('_total')
    ? { family: name.slice(0, -'_total'.length), type: 'counter' }
    : { family: name, type: 'gauge' };
}

/** Writes the series as an OpenMetrics file (families contiguous, `# EOF` last), streaming. */
export async function writeOpenMetrics(file: string, series: readonly MetricSeries[]): Promise<void> {
  const byName = new Map<string, MetricSeries[]>();
  for (const s of series) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
  const out = createWriteStream(file);
  const write = async (text: string): Promise<void> => {
    if (!out.write(text)) await once(out, 'drain');
  };
  for (const [name, members] of byName) {
    const { family: familyName, type } = family(name);
    await write(`# TYPE ${familyName} ${type}\n`);
    for (const s of members) {
      const labels = Object.entries(s.labels)
        .map(([key, value]) => `${key}="${escapeLabel(value)}"`)
        .join(',');
      const prefix = labels ? `${name}{${labels}}` : name;
      let chunk = '';
      for (const [time, value] of s.samples) {
        chunk += `${prefix} ${formatValue(value)} ${time}\n`;
        if (chunk.length > 64_000) {
          await write(chunk);
          chunk = '';
        }
      }
      if (chunk) await write(chunk);
    }
  }
  await write('# EOF\n');
  out.end();
  await once(out, 'finish');
}

async function run(command: string, args: string[]): Promise<string> {
  const child = start(command, args);
  const code = await child.exited;
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${code}:\n${child.output()}`);
  return child.output();
}

/** Backfills the series into TSDB blocks under dataDir. */
export async function backfill(dataDir: string, series: readonly MetricSeries[]): Promise<void> {
  await requireBinary(PROMTOOL_BIN);
  await mkdir(dataDir, { recursive: true });
  const file = path.join(dataDir, '..', `backfill-${process.pid}-${Date.now()}.om`);
  await writeOpenMetrics(file, series);
  try {
    await run(PROMTOOL_BIN, [
      'tsdb',
      'create-blocks-from',
      'openmetrics',
      '--quiet',
      '--max-block-duration=24h',
      file,
      dataDir,
    ]);
  } finally {
    await rm(file, { force: true });
  }
}

/** Starts Prometheus on an existing data directory (e.g. after backfill). */
export async function startPrometheus(
  root: string,
  dataDir: string,
  options: StartOptions = {},
): Promise<PrometheusServer> {
  await requireBinary(PROMETHEUS_BIN);
  const config = ['global:', `  evaluation_interval: ${options.evaluationInterval ?? '15s'}`];
  if (options.rules !== undefined) {
    await writeFile(path.join(root, 'rules.yml'), options.rules);
    config.push('rule_files:', `  - ${path.join(root, 'rules.yml')}`);
  }
  if (options.extraConfig) config.push(options.extraConfig);
  await writeFile(path.join(root, 'prometheus.yml'), `${config.join('\n')}\n`);

  // The free port is racy: another process may take it before Prometheus binds; try again then.
  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const proc: Spawned = start(PROMETHEUS_BIN, [
      `--config.file=${path.join(root, 'prometheus.yml')}`,
      `--storage.tsdb.path=${dataDir}`,
      '--storage.tsdb.retention.time=3650d',
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ]);
    let exited = false;
    void proc.exited.then(() => {
      exited = true;
    });
    try {
      await until(
        'Prometheus ready',
        async () => {
          if (exited) throw new Error('prometheus exited');
          const res = await fetch(`${url}/-/ready`).catch(() => undefined);
          return res?.ok ? true : undefined;
        },
        60_000,
        () => proc.output(),
      );
    } catch (error) {
      await stopProcess(proc);
      if (attempt < 3 && /address already in use/.test(proc.output())) continue;
      throw new Error(`${(error as Error).message}\n${proc.output()}`);
    }
    return {
      url,
      dataDir,
      output: () => proc.output(),
      stop: async () => {
        await stopProcess(proc);
        await rm(root, { recursive: true, force: true });
      },
    };
  }
}

/** A temp dir, the series backfilled into it, Prometheus started on it. Call stop() in afterAll. */
export async function startPrometheusWith(
  series: readonly MetricSeries[],
  options: StartOptions = {},
): Promise<PrometheusServer> {
  const root = await mkdtemp(path.join(tmpdir(), 'eco-prometheus-'));
  try {
    const dataDir = path.join(root, 'data');
    await backfill(dataDir, series);
    return await startPrometheus(root, dataDir, options);
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
}

async function stopProcess(spawned: Spawned): Promise<void> {
  const { proc } = spawned;
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const force = setTimeout(() => proc.kill('SIGKILL'), 5_000);
  proc.kill('SIGTERM');
  await spawned.exited;
  clearTimeout(force);
}
