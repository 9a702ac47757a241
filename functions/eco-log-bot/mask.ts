// Logs are data: a secret printed by an application (a bearer header, a password in a URL or a
// key=value pair, a JWT, a cloud access key, a private key) is masked here, before a line reaches a
// finding, the report, the logs of this bot or Loki. Each rule keeps what helps a reader (the key's
// name, the scheme, the host) and replaces the secret itself.

const MASK = '***';

interface Rule {
  pattern: RegExp;
  replace: string | ((...groups: string[]) => string);
}

const SECRET_KEYS =
  '(?:password|passwd|pwd|secret|client[_-]?secret|token|access[_-]?token|refresh[_-]?token|id[_-]?token|api[_-]?key|apikey|private[_-]?key|auth|authorization|credentials?|session[_-]?id|cookie)';

const RULES: readonly Rule[] = [
  // A PEM private key block, whole.
  {
    pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
    replace: `-----BEGIN PRIVATE KEY-----${MASK}-----END PRIVATE KEY-----`,
  },
  // Authorization headers: `Authorization: Bearer x`, `Basic x`, and a bare `Bearer x`.
  {
    pattern: /\b(Bearer|Basic|Token)\s+[A-Za-z0-9\-._~+/]+=*/g,
    replace: (_m, scheme) => `${scheme} ${MASK}`,
  },
  // user:password@ in a URL.
  {
    pattern: /\b([a-z][a-z0-9+.-]*:\/\/)([^\s:@/]+):([^\s@/]+)@/gi,
    replace: (_m, scheme, user) => `${scheme}${user}:${MASK}@`,
  },
  // JSON: "password": "x" (also single-quoted and escaped-quote forms in a JSON-in-JSON log).
  {
    pattern: new RegExp(
      `((?:\\\\?["'])${SECRET_KEYS}(?:\\\\?["'])\\s*:\\s*)(\\\\?["'])(?:(?!\\2).)*\\2`,
      'gi',
    ),
    replace: (_m, key, quote) => `${key}${quote}${MASK}${quote}`,
  },
  // key=value and key: value in text logs (`password=hunter2`, `DB_PASSWORD: hunter2`, `X-Api-Key: x`).
  {
    pattern: new RegExp(
      `(\\b[\\w.-]*${SECRET_KEYS}[\\w.-]*\\s*[=:]\\s*)(?!\\*\\*\\*|(?:Bearer|Basic|Token)\\s)("[^"]*"|'[^']*'|[^\\s,;&"'}]+)`,
      'gi',
    ),
    replace: (_m, key) => `${key}${MASK}`,
  },
  // JWTs (header.payload.signature, base64url, the header starts with {" = eyJ).
  { pattern: /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, replace: MASK },
  // AWS access key ids, GitHub and Slack tokens, Stripe-style secret keys.
  { pattern: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, replace: MASK },
  { pattern: /\bgh[pousr]_[A-Za-z0-9]{20,}\b/g, replace: MASK },
  { pattern: /\bxox[abpr]-[A-Za-z0-9-]{10,}\b/g, replace: MASK },
  { pattern: /\bsk-[A-Za-z0-9-]{16,}\b/g, replace: MASK },
];

/** The text with every secret the rules recognise replaced by `***`. */
export function maskSecrets(text: string): string {
  let out = text;
  for (const rule of RULES) {
    out = out.replace(rule.pattern, rule.replace as (substring: string, ...args: string[]) => string);
  }
  return out;
}
