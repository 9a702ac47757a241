// Alertmanager's own fingerprint (prometheus/common model.LabelSet.Fingerprint): FNV-1a 64 over the
// label names in sorted order, each name and value followed by the separator byte 0xff, printed as 16
// hex digits. Computing the same value means an alert that arrives without `fingerprint` (old senders,
// hand-written payloads) dedupes and correlates exactly like one Alertmanager fingerprinted.

const OFFSET64 = 0xcbf29ce484222325n;
const PRIME64 = 0x100000001b3n;
const MASK64 = 0xffffffffffffffffn;
const SEPARATOR = 0xff;

const encoder = new TextEncoder();

function addBytes(hash: bigint, bytes: Uint8Array): bigint {
  let h = hash;
  for (const byte of bytes) {
    h ^= BigInt(byte);
    h = (h * PRIME64) & MASK64;
  }
  return h;
}

function addByte(hash: bigint, byte: number): bigint {
  return ((hash ^ BigInt(byte)) * PRIME64) & MASK64;
}

/** The 16-hex-digit fingerprint Alertmanager would give this label set. */
export function labelsFingerprint(labels: Readonly<Record<string, string>>): string {
  // Code-unit order matches Go's byte-wise sort for the ASCII label names Prometheus allows.
  const names = Object.keys(labels).sort();
  let h = OFFSET64;
  for (const name of names) {
    h = addBytes(h, encoder.encode(name));
    h = addByte(h, SEPARATOR);
    h = addBytes(h, encoder.encode(labels[name] ?? ''));
    h = addByte(h, SEPARATOR);
  }
  return h.toString(16).padStart(16, '0');
}
