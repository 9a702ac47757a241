// Maintenance windows and freezes in the rails: outside a window, inside a freeze, or while a
// matching alert fires, disruptive actions are skipped with the reason; everything else goes on.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { Logger } from '../../../shared/log/types.ts';
import { resources } from '../../../shared/k8s/resources.ts';
import type { KubeObject } from '../../../shared/k8s/types.ts';
import { createSafetyRails, isDisruptive } from '../../../shared/safety/rails.ts';
import {
  inWindow,
  maintenanceBlock,
  namespacePolicy,
  parsePolicy,
  parseWindow,
} from '../../../shared/safety/windows.ts';
import { FakeK8s } from './fake-k8s.ts';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

describe('window syntax and time zones', () => {
  it.each([
    ['Sat,Sun 02:00-05:00 Europe/Berlin', '2026-06-06T01:30:00Z', true], // Sat 03:30 CEST
    ['Sat,Sun 02:00-05:00 Europe/Berlin', '2026-06-06T03:30:00Z', false], // Sat 05:30 CEST
    ['Sat,Sun 02:00-05:00 Europe/Berlin', '2026-06-05T01:30:00Z', false], // Fri
    ['Mon-Fri 22:00-04:00 UTC', '2026-06-05T23:00:00Z', true], // Fri 23:00
    ['Mon-Fri 22:00-04:00 UTC', '2026-06-06T02:00:00Z', true], // Sat 02:00, opened Fri
    ['Mon-Fri 22:00-04:00 UTC', '2026-06-07T02:00:00Z', false], // Sun 02:00, Sat did not open
    ['02:00-04:00', '2026-06-03T03:59:00Z', true],
    ['02:00-04:00', '2026-06-03T04:00:00Z', false],
  ])('%s at %s: %s', (spec, at, open) => {
    expect(inWindow(parseWindow(spec), new Date(at))).toBe(open);
  });

  it('refuses what it cannot read, naming it', () => {
    expect(() => parseWindow('Someday 02:00-04:00')).toThrow(/"someday" is not a day/);
    expect(() => parseWindow('Sat 02:00-04:00 Mars/Base')).toThrow(/"Mars\/Base" is not a time zone/);
    expect(() => parseWindow('Sat early')).toThrow(/no HH:MM-HH:MM/);
    expect(() => parsePolicy('{"freezes":[{"until":"soon"}]}')).toThrow(/freezes\[0\]: until/);
  });

  it('a freeze wins over an open window; a namespace window replaces the cluster one', () => {
    const cluster = parsePolicy(
      JSON.stringify({
        windows: [{ days: 'Mon-Fri', start: '09:00', end: '17:00', timezone: 'UTC' }],
        freezes: [{ from: '2026-12-20T00:00:00Z', until: '2027-01-04T00:00:00Z', reason: 'year end' }],
      }),
    );
    expect(maintenanceBlock(cluster, {}, new Date('2026-06-03T10:00:00Z'))).toBeUndefined();
    expect(maintenanceBlock(cluster, {}, new Date('2026-06-03T18:00:00Z'))).toMatch(
      /^outside-maintenance-window/,
    );
    expect(maintenanceBlock(cluster, {}, new Date('2026-12-22T10:00:00Z'))).toMatch(/^freeze: year end/);
    const ns = namespacePolicy({
      'eco.bsw-arch.org/maintenance-window': 'daily 00:00-24:00 UTC'.replace('daily ', ''),
    });
    expect(maintenanceBlock(cluster, ns, new Date('2026-06-03T18:00:00Z'))).toBeUndefined();
    const frozen = namespacePolicy({
      'eco.bsw-arch.org/freeze-until': '2026-06-10T00:00:00Z',
      'eco.bsw-arch.org/freeze-reason': 'launch',
    });
    expect(maintenanceBlock(cluster, frozen, new Date('2026-06-03T10:00:00Z'))).toMatch(/^freeze: launch/);
  });

  it('classifies disruptive actions', () => {
    const pod = (phase: string): KubeObject => ({ kind: 'Pod', metadata: { name: 'p' }, status: { phase } });
    expect(isDisruptive('evict', pod('Running'))).toBe(true);
    expect(isDisruptive('delete', pod('Running'))).toBe(true);
    expect(isDisruptive('delete', pod('Failed'))).toBe(false);
    expect(isDisruptive('delete', { kind: 'Job', metadata: { name: 'j' } })).toBe(false);
    expect(isDisruptive('delete', { kind: 'Deployment', metadata: { name: 'd' } })).toBe(true);
    expect(isDisruptive('patch', { kind: 'Deployment', metadata: { name: 'd' } })).toBe(false);
    expect(isDisruptive('patch', { kind: 'Deployment', metadata: { name: 'd' } }, { disruptive: true })).toBe(
      true,
    );
    expect(isDisruptive('cordon', { kind: 'Node', metadata: { name: 'n' } })).toBe(true);
  });
});

