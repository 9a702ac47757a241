import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import bot from '../../functions/eco-ingress-bot/handler.ts';
import { CHECKS, type Snap, type TlsSecret } from '../../functions/eco-ingress-bot/checks.ts';
import { inspectSecret } from '../../functions/eco-ingress-bot/secrets.ts';
import type { KubeObject } from '../../shared/k8s/types.ts';
import { startBotHarness, type BotHarness } from '../helpers/k8s-harness.ts';
import { ingress, ns, snapshotOf, svc } from './network/objects.ts';
import { createPki, tlsSecret, type Pki } from './network/pki.ts';

// Real time: openssl issues the certificates relative to it.
const NOW = new Date();
const DAY = 86_400_000;
const days = (n: number): Date => new Date(NOW.getTime() + n * DAY);
const settings = { renewDays: 30, criticalDays: 7 };

let pki: Pki;
const secrets: Record<string, KubeObject> = {};
beforeAll(() => {
  pki = createPki();
  const chain = (leaf: string): string => `${leaf}${pki.intermediatePem}`;
  const leaf = (cn: string, dnsNames: string[], from: number, to: number) =>
    pki.issue({ cn, dnsNames, notBefore: days(from), notAfter: days(to) });
  const good = leaf('shop.example.test', ['shop.example.test'], -10, 80);
  secrets['good'] = tlsSecret('web', 'good', chain(good.certPem), good.keyPem);
  const wildcard = leaf('*.apps.example.test', ['*.apps.example.test'], -10, 80);
  secrets['wildcard'] = tlsSecret('web', 'wildcard', chain(wildcard.certPem), wildcard.keyPem);
  const other = leaf('other.example.test', ['other.example.test'], -10, 80);
  secrets['mismatch'] = tlsSecret('web', 'mismatch', chain(other.certPem), other.keyPem);
  const expired = leaf('old.example.test', ['old.example.test'], -400, -3);
  secrets['expired'] = tlsSecret('web', 'expired', chain(expired.certPem), expired.keyPem);
  const expiring = leaf('soon.example.test', ['soon.example.test'], -80, 10);
  secrets['expiring'] = tlsSecret('web', 'expiring', chain(expiring.certPem), expiring.keyPem);
  const critical = leaf('sooner.example.test', ['sooner.example.test'], -87, 3);
  secrets['critical'] = tlsSecret('web', 'critical', chain(critical.certPem), critical.keyPem);
  // A 9-day certificate 4 days in: inside 30 days but not yet at two thirds of its life.
  const short = leaf('short.example.test', ['short.example.test'], -4, 5);
  secrets['short'] = tlsSecret('web', 'short', chain(short.certPem), short.keyPem);
  secrets['reversed'] = tlsSecret('web', 'reversed', `${pki.intermediatePem}${good.certPem}`, good.keyPem);
  secrets['stranger'] = tlsSecret('web', 'stranger', `${good.certPem}${pki.strangerPem}`, good.keyPem);
  secrets['opaque'] = tlsSecret('web', 'opaque', good.certPem, good.keyPem, 'Opaque');
  secrets['garbage'] = tlsSecret('web', 'garbage', 'not a certificate', good.keyPem);
});
afterAll(() => pki?.close());

function snap(ingresses: KubeObject[], tlsNames: string[] = [], services: KubeObject[] = []): Snap {
  const tls = new Map<string, TlsSecret>(
    tlsNames.map((n) => [`web/${n}`, secrets[n] ? inspectSecret(secrets[n]) : { state: 'missing' }]),
  );
  return { ...(snapshotOf({ ingresses, services }) as unknown as Snap), tls };
}
function run(
  id: string,
  s: Snap,
): { name: string; d?: string; severity?: string; evidence?: Record<string, unknown>; message: string }[] {
  const c = CHECKS.find((x) => x.id === id);
  if (!c) throw new Error(id);
  return [...c.run(s, settings, NOW)].map((r) => ({
    name:
      (r.object as { name?: string; metadata?: { name: string } }).name ??
      (r.object as KubeObject).metadata.name,
    ...(r.discriminator ? { d: r.discriminator } : {}),
    ...(r.severity ? { severity: r.severity } : {}),
    ...(r.evidence ? { evidence: r.evidence } : {}),
    message: r.message,
  }));
}
const tlsIngress = (name: string, host: string, secret: string): KubeObject =>
  ingress('web', name, {
    rules: [{ host, paths: [{ service: 'web', port: 80 }] }],
    tls: [{ hosts: [host], secretName: secret }],
  });

