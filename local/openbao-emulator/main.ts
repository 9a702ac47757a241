// Standalone OpenBao emulator with the demo secrets:
//   npx tsx local/openbao-emulator/main.ts [--port 8200] [--kubernetes-host URL] [--reviewer-token T]
// Prints BAO_ADDR and the root token; stop with Ctrl-C.
import { parseArgs } from 'node:util';
import { startOpenBaoEmulator } from './index.ts';
import { demoOpenBao } from './demo.ts';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8200' },
      'kubernetes-host': { type: 'string' },
      'reviewer-token': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write('usage: main.ts [--port 8200] [--kubernetes-host URL] [--reviewer-token T]\n');
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port: not a port number: ${values.port}`);
  const host = values['kubernetes-host'];
  const reviewer = values['reviewer-token'];
  const bao = await startOpenBaoEmulator({
    port,
    ...demoOpenBao(),
    ...(host
      ? {
          kubernetes: reviewer
            ? { kubernetesHost: host, tokenReviewerJwt: reviewer }
            : { kubernetesHost: host },
        }
      : {}),
  });
  process.stdout.write(`eco OpenBao emulator listening on ${bao.url}\n`);
  process.stdout.write(`BAO_ADDR=${bao.url}  root token: ${bao.rootToken}\n`);
  process.stdout.write(
    `try: curl -s -H "X-Vault-Token: ${bao.rootToken}" ${bao.url}/v1/secret/data/shop/database\n`,
  );
  const stop = (): void => {
    void bao.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`openbao emulator: ${(e as Error).message}\n`);
  process.exit(1);
});