describe('the rails honour windows, freezes and blocking alerts', () => {
  const NOW = new Date('2026-06-03T18:00:00Z'); // Wednesday evening UTC
  function setup(policy: object | undefined, env: Record<string, string> = {}) {
    const k8s = new FakeK8s();
    k8s.put(resources.namespaces, { metadata: { name: 'team-a' } });
    if (policy !== undefined)
      k8s.put(resources.configmaps, {
        metadata: { name: 'eco-maintenance', namespace: 'eco-bots' },
        data: { policy: JSON.stringify(policy) },
      });
    const rails = createSafetyRails({
      bot: 'eco-test-bot',
      k8s,
      mode: 'apply',
      env: { ECO_MODE: 'apply', ...env },
      log: silent,
      now: () => NOW,
    });
    const running = k8s.put(resources.pods, {
      metadata: { name: 'web', namespace: 'team-a' },
      status: { phase: 'Running' },
    });
    const failed = k8s.put(resources.pods, {
      metadata: { name: 'old', namespace: 'team-a' },
      status: { phase: 'Failed' },
    });
    return { k8s, rails, running, failed };
  }

  it('without a policy, acts any time', async () => {
    const { rails, running } = setup(undefined);
    expect((await rails.delete(resources.pods, running, 'r')).status).toBe('applied');
  });

  it('outside the window: skips the disruptive delete with the reason, still deletes a failed pod', async () => {
    const { k8s, rails, running, failed } = setup({ windows: [{ start: '02:00', end: '04:00' }] });
    const blocked = await rails.delete(resources.pods, running, 'r');
    expect(blocked).toMatchObject({ status: 'skipped' });
    expect(blocked.reason).toMatch(/^outside-maintenance-window: next allowed daily 02:00-04:00 UTC/);
    expect((await rails.delete(resources.pods, failed, 'r')).status).toBe('applied');
    expect(k8s.calls.filter((c) => c.verb === 'delete').map((c) => c.name)).toEqual(['old']);
    expect(rails.budget().used).toBe(1);
  });

  it('in a freeze: skipped with the freeze reason, in dry-run too', async () => {
    const { rails, running } = setup({ freezes: [{ until: '2026-07-01T00:00:00Z', reason: 'launch week' }] });
    expect((await rails.restart(resources.pods, running, 'r')).reason).toMatch(/^freeze: launch week/);
  });

  it('an unreadable or invalid policy blocks disruptive actions (fail safe)', async () => {
    const { k8s, rails, running } = setup(undefined);
    k8s.forbidden.add('configmaps');
    expect((await rails.evict(running, 'r')).reason).toMatch(
      /^maintenance-blocked: maintenance policy unreadable/,
    );
    const bad = setup({ windows: [{ start: 'noon', end: '04:00' }] });
    expect((await bad.rails.evict(bad.running, 'r')).reason).toMatch(
      /maintenance policy invalid.*windows\[0\]/,
    );
  });

  it('a firing alert matching ECO_MAINTENANCE_ALERT_FILTER blocks; other alerts do not', async () => {
    const server = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          status: 'success',
          data: {
            alerts: [
              { labels: { alertname: 'KubeNodeNotReady' }, state: 'firing' },
              { labels: { alertname: 'Watchdog' }, state: 'firing' },
              { labels: { alertname: 'KubeNodeUnreachable' }, state: 'pending' },
            ],
          },
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const hit = setup(undefined, { PROMETHEUS_URL: url, ECO_MAINTENANCE_ALERT_FILTER: '^KubeNode' });
      expect((await hit.rails.evict(hit.running, 'r')).reason).toBe(
        'blocked-by-alert: KubeNodeNotReady firing',
      );
      const miss = setup(undefined, { PROMETHEUS_URL: url, ECO_MAINTENANCE_ALERT_FILTER: '^Disk' });
      expect((await miss.rails.delete(resources.pods, miss.running, 'r')).status).toBe('applied');
    } finally {
      server.close();
    }
  });
});
