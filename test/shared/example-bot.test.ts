// The docs' example bot (examples/eco-example-bot, embedded in README.md and docs/kit.md by
// `npm run generate`) is real: it runs against the emulator with its RBAC enforced.
import { afterEach, describe, expect, it } from 'vitest';
import bot, { restarts } from '../../examples/eco-example-bot/handler.ts';
import type { KubeObject } from '../../shared/k8s/types.ts';
import { startBotHarness, type BotHarness } from '../helpers/k8s-harness.ts';

const pod = (name: string, restartCount: number): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'shop' },
  spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
  status: { phase: 'Running', containerStatuses: [{ name: 'app', restartCount }] },
});

let harness: BotHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('the docs example bot', () => {
  it('reports containers over the restart threshold (Popeye POP-206), and only those', async () => {
    harness = await startBotHarness(bot, { objects: [pod('steady', 1), pod('flappy', 9)] });
    const report = await harness.run({});
    expect(report.errors).toEqual([]);
    expect(report.findings.map((f) => `${f.check} ${f.object.name}`)).toEqual(['example.restarts flappy']);
    expect(report.findings[0]?.evidence).toEqual({ restartCount: 9, threshold: 5 });
    const strict = await harness.run({}, { env: { ECO_EXAMPLE_MAX_RESTARTS: '0' } });
    expect(strict.findings).toHaveLength(2);
  });

  it('is a pure check over a snapshot', () => {
    const snap = { objects: { pods: [pod('a', 6)], namespaces: [] } } as unknown as Parameters<
      typeof restarts.run
    >[0];
    expect([...restarts.run(snap, { maxRestarts: 5 }, new Date())]).toHaveLength(1);
  });
});
