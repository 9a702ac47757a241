import { describe, expect, it } from 'vitest';
import { TEST_BINARIES } from '../../scripts/test-deps/binaries.ts';
import type { TestBinary } from '../../scripts/test-deps/binaries.ts';
import { manualCommand, packagesFor, plan } from '../../scripts/test-deps/plan.ts';

const LIST: readonly TestBinary[] = [
  { binary: 'prometheus', debianPackage: 'prometheus' },
  { binary: 'promtool', debianPackage: 'prometheus' },
  { binary: 'amtool', debianPackage: 'prometheus-alertmanager' },
  { binary: 'kubectl', debianPackage: 'kubernetes-client' },
  { binary: 'dnsmasq', debianPackage: 'dnsmasq-base' },
];

/** A machine where exactly these binaries exist. */
function having(...present: string[]): (binary: string) => boolean {
  return (binary) => present.includes(binary);
}

const ROOT_DEBIAN = { root: true, aptGet: true };

describe('npm test pre-test step: what is missing -> what to do', () => {
  it('does nothing when every binary is there', () => {
    const all = LIST.map((entry) => entry.binary);
    expect(plan(LIST, having(...all), ROOT_DEBIAN)).toEqual({ action: 'ready' });
  });

  it('as root with apt-get: apt-get update once, then one install of the missing packages', () => {
    const decision = plan(LIST, having('prometheus', 'amtool'), ROOT_DEBIAN);
    expect(decision.action).toBe('install');
    if (decision.action !== 'install') return;
    // promtool's package is prometheus (installed or not, it is named once); kubectl's is kubernetes-client.
    expect(decision.packages).toEqual(['dnsmasq-base', 'kubernetes-client', 'prometheus']);
    expect(decision.commands).toHaveLength(2);
    const [update, install] = decision.commands;
    expect(update).toContain('update');
    expect(update).not.toContain('install');
    expect(install?.slice(-4)).toEqual([
      '--no-install-recommends',
      'dnsmasq-base',
      'kubernetes-client',
      'prometheus',
    ]);
    expect(install).toContain('-y');
    expect(install?.[0]).toBe('apt-get');
  });

  it('names a package once when several of its binaries are missing', () => {
    expect(packagesFor(LIST.slice(0, 2))).toEqual(['prometheus']);
  });

  it('not root: stops with one line naming the exact sudo command', () => {
    const decision = plan(LIST, having('prometheus', 'promtool', 'kubectl', 'dnsmasq'), {
      root: false,
      aptGet: true,
    });
    expect(decision.action).toBe('stop');
    if (decision.action !== 'stop') return;
    expect(decision.message).not.toContain('\n');
    expect(decision.message).toContain('amtool');
    expect(decision.message).toContain(
      '`sudo apt-get update && sudo apt-get install -y --no-install-recommends prometheus-alertmanager`',
    );
  });

  it('no apt-get: stops with the Debian command and says why', () => {
    const decision = plan(LIST, having(), { root: true, aptGet: false });
    expect(decision.action).toBe('stop');
    if (decision.action !== 'stop') return;
    expect(decision.message).not.toContain('\n');
    expect(decision.message).toContain(
      `\`${manualCommand(['dnsmasq-base', 'kubernetes-client', 'prometheus', 'prometheus-alertmanager'], true)}\``,
    );
    expect(decision.message).toMatch(/no apt-get/);
  });
});

describe('the one list of test binaries', () => {
  it("does not install Debian's `loki` (a genetics program, not Grafana Loki)", () => {
    expect(TEST_BINARIES.map((entry) => entry.debianPackage)).not.toContain('loki');
  });

  it('names each binary once', () => {
    const names = TEST_BINARIES.map((entry) => entry.binary);
    expect(new Set(names).size).toBe(names.length);
  });

  it('holds the programs the tests and the other engineers need', () => {
    const packages = new Set(TEST_BINARIES.map((entry) => entry.debianPackage));
    for (const pkg of [
      'prometheus',
      'prometheus-alertmanager',
      'chromium',
      'kubernetes-client',
      'prometheus-pushgateway',
      'docker-registry',
      'skopeo',
      'dnsmasq-base',
    ])
      expect(packages).toContain(pkg);
  });
});
