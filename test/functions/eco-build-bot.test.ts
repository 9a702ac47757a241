// eco-build-bot with its own RBAC token against the emulator (no Job controller there, so the test
// plays the controller: it completes the Job and its pod), and a real registry for the built image's
// size. The Job the bot creates is validated with kubernetes-models.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import bot from '../../functions/eco-build-bot/handler.ts';
import type { KubeObject } from '../../shared/k8s/types.ts';
import { startBotHarness, type BotHarness } from '../helpers/k8s-harness.ts';
import { buildImageLayout, startRegistry, type BuiltImage, type TestRegistry } from '../helpers/registry.ts';

const NOW = new Date('2026-06-01T12:00:00Z');
const JOBS = { group: 'batch', plural: 'jobs' };
const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'eco-builds', uid: 'ns-b' } };

let harness: BotHarness | undefined;
let registry: TestRegistry;
let layout: string;
let images: Record<string, BuiltImage>;

beforeAll(async () => {
  layout = await mkdtemp(path.join(tmpdir(), 'eco-build-bot-'));
  images = await buildImageLayout(layout, [
    { tag: 'app', platforms: [{ layers: [4_000, 1_000] }, { architecture: 'arm64', layers: [3_000] }] },
  ]);
  registry = await startRegistry();
  await registry.push(layout, 'app', 'team/app', '1.4.0');
});
afterAll(async () => {
  await registry?.stop();
  await rm(layout, { recursive: true, force: true });
});
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const request = () => ({
  context: 'https://git.example.com/team/app.git#main',
  image: `${registry.host}/team/app:1.4.0`,
});

describe('eco-build-bot', () => {
  it('dry-run: the Job is validated by the server and not created', async () => {
    harness = await startBotHarness(bot, { objects: [ns], now: () => NOW });
    const report = await harness.run(request());
    expect(report.errors).toEqual([]);
    expect(report.data).toMatchObject({ state: 'planned', namespace: 'eco-builds' });
    expect(report.actions).toMatchObject([
      { verb: 'create', status: 'planned', object: { kind: 'Job', namespace: 'eco-builds' } },
    ]);
    expect(harness.emulator.store.list(JOBS)).toEqual([]);
  });

  it('apply: creates a valid rootless BuildKit Job, follows it to success and reports digest and size', async () => {
    const env = {
      ECO_MODE: 'apply',
      ECO_BUILD_WAIT: '0s',
      ECO_BUILD_INSECURE_REGISTRIES: registry.host,
      ECO_REGISTRY_URL: registry.url,
    };
    harness = await startBotHarness(bot, { objects: [ns], now: () => NOW, env });
    const started = await harness.run(request());
    expect(started.errors).toEqual([]);
    expect(started.data).toMatchObject({ state: 'running' });
    const name = started.data?.job as string;
    const [stored] = harness.emulator.store.list<
      KubeObject & { spec: { template: { spec: { containers: { command: string[] }[] } } } }
    >(JOBS);
    expect(stored?.metadata.name).toBe(name);
    expect(() => new Job(stored as unknown as ConstructorParameters<typeof Job>[0]).validate()).not.toThrow();
    expect(stored?.spec.template.spec.containers[0]?.command[2]).toContain(
      `name=${registry.host}/team/app:1.4.0,push=true,registry.insecure=true`,
    );

    // The Job controller and the kubelet, played by the test: the build pushed the index.
    const digest = images.app!.digest;
    harness.emulator.store.put({
      ...stored!,
      status: { succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] },
    });
    harness.emulator.store.put({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `${name}-x7k2p`,
        namespace: 'eco-builds',
        labels: { 'eco.bsw-arch/build': name, 'job-name': name },
      },
      spec: { containers: [{ name: 'buildkit', image: 'moby/buildkit' }], restartPolicy: 'Never' },
      status: {
        phase: 'Succeeded',
        containerStatuses: [
          {
            name: 'buildkit',
            ready: false,
            restartCount: 0,
            image: 'moby/buildkit',
            imageID: '',
            state: {
              terminated: {
                exitCode: 0,
                reason: 'Completed',
                message: JSON.stringify({ 'containerimage.digest': digest }),
              },
            },
          },
        ],
      },
    });
    const done = await harness.run({ job: name });
    expect(done.errors).toEqual([]);
    expect(done.data).toMatchObject({
      state: 'succeeded',
      digest,
      compressedBytes: Math.max(...images.app!.platforms.map((p) => p.compressedSize)),
    });
    expect(done.summary).toBe(
      `built ${registry.host}/team/app:1.4.0@${digest} (${(Math.max(...images.app!.platforms.map((p) => p.compressedSize)) / 1e6).toFixed(1)} MB)`,
    );
  });

  it('a failed build is a finding on its Job, also from a plain {} run', async () => {
    harness = await startBotHarness(bot, {
      objects: [ns],
      now: () => NOW,
      env: { ECO_MODE: 'apply', ECO_BUILD_WAIT: '0s' },
    });
    const started = await harness.run({
      context: 'configmap:app-src',
      image: 'registry.example.com/team/app:2.0.0',
    });
    const [stored] = harness.emulator.store.list(JOBS);
    harness.emulator.store.put({
      ...stored!,
      status: {
        failed: 1,
        conditions: [
          {
            type: 'Failed',
            status: 'True',
            reason: 'BackoffLimitExceeded',
            message: 'Job has reached the specified backoff limit',
          },
        ],
      },
    });
    const report = await harness.run({});
    expect(report.summary).toBe('builds in eco-builds: 0 running, 0 succeeded, 1 failed');
    expect(report.findings).toMatchObject([
      {
        check: 'build.failed',
        object: { kind: 'Job', namespace: 'eco-builds', name: started.data?.job },
        message: expect.stringContaining('backoff limit'),
      },
    ]);
  });

  it('a bad request is a 400 naming the field', async () => {
    harness = await startBotHarness(bot, { objects: [ns], now: () => NOW });
    await expect(harness.run({ context: '/etc', image: 'r.example/a:1' })).rejects.toMatchObject({
      status: 400,
      issues: [{ path: '/context' }],
    });
    await expect(harness.run({ context: 'configmap:src', image: 'app:1' })).rejects.toThrow(/image/);
    await expect(harness.run({ context: 'configmap:src' })).rejects.toThrow(/image: required/);
  });
});
