import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The floor every cold start and throughput figure is compared with: plain node:http that reads
 * the same request, parses it and answers JSON. No framework, no validation, no metrics.
 */
export const BARE_SERVER = `import { createServer } from 'node:http';
createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let alerts = 0;
    try { const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'); alerts = Array.isArray(body.alerts) ? body.alerts.length : 0; } catch {}
    const text = JSON.stringify({ ok: true, alerts });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  });
}).listen(Number(process.env.PORT || 8080));
`;

export async function writeBareServer(dir: string): Promise<string> {
  const file = join(dir, 'bare-server.mjs');
  await writeFile(file, BARE_SERVER);
  return file;
}
