// Real, parseable X.509 certificates for the demo cluster's TLS Secrets, built deterministically from
// `now`: node:crypto cannot issue certificates, so this encodes a minimal self-signed v3 certificate
// in DER by hand (subject CN, SAN dNSNames, validity) and signs it with a fixed demo Ed25519 key.
// Ed25519 signatures are deterministic, so the same `now` always gives the same PEM, and
// `new X509Certificate(pem).validTo` (or openssl) reads exactly the notAfter the demo planted.
import { createPrivateKey, createPublicKey, sign } from 'node:crypto';

/** A throwaway demo key (not a secret: it signs only demo certificates for example.com hosts). */
const DEMO_KEY_PEM = `-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIBZdbJyNrlBkCxHs7va4feE3ygsTi88M1Mg5PwvZn8e/
-----END PRIVATE KEY-----
`;

function len(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  while (n > 0) {
    bytes.unshift(n & 0xff);
    n >>= 8;
  }
  return [0x80 | bytes.length, ...bytes];
}

function tlv(tag: number, content: Uint8Array | number[]): Buffer {
  const c = Buffer.from(content);
  return Buffer.concat([Buffer.from([tag, ...len(c.length)]), c]);
}

const seq = (...parts: Buffer[]): Buffer => tlv(0x30, Buffer.concat(parts));
const set = (...parts: Buffer[]): Buffer => tlv(0x31, Buffer.concat(parts));

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number) as [number, number, ...number[]];
  const out = [40 * a + b];
  for (const n of rest) {
    const chunk: number[] = [n & 0x7f];
    let v = n >> 7;
    while (v > 0) {
      chunk.unshift(0x80 | (v & 0x7f));
      v >>= 7;
    }
    out.push(...chunk);
  }
  return tlv(0x06, out);
}

function time(d: Date): Buffer {
  const iso = d.toISOString();
  const year = d.getUTCFullYear();
  const body = `${iso.slice(2, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  // UTCTime through 2049, GeneralizedTime after (RFC 5280 4.1.2.5).
  return year < 2050 ? tlv(0x17, Buffer.from(body)) : tlv(0x18, Buffer.from(`${iso.slice(0, 2)}${body}`));
}

const name = (cn: string): Buffer => seq(set(seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from(cn)))));

export interface CertificateSpec {
  commonName: string;
  dnsNames: readonly string[];
  notBefore: Date;
  notAfter: Date;
  /** Positive serial number (deterministic per certificate). */
  serial: number;
}

/** A PEM certificate (self-signed, Ed25519) and the PEM of its demo private key. */
export function selfSignedCertificate(spec: CertificateSpec): { certPem: string; keyPem: string } {
  const key = createPrivateKey(DEMO_KEY_PEM);
  const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const alg = seq(oid('1.3.101.112'));
  const serialBytes: number[] = [];
  let s = Math.max(1, Math.floor(spec.serial));
  while (s > 0) {
    serialBytes.unshift(s & 0xff);
    s = Math.floor(s / 256);
  }
  if ((serialBytes[0] ?? 0) & 0x80) serialBytes.unshift(0);
  const san = seq(oid('2.5.29.17'), tlv(0x04, seq(...spec.dnsNames.map((d) => tlv(0x82, Buffer.from(d))))));
  const tbs = seq(
    tlv(0xa0, tlv(0x02, [2])),
    tlv(0x02, serialBytes),
    alg,
    name(spec.commonName),
    seq(time(spec.notBefore), time(spec.notAfter)),
    name(spec.commonName),
    spki,
    tlv(0xa3, seq(san)),
  );
  const signature = sign(null, tbs, key);
  const der = seq(tbs, alg, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n');
  return {
    certPem: `-----BEGIN CERTIFICATE-----\n${b64.trimEnd()}\n-----END CERTIFICATE-----\n`,
    keyPem: DEMO_KEY_PEM,
  };
}
