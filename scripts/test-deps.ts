// `npm test`'s pre-test step: makes sure every program the tests start is installed, installing the
// missing Debian packages when it can (root with apt-get), else stopping with the command to run.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { TEST_BINARIES } from './test-deps/binaries.ts';
import { missingBinaries, plan, stopMessage } from './test-deps/plan.ts';
import type { Machine } from './test-deps/plan.ts';

/** Debian installs daemons (dnsmasq) in sbin, which a non-root PATH often leaves out. */
const SBIN_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

function searchDirs(): string[] {
  const fromPath = (process.env['PATH'] ?? '').split(delimiter).filter((dir) => dir !== '');
  return [...new Set([...fromPath, ...SBIN_DIRS])];
}

function onPath(binary: string): boolean {
  return searchDirs().some((dir) => {
    try {
      accessSync(join(dir, binary), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function machine(): Machine {
  return { root: process.getuid?.() === 0, aptGet: onPath('apt-get') };
}

function main(): number {
  const here = machine();
  const decision = plan(TEST_BINARIES, onPath, here);
  if (decision.action === 'ready') return 0;
  if (decision.action === 'stop') {
    console.error(decision.message);
    return 1;
  }
  console.error(`npm test: installing ${decision.packages.join(' ')} (apt-get)`);
  for (const command of decision.commands) {
    const [program = 'apt-get', ...args] = command;
    const result = spawnSync(program, args, {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (result.status !== 0) {
      console.error(
        `npm test: \`${command.join(' ')}\` failed (exit ${String(result.status ?? result.signal)})`,
      );
      return 1;
    }
  }
  // A package can install without the binary we expected (a renamed command): say so, do not loop.
  const still = missingBinaries(TEST_BINARIES, onPath);
  if (still.length > 0) {
    console.error(stopMessage(still, here));
    return 1;
  }
  return 0;
}

process.exit(main());