describe('backends (Popeye 1401 missing Service, 1402 missing port; kube-score ingress-targets-service)', () => {
  const services = [svc('web', 'web', { ports: [{ port: 80, name: 'http' }] })];
  it.each([
    ['existing Service and port number', 'web', 80, []],
    ['existing Service and port name', 'web', 'http', []],
    ['missing Service (1401)', 'gone', 80, ['ingress.missing-service']],
    ['missing port number (1402)', 'web', 8080, ['ingress.missing-port']],
    ['missing port name (1402)', 'web', 'grpc', ['ingress.missing-port']],
  ])('%s', (_t, service, port, expected) => {
    const s = snap(
      [ingress('web', 'i', { rules: [{ host: 'a.test', paths: [{ service, port }] }] })],
      [],
      services,
    );
    const got = ['ingress.missing-service', 'ingress.missing-port'].filter((id) => run(id, s).length > 0);
    expect(got).toEqual(expected);
  });
});

describe('Popeye 1400 (LB port error) and 1404 (invalid backend)', () => {
  it('reports a port error in the load balancer status and a backend without a port', () => {
    const withError = {
      ...ingress('web', 'err', { rules: [{ host: 'a.test', paths: [{ service: 'web', port: 80 }] }] }),
      status: {
        loadBalancer: {
          ingress: [
            { ip: '203.0.113.5', ports: [{ port: 443, protocol: 'TCP', error: 'ConnectionRefused' }] },
          ],
        },
      },
    } as KubeObject;
    const noPort = ingress('web', 'noport', {
      rules: [{ host: 'b.test', paths: [{ service: 'web', port: 80 }] }],
    });
    const rule = (
      noPort['spec'] as { rules: { http: { paths: { backend: { service: Record<string, unknown> } }[] } }[] }
    ).rules[0]?.http.paths[0]?.backend.service as Record<string, unknown>;
    delete rule['port'];
    const s = snap([withError, noPort], [], [svc('web', 'web', { ports: [{ port: 80 }] })]);
    expect(run('ingress.lb-error', s).map((r) => [r.name, r.evidence?.['error']])).toEqual([
      ['err', 'ConnectionRefused'],
    ]);
    expect(run('ingress.invalid-backend', s).map((r) => [r.name, r.d])).toEqual([
      ['noport', 'rules[0].http.paths[0]'],
    ]);
  });
});

describe('ingress.duplicate-path (unique host+path)', () => {
  it('reports each Ingress of one class sharing host and path, not another class or path', () => {
    const rule = (path: string) => [{ host: 'a.test', paths: [{ path, service: 'web', port: 80 }] }];
    const s = snap([
      ingress('web', 'one', { rules: rule('/') }),
      ingress('web', 'two', { rules: rule('/') }),
      ingress('web', 'other-class', { rules: rule('/'), className: 'traefik' }),
      ingress('web', 'other-path', { rules: rule('/api') }),
    ]);
    expect(run('ingress.duplicate-path', s).map((r) => r.name)).toEqual(['one', 'two']);
  });
});

