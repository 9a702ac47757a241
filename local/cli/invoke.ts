import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Bot, Report, Severity } from '../../shared/bot/index.ts';
import { runBot } from '../../shared/runtime/index.ts';
import { selectCluster } from '../gateway/index.ts';
import type { ClusterSelection } from '../gateway/index.ts';
import { consoleLogger } from './console-log.ts';
import { EXIT, UsageError } from './errors.ts';
import { formatReport, progressLine, reaches, shortOutcome, styleFor } from './format.ts';
import type { Io } from './io.ts';

export interface InvokeOptions {
  /** Bot names, or every bot with `all`. */
  targets: string[];
  all: boolean;
  data?: string;
  apply: boolean;
  json: boolean;
  failOn?: Severity;
  kubeconfig?: string;
  demo: boolean;
  timeoutSeconds: number;
  verbose: boolean;
}

const STATUS_BOT = 'eco-status-bot';

/** `--data '{"a":1}'`, `--data @file.json` or `--data @-` (stdin). */
async function readInput(data: string | undefined, io: Io): Promise<unknown> {
  if (data === undefined) return {};
  let text = data;
  if (data.startsWith('@')) {
    const file = data.slice(1);
    try {
      text = file === '-' ? await io.readStdin() : await readFile(path.resolve(io.cwd, file), 'utf8');
    } catch (error) {
      throw new UsageError(`--data ${data}: ${(error as Error).message}`);
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`--data is not valid JSON: ${(error as Error).message}`);
  }
}

function botEnv(
  io: Io,
  cluster: ClusterSelection,
  bot: string,
  apply: boolean,
  verbose: boolean,
): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...io.env, ...(cluster.envFor?.(bot) ?? {}) };
  // One bot in this process: no event sink (use `eco-bots up` for routing), its own kubeconfig.
  delete env['K_SINK'];
  delete env['KUBERNETES_SERVICE_HOST'];
  env['KUBECONFIG'] = cluster.kubeconfigFor(bot);
  env['ECO_MODE'] = apply ? 'apply' : 'dry-run';
  env['LOG_LEVEL'] = verbose ? 'debug' : 'warn';
  return env;
}

/**
 * `eco-bots invoke`: runs bots in this process through the kit's runBot (the same code path as the
 * HTTP runtime), against the same cluster selection as `up`. Exit codes: 0 ok, 1 a bot failed or
 * reported errors, 2 usage, 3 findings at or above --fail-on.
 */
export async function invokeCommand(fleet: readonly Bot[], options: InvokeOptions, io: Io): Promise<number> {
  const byName = new Map(fleet.map((bot) => [bot.name, bot]));
  let targets: Bot[];
  if (options.all) {
    // The status bot last: it summarises the others' reports.
    targets = [...fleet].sort(
      (a, b) => Number(a.name === STATUS_BOT) - Number(b.name === STATUS_BOT) || a.name.localeCompare(b.name),
    );
  } else {
    if (options.targets.length === 0)
      throw new UsageError('invoke needs a bot name (or --all); `eco-bots list` shows them');
    targets = options.targets.map((name) => {
      const bot = byName.get(name);
      if (bot === undefined) throw new UsageError(`no bot named "${name}"; \`eco-bots list\` shows them`);
      return bot;
    });
  }
  const input = await readInput(options.data, io);
  const style = styleFor(io.stdout, io.env);
  const log = consoleLogger(options.verbose ? 'debug' : 'warn');
  const multi = targets.length > 1;

  const dir = await mkdtemp(path.join(tmpdir(), 'eco-bots-invoke-'));
  let cluster: ClusterSelection | undefined;
  try {
    cluster = await selectCluster({
      bots: targets,
      dir,
      ...(options.kubeconfig !== undefined ? { kubeconfig: options.kubeconfig } : {}),
      ...(io.env['KUBECONFIG'] !== undefined ? { envKubeconfig: io.env['KUBECONFIG'] } : {}),
      forceDemo: options.demo,
    });
    if (!options.json) io.stderr.write(`${style.dim(`cluster: ${cluster.description}`)}\n`);

    const reports: Report[] = [];
    let failed = false;
    let index = 0;
    for (const bot of targets) {
      index += 1;
      const emitted: string[] = [];
      const botInput =
        bot.name === STATUS_BOT && multi
          ? { reports: reports.filter((report) => report.bot !== STATUS_BOT) }
          : input;
      try {
        const report = await runBot(bot, botInput, {
          trigger: 'http',
          env: botEnv(io, cluster, bot.name, options.apply, options.verbose),
          log,
          timeoutMs: options.timeoutSeconds * 1000,
          emit: async (type) => {
            emitted.push(type);
          },
        });
        reports.push(report);
        if (report.errors.length > 0) failed = true;
        if (multi) io.stderr.write(progressLine(index, targets.length, bot.name, shortOutcome(report)));
        if (!options.json) {
          io.stdout.write(formatReport(report, style));
          if (emitted.length > 0)
            io.stdout.write(
              style.dim(`  emitted ${emitted.length} event(s): ${[...new Set(emitted)].join(', ')}\n`),
            );
          if (multi) io.stdout.write('\n');
        }
      } catch (error) {
        const status = (error as { status?: unknown }).status;
        if (status === 400 && !multi) throw new UsageError(`${bot.name}: ${(error as Error).message}`);
        failed = true;
        const message = `${bot.name} failed: ${(error as Error).message}`;
        if (multi)
          io.stderr.write(
            progressLine(index, targets.length, bot.name, style.bad(`failed: ${(error as Error).message}`)),
          );
        else io.stderr.write(`${style.bad('error')} ${message}\n`);
      }
    }
    if (options.json) io.stdout.write(`${JSON.stringify(multi ? reports : (reports[0] ?? null), null, 2)}\n`);
    if (failed) return EXIT.failure;
    if (
      options.failOn !== undefined &&
      reports.some((report) => reaches(report.findings, options.failOn as Severity))
    ) {
      if (!options.json) io.stderr.write(`findings at or above ${options.failOn}: exit ${EXIT.findings}\n`);
      return EXIT.findings;
    }
    return EXIT.ok;
  } finally {
    await cluster?.close();
    await rm(dir, { recursive: true, force: true });
  }
}
