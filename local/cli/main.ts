import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;
import type { Severity } from '../../shared/bot/index.ts';
import { loadBots } from '../gateway/index.ts';
import type { RunnerChoice } from '../gateway/index.ts';
import { EXIT, UsageError } from './errors.ts';
import { loadConfig } from '../../shared/config/load.ts';
import { ConfigError, isConfigError } from '../../shared/errors/config-error.ts';
import { settingsOf } from '../../shared/runtime/run-bot.ts';
import type { Bot } from '../../shared/bot/index.ts';
import { docsCommand } from './docs.ts';
import { generateCommand } from './generate.ts';
import { invokeCommand } from './invoke.ts';
import type { Io } from './io.ts';
import { processIo } from './io.ts';
import { listCommand } from './list.ts';
import { upCommand } from './up.ts';

export const USAGE = `Usage: eco-bots <command> [options]

Commands:
  up                      Run the fleet locally: gateway, cron, event routing, status page (npm start)
  list                    The bots with category, tier and triggers
  invoke <bot>... | --all Run bots once and print their reports
  generate [--check]      Regenerate stack.yml, manifests and the registry from the bots' declarations
  docs <command>          The documentation checkout (DOCS_PATH): list, scan, read <id>, stats,
                          domain <id>; \`eco-bots docs help\` for its options
  help                    This text

up options:
  --port <n>              Gateway port (env PORT, default 8080)
  --host <addr>           Listen address (default 127.0.0.1)
  --kubeconfig <file>     Use this cluster (must be reachable); default KUBECONFIG when reachable,
                          else the embedded emulator with the demo cluster
  --demo                  Use the embedded demo cluster even when KUBECONFIG is set
  --apply                 Let bots change the cluster (default: dry-run)
  --runner <r>            auto | dist | source (default auto: dist/ bundles when fresh)
  --no-cron               Do not run schedules (and no warm-up)
  --no-warmup             No start-up run of the scheduled bots
  --max-processes <n>     Bot processes alive at once (env ECO_GATEWAY_MAX_PROCESSES, default 4)
  --idle-timeout <s>      Stop a bot process after this idle time (env ECO_GATEWAY_IDLE_SECONDS, default 120)
  --timeout <s>           Per-invocation timeout (env ECO_GATEWAY_TIMEOUT_SECONDS, default 60)
  --verbose               Debug logs

invoke options:
  --all                   Every bot (progress on stderr; eco-status-bot last, fed the others' reports)
  --data <json|@file|@->  Options for the bot (JSON text, a file, or stdin)
  --apply                 Let the bot change the cluster (default: dry-run)
  --json                  Print the report(s) as JSON
  --fail-on <severity>    Exit 3 when a finding is at or above critical|warning|info
  --kubeconfig <file>, --demo, --timeout <s>, --verbose   as for up

Exit codes: 0 ok, 1 failure (a bot failed or reported errors, the port is in use...), 2 usage error
(or a bad environment variable for invoke), 3 findings at or above --fail-on, 78 a bad environment
variable for up.
`;

const SEVERITIES: readonly Severity[] = ['critical', 'warning', 'info'];
const RUNNERS: readonly RunnerChoice[] = ['auto', 'dist', 'source'];

