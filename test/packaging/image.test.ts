import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { generateAll } from '../../scripts/generate/index.ts';
import { FIXTURE_FLEET } from './fixture-bots.ts';
import { docsOf, ROOT } from './helpers.ts';
import type { Loose } from './helpers.ts';

const run = promisify(execFile);
const CHECK = join(ROOT, 'templates/check-image-size.mjs');
const temps: string[] = [];
afterAll(async () => {
  await Promise.all(temps.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** Writes a blob into an OCI layout and returns its descriptor. */
async function blob(dir: string, mediaType: string, body: unknown, extra: Record<string, unknown> = {}) {
  const text = JSON.stringify(body);
  const hex = createHash('sha256').update(text).digest('hex');
  await writeFile(join(dir, 'blobs/sha256', hex), text);
  return { mediaType, digest: `sha256:${hex}`, size: text.length, ...extra };
}

/** A buildx-like multi-platform layout: an index of two platform manifests plus an attestation. */
async function layout(layerBytes: { amd64: number[]; arm64: number[] }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'eco-oci-'));
  temps.push(dir);
  await mkdir(join(dir, 'blobs/sha256'), { recursive: true });
  const manifest = (layers: number[]) => ({
    schemaVersion: 2,
    config: {
      mediaType: 'application/vnd.oci.image.config.v1+json',
      digest: 'sha256:' + '0'.repeat(64),
      size: 1000,
    },
    layers: layers.map((size, i) => ({
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      digest: `sha256:${String(i).repeat(64)}`,
      size,
    })),
  });
  const amd = await blob(dir, 'application/vnd.oci.image.manifest.v1+json', manifest(layerBytes.amd64), {
    platform: { os: 'linux', architecture: 'amd64' },
  });
  const arm = await blob(dir, 'application/vnd.oci.image.manifest.v1+json', manifest(layerBytes.arm64), {
    platform: { os: 'linux', architecture: 'arm64' },
  });
  const attestation = await blob(dir, 'application/vnd.oci.image.manifest.v1+json', manifest([900_000_000]), {
    platform: { os: 'unknown', architecture: 'unknown' },
    annotations: { 'vnd.docker.reference.type': 'attestation-manifest' },
  });
  const index = await blob(dir, 'application/vnd.oci.image.index.v1+json', {
    schemaVersion: 2,
    manifests: [amd, arm, attestation],
  });
  await writeFile(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [index] }));
  return dir;
}

async function check(dir: string, limit?: string): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await run(process.execPath, [CHECK, dir, ...(limit ? [limit] : [])]);
    return { code: 0, out: stdout };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

describe('the CI image size gate (templates/check-image-size.mjs)', () => {
  it('passes images under 50 MB on every platform, ignoring attestations', async () => {
    const result = await check(
      await layout({ amd64: [20_000_000, 5_000_000], arm64: [19_000_000, 5_000_000] }),
    );
    expect(result.code, result.out).toBe(0);
    expect(result.out).toContain('ok   linux/amd64: 25.0 MB');
    expect(result.out).toContain('ok   linux/arm64: 24.0 MB');
    expect(result.out).not.toContain('unknown');
  });

  it('fails when one platform is over the limit and names it', async () => {
    const result = await check(await layout({ amd64: [30_000_000], arm64: [49_999_000, 2_000] }));
    expect(result.code).toBe(1);
    expect(result.out).toContain('FAIL linux/arm64: 50.0 MB (limit 50.0 MB)');
    expect(result.out).toContain('ok   linux/amd64');
  });

  it('takes the limit as an argument and fails on an empty layout', async () => {
    expect((await check(await layout({ amd64: [30_000_000], arm64: [30_000_000] }), '25000000')).code).toBe(
      1,
    );
    const empty = await mkdtemp(join(tmpdir(), 'eco-oci-'));
    temps.push(empty);
    await writeFile(join(empty, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [] }));
    expect((await check(empty)).code).toBe(1);
  });
});

