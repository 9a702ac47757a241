// Runs s3rver in its own process for test/helpers/s3.ts. Started with --openssl-legacy-provider:
// s3rver 3.7 makes its ListObjectsV2 continuation tokens with DES, which OpenSSL 3 (Node 18+) only
// offers through the legacy provider. Prints {"port":N} once listening; exits when stdin closes
// (the test process stopped or died) or on SIGTERM.
// Usage: node --openssl-legacy-provider s3rver-process.mjs <data-dir> <bucket> [<bucket>...]
import S3rver from 's3rver';

const [directory, ...buckets] = process.argv.slice(2);
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory,
  vhostBuckets: false,
  configureBuckets: buckets.map((name) => ({ name })),
});
const { port } = await server.run();
process.stdout.write(`${JSON.stringify({ port })}\n`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await server.close().catch(() => undefined);
  process.exit(0);
};
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
