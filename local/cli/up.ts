import path from 'node:path';
import type { Bot } from '../../shared/bot/index.ts';
import { ClusterUnreachableError, PortInUseError, REPO_ROOT, startGateway } from '../gateway/index.ts';
import type { Gateway, RunnerChoice } from '../gateway/index.ts';
import { consoleLogger } from './console-log.ts';
import { EXIT } from './errors.ts';
import { styleFor } from './format.ts';
import type { Io } from './io.ts';

export interface UpOptions {
  port: number;
  host: string;
  apply: boolean;
  kubeconfig?: string;
  demo: boolean;
  runner: RunnerChoice;
  cron: boolean;
  warmup: boolean;
  maxProcesses: number;
  idleTimeoutSeconds: number;
  timeoutSeconds: number;
  verbose: boolean;
}

export function banner(gateway: Gateway, options: UpOptions, io: Io, planted: number): string {
  const style = styleFor(io.stdout, io.env);
  const scheduled = gateway.bots.filter((bot) => bot.triggers.cron !== undefined).length;
  const runners = new Set(gateway.runners.values());
  const runner =
    runners.size === 1 && runners.has('dist')
      ? 'bundles from dist/ (node)'
      : runners.has('dist')
        ? 'dist/ bundles where fresh, else TypeScript via tsx'
        : 'TypeScript source via tsx (npm run build for faster cold starts)';
  const mode =
    gateway.mode === 'apply'
      ? style.bad('APPLY: bots may change the cluster (within their safety rails)')
      : 'dry-run: nothing is changed (--apply lets bots act)';
  const rows: Array<[string, string]> = [
    ['Status page', `${gateway.url}/`],
    ['Gateway', `${gateway.url}  (POST /function/<bot>, /async-function/<bot>; GET /system/functions)`],
    ['Metrics', `${gateway.url}/metrics`],
    ['Reports', `${gateway.url}/_/reports   Events: ${gateway.url}/_/events`],
    ['Cluster', gateway.cluster.description],
    ...(gateway.cluster.kind === 'emulator'
      ? ([['Demo', `${planted} problems planted for the bots to find (the README lists them)`]] as Array<
          [string, string]
        >)
      : []),
    ['Mode', mode],
    [
      'Bots',
      `${gateway.bots.length} (${scheduled} on a schedule${options.warmup && options.cron ? ', warm-up run started' : ''}); one process each, on demand, stopped after ${options.idleTimeoutSeconds} s idle, at most ${options.maxProcesses} at once`,
    ],
    ['Processes', runner],
    ['Bot logs', path.relative(io.cwd, path.join(REPO_ROOT, '.eco-bots', 'logs')) || '.eco-bots/logs'],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return [
    style.bold('eco-bots: the fleet on this machine'),
    ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`),
    'Press Ctrl+C to stop.',
    '',
  ].join('\n');
}

/** `eco-bots up` (= `npm start`): the local gateway until Ctrl+C. */
export async function upCommand(bots: readonly Bot[], options: UpOptions, io: Io): Promise<number> {
  const log = consoleLogger(options.verbose ? 'debug' : 'info');
  let gateway: Gateway;
  try {
    gateway = await startGateway({
      port: options.port,
      host: options.host,
      bots,
      mode: options.apply ? 'apply' : 'dry-run',
      ...(options.kubeconfig !== undefined ? { kubeconfig: options.kubeconfig } : {}),
      ...(io.env['KUBECONFIG'] !== undefined ? { envKubeconfig: io.env['KUBECONFIG'] } : {}),
      demo: options.demo,
      runner: options.runner,
      cron: options.cron,
      warmup: options.warmup && options.cron,
      maxProcesses: options.maxProcesses,
      idleTimeoutMs: options.idleTimeoutSeconds * 1000,
      invokeTimeoutMs: options.timeoutSeconds * 1000,
      logDir: path.join(REPO_ROOT, '.eco-bots', 'logs'),
      log,
    });
  } catch (error) {
    if (error instanceof PortInUseError || error instanceof ClusterUnreachableError) {
      io.stderr.write(`eco-bots: ${error.message}\n`);
      return EXIT.failure;
    }
    throw error;
  }
  const planted =
    gateway.cluster.kind === 'emulator'
      ? (await import('../demo-cluster/index.ts')).PLANTED.filter((entry) => entry.expect === 'found').length
      : 0;
  io.stdout.write(banner(gateway, options, io, planted));
  void gateway.warmup.then(() => {
    const reports = gateway.store.latestReports();
    const findings = reports.reduce((sum, report) => sum + report.findings.length, 0);
    log.info(`warm-up done: ${reports.length} reports, ${findings} findings; see ${gateway.url}/`);
  });
  const signal = await io.stopSignal();
  log.info(`${signal}: stopping the bots and the gateway`);
  await gateway.close();
  return EXIT.ok;
}
