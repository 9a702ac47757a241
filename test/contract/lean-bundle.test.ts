// What the build leaves out of a bundle, and that the bundle still works without it: a bot that
// declares no RBAC has no cluster client; no bundle carries @opentelemetry/api or json-bigint.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAll } from '../../scripts/build.ts';
import { bots } from '../../functions/index.generated.ts';
import { post, startBundle } from './helpers.ts';

const CLUSTER_FREE = 'eco-trace-bot';
const CLUSTER_BOT = 'eco-namespace-bot';

describe('lean bundles', () => {
  let out: string;
  const text = new Map<string, string>();
  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'eco-lean-'));
    await buildAll({ only: [CLUSTER_FREE, CLUSTER_BOT], outDir: out });
    for (const name of [CLUSTER_FREE, CLUSTER_BOT])
      text.set(name, await readFile(join(out, 'functions', name, 'index.cjs'), 'utf8'));
  }, 120_000);
  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('leaves the cluster client out of a bot that declares no RBAC, and only there', () => {
    expect(bots.find((b) => b.name === CLUSTER_FREE)?.rbac).toEqual([]);
    expect(text.get(CLUSTER_FREE)).not.toContain('kubeconfig user uses');
    expect(text.get(CLUSTER_FREE)).toContain('declares no RBAC');
    expect(text.get(CLUSTER_BOT)).toContain('kubeconfig user uses');
    expect(text.get(CLUSTER_BOT)).not.toContain('declares no RBAC');
  });

  it('carries neither @opentelemetry/api nor json-bigint and bignumber.js', () => {
    for (const bundle of text.values()) {
      expect(bundle).not.toContain('opentelemetry.js.api');
      expect(bundle).not.toContain('BigNumber Error');
      expect(bundle).toContain('CE_USE_BIG_INT=true is not supported');
    }
  });

  it('still runs the cluster-free bot and serves metrics (prom-client without OpenTelemetry)', async () => {
    const bundle = await startBundle(join(out, 'functions', CLUSTER_FREE, 'index.cjs'), {
      env: { HOME: out },
    });
    try {
      const url = bundle.url;
      const run = await post(url, '{}', { 'content-type': 'application/json' });
      expect(run.status).toBe(200);
      expect(run.json).toMatchObject({ bot: CLUSTER_FREE });
      expect(JSON.stringify(run.json)).not.toContain('no cluster client');
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toContain('process_cpu_seconds_total');
      expect(await bundle.stop()).toBe(0);
    } finally {
      bundle.kill();
    }
  }, 60_000);
});