describe('TLS Secrets and X.509 certificates (openssl-issued, parsed with X509Certificate)', () => {
  it.each([
    ['a valid chained certificate for its host', 'shop.example.test', 'good', []],
    ['a wildcard covering one label', 'api.apps.example.test', 'wildcard', []],
    [
      'a wildcard does not cover two labels (RFC 6125)',
      'a.b.apps.example.test',
      'wildcard',
      ['ingress.cert-host-mismatch'],
    ],
    ['a SAN mismatch', 'shop.example.test', 'mismatch', ['ingress.cert-host-mismatch']],
    [
      'an expired certificate (cert-manager / k8s-cleaner)',
      'old.example.test',
      'expired',
      ['ingress.cert-expired'],
    ],
    [
      '10 days left of 90: inside the 30-day renewal window',
      'soon.example.test',
      'expiring',
      ['ingress.cert-expiring'],
    ],
    ['5 days left of 9: not yet at two thirds of its life', 'short.example.test', 'short', []],
    // The first certificate is what the server presents as its own: here the intermediate.
    [
      'intermediate before the leaf',
      'shop.example.test',
      'reversed',
      ['ingress.cert-host-mismatch', 'ingress.cert-chain-broken'],
    ],
    ['an intermediate of another chain', 'shop.example.test', 'stranger', ['ingress.cert-chain-broken']],
    ['a Secret of type Opaque', 'shop.example.test', 'opaque', ['ingress.tls-secret-invalid']],
    ['tls.crt that is not PEM', 'shop.example.test', 'garbage', ['ingress.tls-secret-invalid']],
    ['a Secret that does not exist', 'shop.example.test', 'nowhere', ['ingress.tls-secret-missing']],
  ])('%s', (_t, host, secret, expected) => {
    const s = snap([tlsIngress('i', host, secret)], [secret]);
    const got = CHECKS.map((c) => c.id).filter(
      (id) => id !== 'ingress.missing-service' && run(id, s).length > 0,
    );
    expect(got).toEqual(expected);
  });
  it('carries the numbers: expired days, remaining days, window and severity', () => {
    const [expired] = run(
      'ingress.cert-expired',
      snap([tlsIngress('i', 'old.example.test', 'expired')], ['expired']),
    );
    expect(expired?.evidence).toMatchObject({ expiredDays: 3 });
    const [soon] = run(
      'ingress.cert-expiring',
      snap([tlsIngress('i', 'soon.example.test', 'expiring')], ['expiring']),
    );
    expect(soon).toMatchObject({
      severity: 'warning',
      evidence: { remainingDays: 10, windowDays: 30, lifetimeDays: 90 },
    });
    const [critical] = run(
      'ingress.cert-expiring',
      snap([tlsIngress('i', 'sooner.example.test', 'critical')], ['critical']),
    );
    expect(critical?.severity).toBe('critical');
    const [mismatch] = run(
      'ingress.cert-host-mismatch',
      snap([tlsIngress('i', 'shop.example.test', 'mismatch')], ['mismatch']),
    );
    expect(mismatch?.evidence).toMatchObject({ host: 'shop.example.test', dnsNames: ['other.example.test'] });
  });
});

let harness: BotHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('eco-ingress-bot through the API with its own RBAC (get on named Secrets only)', () => {
  it('reads the referenced Secrets and reports on the Secret objects', async () => {
    harness = await startBotHarness(bot, {
      now: () => NOW,
      objects: [
        ns('web'),
        svc('web', 'web', { ports: [{ port: 80 }] }),
        secrets['good'] as KubeObject,
        secrets['expired'] as KubeObject,
        tlsIngress('shop', 'shop.example.test', 'good'),
        tlsIngress('old', 'old.example.test', 'expired'),
        tlsIngress('broken', 'x.example.test', 'absent'),
      ],
    });
    const report = await harness.run({});
    expect(report.errors).toEqual([]);
    expect(report.findings.map((f) => `${f.check} ${f.object.kind}/${f.object.name}`).sort()).toEqual([
      'ingress.cert-expired Secret/expired',
      'ingress.tls-secret-missing Ingress/broken',
    ]);
    expect(harness.emulator.requests.filter((r) => r.status === 403)).toEqual([]);
    expect(harness.emulator.requests.some((r) => r.method === 'GET' && /\/secrets$/.test(r.path))).toBe(
      false,
    );
  });
});
