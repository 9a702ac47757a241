// OpenBao's API uses the non-standard HTTP method LIST, which Node's HTTP parser (llhttp) refuses
// with a bare 400 before any handler runs. So the emulator listens through this small TCP front:
// each connection is piped to the real node:http server, and a request line `LIST /path HTTP/1.1`
// is rewritten to `GET /path HTTP/1.1` plus the header below, which the handler turns back into LIST.
// The rewrite looks only at the start of a chunk or right after a blank line (the end of a previous
// request's headers), which is where a pipelined request line starts; bodies are JSON objects.
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export const LIST_METHOD_HEADER = 'x-openbao-emulator-method';

const LIST_LINE = /(^|\r\n\r\n)LIST (\S+) HTTP\/1\.([01])\r\n/g;

export function rewriteListRequests(chunk: Buffer): Buffer {
  const text = chunk.toString('latin1');
  if (!text.includes('LIST ')) return chunk;
  return Buffer.from(
    text.replace(LIST_LINE, `$1GET $2 HTTP/1.$3\r\n${LIST_METHOD_HEADER}: LIST\r\n`),
    'latin1',
  );
}

export interface Front {
  port: number;
  close(): Promise<void>;
}

/** Listens on host:port and forwards every connection to the server on 127.0.0.1:targetPort. */
export async function startListMethodFront(targetPort: number, host: string, port: number): Promise<Front> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.on('data', (chunk: Buffer) => upstream.write(rewriteListRequests(chunk)));
    client.on('end', () => upstream.end());
    upstream.pipe(client);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
