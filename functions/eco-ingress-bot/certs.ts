// Reading a TLS Secret's certificate bundle with node:crypto's X509Certificate: the leaf, the chain
// order, the effective expiry (the earliest notAfter in the bundle) and the hosts it covers.
import { X509Certificate } from 'node:crypto';

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

export interface CertBundle {
  certs: X509Certificate[];
  leaf: X509Certificate;
}

/** Every certificate of a PEM bundle, leaf first; throws a readable Error when there is none. */
export function parseBundle(pem: string): CertBundle {
  const blocks = pem.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) throw new Error('tls.crt holds no PEM certificate');
  const certs = blocks.map((b, i) => {
    try {
      return new X509Certificate(b);
    } catch (error) {
      throw new Error(`certificate ${i + 1} of tls.crt does not parse: ${(error as Error).message}`);
    }
  });
  return { certs, leaf: certs[0] as X509Certificate };
}

/** The DNS names of the leaf (SAN dNSName entries, else the subject CN as old clients read it). */
export function dnsNames(cert: X509Certificate): string[] {
  const san = cert.subjectAltName;
  if (san) {
    return san
      .split(/,\s*/)
      .filter((e) => e.startsWith('DNS:'))
      .map((e) => e.slice(4).replace(/^"|"$/g, ''));
  }
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(cert.subject)?.[1];
  return cn ? [cn] : [];
}

/** Whether the leaf is valid for the host (RFC 6125 rules, one-label wildcards), as TLS clients check. */
export function covers(cert: X509Certificate, host: string): boolean {
  return cert.checkHost(host, { subject: 'default', wildcards: true, partialWildcards: false }) !== undefined;
}

/**
 * The first link of the bundle that is not issued and signed by the next certificate (a wrong
 * order, or an intermediate of another chain); undefined when every link holds.
 */
export function brokenLink(
  bundle: CertBundle,
): { index: number; subject: string; issuer: string } | undefined {
  for (let i = 0; i + 1 < bundle.certs.length; i++) {
    const cert = bundle.certs[i] as X509Certificate;
    const next = bundle.certs[i + 1] as X509Certificate;
    if (!cert.checkIssued(next) || !cert.verify(next.publicKey))
      return { index: i, subject: cert.subject, issuer: next.subject };
  }
  return undefined;
}

/** The moment the bundle stops working: the earliest notAfter of its certificates. */
export function effectiveNotAfter(bundle: CertBundle): { at: Date; subject: string } {
  let earliest = bundle.leaf;
  for (const c of bundle.certs) if (new Date(c.validTo) < new Date(earliest.validTo)) earliest = c;
  return { at: new Date(earliest.validTo), subject: earliest.subject.replace(/\n/g, ', ') };
}
