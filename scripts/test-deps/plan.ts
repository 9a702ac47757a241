import type { TestBinary } from './binaries.ts';

/** What the machine offers for installing packages. */
export interface Machine {
  /** Running as root (uid 0): apt-get can install without sudo. */
  root: boolean;
  /** apt-get is on PATH (a Debian or Ubuntu machine). */
  aptGet: boolean;
}

/** What the pre-test step does: nothing, run commands, or stop with one line. */
export type Plan =
  | { action: 'ready' }
  | { action: 'install'; packages: string[]; commands: string[][] }
  | { action: 'stop'; packages: string[]; message: string };

/** apt-get waits this long for another apt process's lock instead of failing at once. */
const LOCK_TIMEOUT_SECONDS = 600;

/** The entries whose binary `has` does not find, in list order. */
export function missingBinaries(list: readonly TestBinary[], has: (binary: string) => boolean): TestBinary[] {
  return list.filter((entry) => !has(entry.binary));
}

/** The Debian packages that provide the missing binaries: each once, sorted. */
export function packagesFor(missing: readonly TestBinary[]): string[] {
  return [...new Set(missing.map((entry) => entry.debianPackage))].sort();
}

/** The apt-get commands, `apt-get update` once first. */
export function aptCommands(packages: readonly string[]): string[][] {
  const lock = ['-o', `DPkg::Lock::Timeout=${LOCK_TIMEOUT_SECONDS}`];
  return [
    ['apt-get', ...lock, 'update', '-qq'],
    ['apt-get', ...lock, 'install', '-y', '-qq', '--no-install-recommends', ...packages],
  ];
}

/** The command a person runs to install the packages themselves (one shell line). */
export function manualCommand(packages: readonly string[], root: boolean): string {
  const sudo = root ? '' : 'sudo ';
  return `${sudo}apt-get update && ${sudo}apt-get install -y --no-install-recommends ${packages.join(' ')}`;
}

/** The one line printed when the step cannot install the packages itself. */
export function stopMessage(missing: readonly TestBinary[], machine: Machine): string {
  const binaries = missing.map((entry) => entry.binary).join(', ');
  const command = manualCommand(packagesFor(missing), machine.root);
  const why = !machine.aptGet
    ? 'no apt-get here; on Debian or Ubuntu'
    : !machine.root
      ? 'not root'
      : 'its package is installed but the program is still not found';
  return `npm test needs ${binaries}: run \`${command}\` (${why})`;
}

/** Decides what to do about the binaries the tests need. Pure: the tests drive it with fakes. */
export function plan(list: readonly TestBinary[], has: (binary: string) => boolean, machine: Machine): Plan {
  const missing = missingBinaries(list, has);
  if (missing.length === 0) return { action: 'ready' };
  const packages = packagesFor(missing);
  if (machine.root && machine.aptGet) return { action: 'install', packages, commands: aptCommands(packages) };
  return { action: 'stop', packages, message: stopMessage(missing, machine) };
}
