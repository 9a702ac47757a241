#!/usr/bin/env node
// Fails when any platform image in an OCI layout is over the size limit.
// Usage: node templates/check-image-size.mjs <oci-layout-dir> [limit-bytes=50000000]
// Size = config + compressed layers of each platform manifest: what a registry stores and a node pulls
// (buildx attestation manifests are skipped). Used by .github/workflows/images.yml.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const INDEX_TYPES = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);

function blob(dir, digest) {
  const [algorithm, hex] = String(digest).split(':');
  if (!algorithm || !hex || !/^[a-f0-9]+$/.test(hex)) throw new Error(`bad digest ${digest}`);
  return JSON.parse(readFileSync(join(dir, 'blobs', algorithm, hex), 'utf8'));
}

function platformName(descriptor) {
  const p = descriptor.platform;
  return p ? [p.os, p.architecture, p.variant].filter(Boolean).join('/') : 'unknown';
}

/** Every platform image below a descriptor, with its size. */
export function imageSizes(dir) {
  const out = [];
  const visit = (descriptor) => {
    if (descriptor.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest') return;
    const doc = blob(dir, descriptor.digest);
    if (INDEX_TYPES.has(descriptor.mediaType) || Array.isArray(doc.manifests)) {
      for (const child of doc.manifests ?? []) visit(child);
      return;
    }
    const layers = (doc.layers ?? []).reduce((sum, layer) => sum + Number(layer.size ?? 0), 0);
    out.push({ platform: platformName(descriptor), bytes: layers + Number(doc.config?.size ?? 0) });
  };
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
  for (const descriptor of index.manifests ?? []) visit(descriptor);
  return out;
}

function main(argv) {
  const [dir, limitArg] = argv;
  if (!dir) {
    console.error('usage: check-image-size.mjs <oci-layout-dir> [limit-bytes]');
    return 2;
  }
  const limit = Number(limitArg ?? 50_000_000);
  const sizes = imageSizes(dir);
  if (sizes.length === 0) {
    console.error(`no image manifests found in ${dir}`);
    return 1;
  }
  let failed = false;
  for (const { platform, bytes } of sizes) {
    const over = bytes > limit;
    failed ||= over;
    console.log(
      `${over ? 'FAIL' : 'ok  '} ${platform}: ${(bytes / 1e6).toFixed(1)} MB (limit ${(limit / 1e6).toFixed(1)} MB)`,
    );
  }
  return failed ? 1 : 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href)
  process.exit(main(process.argv.slice(2)));
