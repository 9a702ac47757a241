// A real DNS server for the tests: dnsmasq (Debian dnsmasq-base) on 127.0.0.1 and a free high
// port, answering only the records the test gives it (no upstream, no /etc/hosts). The test fails,
// not skips, when dnsmasq is not installed (`npm test` installs it, scripts/test-deps).
import { spawn, type ChildProcess } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { freePort } from '../../../local/gateway/free-port.ts';

export interface DnsRecords {
  hosts?: Record<string, string[]>;
  cnames?: Record<string, string>;
  txt?: Record<string, string>;
  /** Domains answered locally only: other names in them are NXDOMAIN. */
  local?: string[];
}

export interface Dnsmasq {
  server: string;
  stop(): Promise<void>;
}

const BINARY = process.env['DNSMASQ'] ?? '/usr/sbin/dnsmasq';

function args(port: number, r: DnsRecords): string[] {
  return [
    '--no-daemon',
    `--port=${port}`,
    '--listen-address=127.0.0.1',
    '--bind-interfaces',
    '--no-resolv',
    '--no-hosts',
    '--conf-file=/dev/null',
    '--log-facility=-',
    ...(r.local ?? []).map((d) => `--local=/${d}/`),
    ...Object.entries(r.hosts ?? {}).map(([name, ips]) => `--host-record=${name},${ips.join(',')}`),
    ...Object.entries(r.cnames ?? {}).map(([alias, target]) => `--cname=${alias},${target}`),
    // Quoted: one TXT string with commas in it, as external-dns writes it.
    ...Object.entries(r.txt ?? {}).map(([name, text]) => `--txt-record=${name},"${text}"`),
  ];
}

async function stopProcess(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Starts dnsmasq and waits (at most ~5 s) until it answers; retries on a port taken meanwhile. */
export async function startDnsmasq(records: DnsRecords): Promise<Dnsmasq> {
  let lastOutput = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const proc = spawn(BINARY, args(port, records), { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    proc.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    proc.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    const failed = new Promise<string>((resolve) => {
      proc.once('error', (e) => resolve(`spawn ${BINARY}: ${e.message}`));
      proc.once('exit', (code) => resolve(`dnsmasq exited ${code}: ${output}`));
    });
    const server = `127.0.0.1:${port}`;
    const resolver = new Resolver({ timeout: 200, tries: 1 });
    resolver.setServers([server]);
    for (let i = 0; i < 25; i++) {
      const ready = await Promise.race([
        resolver.resolve4('ready.invalid').then(
          () => true,
          (e: { code?: string }) => e.code === 'ENOTFOUND' || e.code === 'EREFUSED' || e.code === 'ENODATA',
        ),
        failed.then(() => false),
      ]);
      if (ready) return { server, stop: () => stopProcess(proc) };
      if (proc.exitCode !== null || proc.signalCode !== null) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    lastOutput = await Promise.race([failed, Promise.resolve(output)]);
    await stopProcess(proc);
    if (lastOutput.startsWith('spawn')) break;
  }
  throw new Error(`dnsmasq did not start: ${lastOutput}`);
}