function integer(
  value: string | undefined,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value.trim())) throw new UsageError(`${name} must be a whole number, got "${value}"`);
  const n = Number(value);
  if (n < min || n > max) throw new UsageError(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

/**
 * The environment every loaded bot will see, checked before anything starts: the kit's variables
 * and every declared setting of every bot. The first bad one throws a ConfigError naming it.
 */
export function checkEnvironment(bots: readonly Bot[], env: Io['env']): void {
  loadConfig(env);
  for (const bot of bots) settingsOf(bot, env);
}

/** A flag, else its environment variable (a bad value is a ConfigError), else the default. */
function option(
  flag: string | undefined,
  flagName: string,
  env: Io['env'],
  envName: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (flag !== undefined) return integer(flag, flagName, fallback, min, max);
  try {
    return integer(env[envName], envName, fallback, min, max);
  } catch (error) {
    throw new ConfigError(envName, `${(error as Error).message.replace(`${envName} `, '')}`);
  }
}

const COMMON = {
  kubeconfig: { type: 'string' },
  demo: { type: 'boolean', default: false },
  apply: { type: 'boolean', default: false },
  timeout: { type: 'string' },
  verbose: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

function parse<T extends OptionsConfig>(args: readonly string[], options: T) {
  try {
    return parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>({
      args: [...args],
      options,
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** The CLI; resolves with the exit code (after Ctrl+C for `up`). */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout.write(USAGE);
        return command === undefined ? EXIT.usage : EXIT.ok;
      case 'list': {
        const { values, positionals } = parse(rest, { json: { type: 'boolean', default: false } });
        if (positionals.length > 0)
          throw new UsageError(`list takes no arguments, got "${positionals.join(' ')}"`);
        return listCommand(await loadBots(), values.json === true, io);
      }
      case 'invoke': {
        const { values, positionals } = parse(rest, {
          ...COMMON,
          all: { type: 'boolean', default: false },
          data: { type: 'string' },
          json: { type: 'boolean', default: false },
          'fail-on': { type: 'string' },
        });
        if (values.help) {
          io.stdout.write(USAGE);
          return EXIT.ok;
        }
        const failOn = values['fail-on'];
        if (failOn !== undefined && !SEVERITIES.includes(failOn as Severity)) {
          throw new UsageError(`--fail-on must be one of ${SEVERITIES.join(', ')}, got "${failOn}"`);
        }
        if (values.all && positionals.length > 0) throw new UsageError('give bot names or --all, not both');
        const fleet = await loadBots();
        checkEnvironment(fleet, io.env);
        return await invokeCommand(
          fleet,
          {
            targets: positionals,
            all: values.all === true,
            ...(values.data !== undefined ? { data: values.data } : {}),
            apply: values.apply === true,
            json: values.json === true,
            ...(failOn !== undefined ? { failOn: failOn as Severity } : {}),
            ...(values.kubeconfig !== undefined ? { kubeconfig: values.kubeconfig } : {}),
            demo: values.demo === true,
            timeoutSeconds: integer(values.timeout, '--timeout', 60, 1, 3600),
            verbose: values.verbose === true,
          },
          io,
        );
      }
      case 'up': {
        const { values, positionals } = parse(rest, {
          ...COMMON,
          port: { type: 'string' },
          host: { type: 'string' },
          runner: { type: 'string' },
          'no-cron': { type: 'boolean', default: false },
          'no-warmup': { type: 'boolean', default: false },
          'max-processes': { type: 'string' },
          'idle-timeout': { type: 'string' },
        });
        if (values.help) {
          io.stdout.write(USAGE);
          return EXIT.ok;
        }
        if (positionals.length > 0)
          throw new UsageError(`up takes no arguments, got "${positionals.join(' ')}"`);
        const runner = values.runner ?? 'auto';
        if (!RUNNERS.includes(runner as RunnerChoice))
          throw new UsageError(`--runner must be one of ${RUNNERS.join(', ')}`);
        const port =
          values.port !== undefined
            ? integer(values.port, '--port', 8080, 0, 65535)
            : option(undefined, '--port', io.env, 'PORT', 8080, 0, 65535);
        const fleet = await loadBots();
        try {
          checkEnvironment(fleet, io.env);
        } catch (error) {
          // `npm start` stops like a bundle does on a bad variable: one line, exit 78.
          if (!isConfigError(error)) throw error;
          io.stderr.write(`eco-bots: invalid configuration: ${error.message}\n`);
          return EXIT.config;
        }
        return await upCommand(
          fleet,
          {
            port,
            host: values.host ?? '127.0.0.1',
            apply: values.apply === true,
            ...(values.kubeconfig !== undefined ? { kubeconfig: values.kubeconfig } : {}),
            demo: values.demo === true,
            runner: runner as RunnerChoice,
            cron: values['no-cron'] !== true,
            warmup: values['no-warmup'] !== true,
            maxProcesses: option(
              values['max-processes'],
              '--max-processes',
              io.env,
              'ECO_GATEWAY_MAX_PROCESSES',
              4,
              1,
              64,
            ),
            idleTimeoutSeconds: option(
              values['idle-timeout'],
              '--idle-timeout',
              io.env,
              'ECO_GATEWAY_IDLE_SECONDS',
              120,
              1,
              86_400,
            ),
            timeoutSeconds: option(
              values.timeout,
              '--timeout',
              io.env,
              'ECO_GATEWAY_TIMEOUT_SECONDS',
              60,
              1,
              3600,
            ),
            verbose: values.verbose === true,
          },
          io,
        );
      }
      case 'generate':
        return await generateCommand(rest);
      case 'docs':
        return await docsCommand(rest, io);
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`eco-bots: ${error.message} (see eco-bots help)\n`);
      return EXIT.usage;
    }
    if (isConfigError(error)) {
      io.stderr.write(`eco-bots: invalid configuration: ${error.message}\n`);
      return command === 'up' ? EXIT.config : EXIT.usage;
    }
    io.stderr.write(`eco-bots: ${(error as Error).message}\n`);
    return EXIT.failure;
  }
}
