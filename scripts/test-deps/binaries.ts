/**
 * Every program the tests start, and the Debian package that provides it. `npm test` checks these
 * first (scripts/test-deps.ts) and installs what is missing; a test that needs another program adds
 * one line here, nothing else.
 */
export interface TestBinary {
  /** The command the tests run, found on PATH (or in /usr/sbin, where Debian puts daemons). */
  binary: string;
  /** The Debian package that provides it. */
  debianPackage: string;
}

// Not Loki: Debian's `loki` package is a genetics program (MCMC linkage analysis) and Grafana Loki
// is not packaged; eco-log-bot's tests speak to a Loki push/query API stand-in (test/helpers/loki.ts).
export const TEST_BINARIES: readonly TestBinary[] = [
  { binary: 'prometheus', debianPackage: 'prometheus' },
  { binary: 'promtool', debianPackage: 'prometheus' },
  { binary: 'prometheus-alertmanager', debianPackage: 'prometheus-alertmanager' },
  { binary: 'amtool', debianPackage: 'prometheus-alertmanager' },
  { binary: 'prometheus-pushgateway', debianPackage: 'prometheus-pushgateway' },
  { binary: 'chromium', debianPackage: 'chromium' },
  { binary: 'kubectl', debianPackage: 'kubernetes-client' },
  { binary: 'docker-registry', debianPackage: 'docker-registry' },
  { binary: 'skopeo', debianPackage: 'skopeo' },
  // The registry tests' token server signs with a certificate openssl makes.
  { binary: 'openssl', debianPackage: 'openssl' },
  { binary: 'dnsmasq', debianPackage: 'dnsmasq-base' },
  { binary: 'git', debianPackage: 'git' },
];
