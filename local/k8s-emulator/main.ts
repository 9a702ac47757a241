// Standalone emulator:
//   npx tsx local/k8s-emulator/main.ts [--port 6443] [--demo] [--seed file.yaml ...] [--http]
//        [--anonymous-admin] [--kubeconfig path] [--token t]
// Prints the kubeconfig path; stop with Ctrl-C. HTTPS (self-signed, insecure-skip-tls-verify) is the
// default here because kubectl sends bearer tokens only over TLS; --http serves plain http.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startEmulator } from './index.ts';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '6443' },
      demo: { type: 'boolean', default: false },
      seed: { type: 'string', multiple: true },
      http: { type: 'boolean', default: false },
      'anonymous-admin': { type: 'boolean', default: false },
      kubeconfig: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(
      'usage: main.ts [--port 6443] [--demo] [--seed file.yaml ...] [--http] [--anonymous-admin] [--kubeconfig path]\n',
    );
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port: not a port number: ${values.port}`);
  const emu = await startEmulator({
    port,
    demo: values.demo,
    tls: !values.http,
    anonymousAdmin: values['anonymous-admin'],
  });
  if (values.seed) await emu.loadSeed(values.seed);
  const file = values.kubeconfig ?? join(tmpdir(), `eco-emulator-${emu.port}`, 'kubeconfig');
  await emu.writeKubeconfig(file);
  process.stdout.write(`eco k8s emulator listening on ${emu.url}\n`);
  process.stdout.write(`kubeconfig: ${file}\n`);
  process.stdout.write(`try: KUBECONFIG=${file} kubectl get pods -A\n`);
  const stop = (): void => {
    void emu.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`emulator: ${(e as Error).message}\n`);
  process.exit(1);
});
