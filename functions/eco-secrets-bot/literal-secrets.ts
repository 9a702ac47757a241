// Secrets written literally where anyone who can read a Deployment or a ConfigMap sees them: env
// `value`s and ConfigMap data (Polaris sensitiveContainerEnvVar / sensitiveConfigmapContent, Kyverno
// disallow-secrets-from-env-vars). Detection is by the name (passwords, tokens, keys, credentials)
// and by the value's shape (private keys, cloud and forge tokens, JWTs, connection strings with a
// password). A hit names where the secret is and why it matched, and NEVER carries the value or any
// part or hash of it: reports, logs, Events and metrics are built from hits.

export type HitReason =
  | 'sensitive-name'
  | 'private-key'
  | 'connection-string-password'
  | 'cloud-access-key'
  | 'forge-token'
  | 'jwt'
  | 'bearer-token'
  | 'openbao-token'
  | 'api-key';

export interface LiteralSecretHit {
  reason: HitReason;
  /** The env var name or ConfigMap key (a name, not a value). */
  key: string;
  /** Where: `containers[0].env[2].value`, `data["DB_PASSWORD"]`, `data["app.properties"]` line 3. */
  field: string;
  container?: string;
  /** For a key inside a ConfigMap file (`db.password` in application.properties). */
  innerKey?: string;
  line?: number;
}

/** Names that say "secret". Case-insensitive, matched on the whole name. */
const SENSITIVE_NAME =
  /passw(or)?d|passwd|(^|[_.-])pwd($|[_.-])|secret|token|bearer|api[_.-]?key|apikey|access[_.-]?key|private[_.-]?key|client[_.-]?secret|credential|auth[_.-]?key|signing[_.-]?key|encryption[_.-]?key|^aws_secret_access_key$|^google_application_credentials$|^azure_.*key$|^oci_cli_key_content$/i;

/** Names that mention a secret but hold something else (a path, a URL, a setting about it). */
const NOT_A_SECRET_NAME =
  /(_|\.|-)(file|path|dir|url|uri|endpoint|host|port|ttl|expiry|expires|timeout|name|user|username|id|enabled|header|type|length|ref|mount|key_id|keyid)$|^(old)?pwd$/i;

/** Values that are not literal secrets: empty, placeholders, variable references. */
function isPlaceholder(value: string): boolean {
  const v = value.trim();
  return (
    v === '' ||
    /^\$\(([A-Za-z_][A-Za-z0-9_]*)\)$/.test(v) || // Kubernetes $(VAR) expansion
    /^\$\{[^}]*\}$/.test(v) ||
    /^<[^>]*>$/.test(v) ||
    /^(true|false|yes|no|on|off|null|none|-|\*+|x+)$/i.test(v) ||
    /^\d{1,5}$/.test(v) // a number: a port, a length, a TTL
  );
}

const VALUE_PATTERNS: readonly { reason: HitReason; pattern: RegExp }[] = [
  { reason: 'private-key', pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/ },
  // scheme://user:password@host (postgres, mysql, mongodb, redis, amqp, ...)
  { reason: 'connection-string-password', pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@[^\s]+/i },
  // ADO.NET / JDBC style: Password=...;
  { reason: 'connection-string-password', pattern: /(?:^|;)\s*(?:password|pwd)\s*=\s*[^;\s][^;]*/i },
  { reason: 'cloud-access-key', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { reason: 'api-key', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/ },
  { reason: 'api-key', pattern: /\b(?:sk|rk)_live_[0-9A-Za-z]{16,}\b/ },
  {
    reason: 'forge-token',
    pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,}|glpat-[A-Za-z0-9_-]{20,})\b/,
  },
  { reason: 'forge-token', pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}/ },
  { reason: 'jwt', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/ },
  { reason: 'bearer-token', pattern: /\bBearer\s+[A-Za-z0-9._~+/-]{20,}=*/ },
  { reason: 'openbao-token', pattern: /\b(?:s|hvs|b|hvb)\.[A-Za-z0-9]{24,}\b/ },
];

/** Whether a name says "secret" (and is not a setting about one). */
export function isSensitiveName(name: string): boolean {
  return SENSITIVE_NAME.test(name) && !NOT_A_SECRET_NAME.test(name);
}