describe('templates/', () => {
  it('the Dockerfile: -dev build stage, code cache written on the runtime base, Wolfi runtime with only the bundle, uid 65532, port 8080, node entrypoint', async () => {
    const dockerfile = await readFile(join(ROOT, 'templates/eco-node/Dockerfile'), 'utf8');
    const froms = [...dockerfile.matchAll(/^FROM (\S+)(?: AS (\w+))?/gm)].map((m) => [m[1], m[2]]);
    expect(froms).toEqual([
      ['cgr.dev/chainguard/node:latest-dev', 'build'],
      ['${BASE}', 'cache'],
      ['${BASE}', undefined],
    ]);
    // The cache is written by the runtime's node with the runtime's flags (V8 refuses any other).
    const cache = dockerfile.slice(dockerfile.indexOf('AS cache'), dockerfile.lastIndexOf('FROM ${BASE}'));
    expect(cache).toContain('ENV NODE_OPTIONS=${ECO_NODE_OPTIONS}');
    expect(cache).toContain('RUN ["/usr/bin/node", "/app/start.cjs", "--write-code-cache"]');
    expect(dockerfile).toContain('ARG BASE=cgr.dev/chainguard/node:latest');
    expect(dockerfile).toMatch(/RUN npm ci/);
    expect(dockerfile).toMatch(/npm run build/);
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('FROM ${BASE}'));
    expect([...runtime.matchAll(/^COPY .*$/gm)].map((m) => m[0])).toEqual([
      'COPY --from=cache --chmod=0444 /app/index.cjs /app/start.cjs /app/index.cjs.cache /app/',
    ]);
    expect(runtime).toContain('ENV NODE_OPTIONS=${ECO_NODE_OPTIONS}');
    expect(runtime).toContain('USER 65532:65532');
    expect(runtime).toContain('EXPOSE 8080');
    expect(runtime).toContain('ENTRYPOINT ["/usr/bin/node"]');
    expect(runtime).toContain('CMD ["/app/start.cjs"]');
    expect(dockerfile.toLowerCase()).not.toContain('watchdog');
  });

  it('template.yml has only LanguageTemplate keys and no fprocess', async () => {
    const template = parse(await readFile(join(ROOT, 'templates/eco-node/template.yml'), 'utf8')) as Record<
      string,
      unknown
    >;
    const allowed = [
      'language',
      'fprocess',
      'build_options',
      'welcome_message',
      'handler_folder',
      'mount_ssh',
    ];
    expect(Object.keys(template).filter((k) => !allowed.includes(k))).toEqual([]);
    expect(template['language']).toBe('eco-node');
    expect(template).not.toHaveProperty('fprocess');
  });

  it('the apko base: Wolfi, nodejs-24-minimal, CA bundle, runs as 65532, both architectures', async () => {
    const apko = parse(await readFile(join(ROOT, 'templates/eco-base.yaml'), 'utf8')) as Loose;
    expect(apko['contents'].repositories).toEqual(['https://packages.wolfi.dev/os']);
    expect(apko['contents'].packages).toEqual(
      expect.arrayContaining(['nodejs-24-minimal', 'ca-certificates-bundle']),
    );
    expect(apko['accounts']['run-as']).toBe('65532');
    expect(apko['accounts'].users).toContainEqual(expect.objectContaining({ uid: 65532 }));
    expect(apko['entrypoint']).toEqual({ command: '/usr/bin/node' });
    expect(apko['archs']).toEqual(['x86_64', 'aarch64']);
  });

  it('the images workflow builds every bot and group for amd64 and arm64 and gates on the size check', () => {
    const [workflow] = docsOf(generateAll(FIXTURE_FLEET), '.github/workflows/images.yml');
    const job = (workflow?.['jobs'] as Record<string, Loose>)['image'];
    const images = (job?.['strategy'].matrix.include as { image: string }[]).map((m) => m.image);
    expect(images).toEqual(
      expect.arrayContaining([...FIXTURE_FLEET.bots.map((b) => b.name), 'eco-maintenance']),
    );
    const steps = JSON.stringify(job?.['steps']);
    expect(steps).toContain('--platform linux/amd64,linux/arm64');
    expect(steps).toContain('node templates/check-image-size.mjs oci');
    expect(job?.['env'].IMAGE_LIMIT_BYTES).toBe('50000000');
    expect(steps).toContain('--build-arg BASE=\\"$BASE\\"');
    const base = (workflow?.['jobs'] as Record<string, Loose>)['base'];
    expect(JSON.stringify(base?.['steps'])).toContain('apko publish templates/eco-base.yaml');
  });
});
