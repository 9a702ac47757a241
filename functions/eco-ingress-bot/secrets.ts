// Reads the TLS Secrets the Ingresses name, one `get` each (at most 8 at a time). Listing every
// Secret would load all of them (Helm release Secrets run to megabytes) to use a few; a `get` per
// referenced Secret reads only what the checks judge.
import { Buffer } from 'node:buffer';
import {
  reportErrorFrom,
  resources,
  type Context,
  type KubeObject,
  type ReportError,
} from '../../shared/index.ts';
import { ingressSpec } from '../../shared/net/index.ts';
import { parseBundle } from './certs.ts';
import type { TlsSecret } from './checks.ts';

const CONCURRENCY = 8;

export function inspectSecret(secret: KubeObject): TlsSecret {
  const type = secret['type'] as string | undefined;
  const data = (secret['data'] as Record<string, string> | undefined) ?? {};
  if (type !== 'kubernetes.io/tls')
    return { state: 'read', secret, problem: `type is ${type ?? 'Opaque'}, not kubernetes.io/tls` };
  if (!data['tls.crt']) return { state: 'read', secret, problem: 'tls.crt is missing or empty' };
  if (!data['tls.key']) return { state: 'read', secret, problem: 'tls.key is missing or empty' };
  try {
    return {
      state: 'read',
      secret,
      bundle: parseBundle(Buffer.from(data['tls.crt'], 'base64').toString('utf8')),
    };
  } catch (error) {
    return { state: 'read', secret, problem: (error as Error).message };
  }
}

export async function readTlsSecrets(
  ctx: Pick<Context, 'k8s'>,
  ingresses: readonly KubeObject[],
): Promise<{ tls: Map<string, TlsSecret>; errors: ReportError[] }> {
  const keys = new Set<string>();
  for (const ing of ingresses)
    for (const t of ingressSpec(ing).tls ?? [])
      if (t.secretName) keys.add(`${ing.metadata.namespace ?? ''}/${t.secretName}`);
  const queue = [...keys];
  const tls = new Map<string, TlsSecret>();
  const errors: ReportError[] = [];
  async function worker(): Promise<void> {
    for (let key = queue.shift(); key !== undefined; key = queue.shift()) {
      const [namespace, name] = key.split('/') as [string, string];
      try {
        const secret = await ctx.k8s.get(resources.secrets, name, namespace);
        tls.set(key, secret === undefined ? { state: 'missing' } : inspectSecret(secret));
      } catch (error) {
        tls.set(key, { state: 'unreadable' });
        errors.push(reportErrorFrom(error, `get secret ${key}`));
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, worker));
  return { tls, errors };
}