/** Why a value looks like a secret by its shape alone, or undefined. */
export function valueShape(value: string): HitReason | undefined {
  for (const { reason, pattern } of VALUE_PATTERNS) if (pattern.test(value)) return reason;
  return undefined;
}

/** The reason a name/value pair is a literal secret, or undefined. */
export function classify(name: string, value: string): HitReason | undefined {
  if (isPlaceholder(value)) return undefined;
  return valueShape(value) ?? (isSensitiveName(name) ? 'sensitive-name' : undefined);
}

interface EnvVar {
  name?: string;
  value?: string;
  valueFrom?: unknown;
}
interface ContainerLike {
  name: string;
  env?: EnvVar[];
}

/** Literal secrets in the env of the containers of a pod spec (`valueFrom` references are fine). */
export function scanEnv(spec: {
  containers?: ContainerLike[];
  initContainers?: ContainerLike[];
  ephemeralContainers?: ContainerLike[];
}): LiteralSecretHit[] {
  const hits: LiteralSecretHit[] = [];
  for (const list of ['initContainers', 'containers', 'ephemeralContainers'] as const) {
    (spec[list] ?? []).forEach((c, ci) => {
      (c.env ?? []).forEach((e, ei) => {
        if (typeof e.value !== 'string' || !e.name) return;
        const reason = classify(e.name, e.value);
        if (reason)
          hits.push({ reason, key: e.name, field: `${list}[${ci}].env[${ei}].value`, container: c.name });
      });
    });
  }
  return hits;
}

/** `key=value`, `key: value`, `key = "value"` lines of a properties/YAML/env/INI file. */
const ASSIGNMENT = /^\s*(?:export\s+)?["']?([A-Za-z0-9_.-]+)["']?\s*[:=]\s*(.*?)\s*$/;

/**
 * Literal secrets in a ConfigMap's data: a key that is itself a secret name, a value with a secret's
 * shape, or (for file-like values) a line assigning a secret name. binaryData keys are checked by name.
 */
export function scanConfigMap(cm: {
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
}): LiteralSecretHit[] {
  const hits: LiteralSecretHit[] = [];
  for (const [key, value] of Object.entries(cm.data ?? {})) {
    if (typeof value !== 'string') continue;
    const field = `data["${key}"]`;
    const shape = isPlaceholder(value) ? undefined : valueShape(value);
    if (!value.includes('\n')) {
      const reason = classify(key, value);
      if (reason) hits.push({ reason, key, field });
      continue;
    }
    if (shape === 'private-key') {
      hits.push({ reason: shape, key, field });
      continue;
    }
    // A file: look at each assignment line.
    value.split('\n').forEach((line, i) => {
      const m = ASSIGNMENT.exec(line);
      if (!m) {
        const lineShape = valueShape(line);
        if (lineShape) hits.push({ reason: lineShape, key, field, line: i + 1 });
        return;
      }
      const inner = m[1] as string;
      const v = (m[2] as string).replace(/^["']|["']$/g, '');
      const reason = classify(inner, v);
      if (reason) hits.push({ reason, key, field, innerKey: inner, line: i + 1 });
    });
  }
  for (const key of Object.keys(cm.binaryData ?? {})) {
    if (isSensitiveName(key)) hits.push({ reason: 'sensitive-name', key, field: `binaryData["${key}"]` });
  }
  return hits;
}

const REASON_TEXT: Record<HitReason, string> = {
  'sensitive-name': 'its name says it is a secret',
  'private-key': 'it holds a private key',
  'connection-string-password': 'it is a connection string with a password',
  'cloud-access-key': 'it holds a cloud access key id',
  'forge-token': 'it holds a forge or chat token',
  jwt: 'it holds a JWT',
  'bearer-token': 'it holds a bearer token',
  'openbao-token': 'it holds an OpenBao token',
  'api-key': 'it holds an API key',
};

/** A one-line description of a hit, from names only. */
export function describeHit(hit: LiteralSecretHit): string {
  const where = hit.innerKey ? `${hit.field} (${hit.innerKey}, line ${hit.line ?? '?'})` : hit.field;
  return `${hit.key} at ${where} is a literal secret: ${REASON_TEXT[hit.reason]}`;
}
