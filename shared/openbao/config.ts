// OpenBao connection settings from the environment. BAO_ADDR is OpenBao's own variable; the rest
// name how this fleet authenticates: the Kubernetes auth method with the pod's projected service
// account token (BAO_ROLE), or a token read from a file (BAO_TOKEN_FILE, e.g. a mounted Secret).
import { OpenBaoConfigError } from './errors.ts';

export const DEFAULT_SA_TOKEN_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export type OpenBaoAuth =
  | {
      kind: 'kubernetes';
      role: string;
      /** The projected service account token; read again at every login (the kubelet rotates it). */
      jwtFile: string;
      /** Where the auth method is mounted (default `kubernetes`). */
      mount: string;
    }
  | { kind: 'token-file'; file: string };

export interface OpenBaoConfig {
  /** Base URL, e.g. http://openbao.openbao:8200 */
  address: string;
  auth: OpenBaoAuth;
  /** The KV v2 mount the bots read (default `secret`). */
  kvMount: string;
  /** One request's timeout (default 10 s). */
  timeoutMs: number;
}

export const OPENBAO_ENV_DOCS: ReadonlyArray<{ name: string; default: string; meaning: string }> = [
  { name: 'BAO_ADDR', default: '(required)', meaning: 'OpenBao base URL' },
  {
    name: 'BAO_ROLE',
    default: '(unset)',
    meaning: 'Kubernetes auth role; set it to log in with the service account token',
  },
  { name: 'BAO_AUTH_MOUNT', default: 'kubernetes', meaning: 'mount path of the Kubernetes auth method' },
  {
    name: 'BAO_SA_TOKEN_FILE',
    default: DEFAULT_SA_TOKEN_FILE,
    meaning: 'projected service account token file',
  },
  {
    name: 'BAO_TOKEN_FILE',
    default: '(unset)',
    meaning: 'a file holding an OpenBao token (used when BAO_ROLE is unset)',
  },
  { name: 'BAO_KV_MOUNT', default: 'secret', meaning: 'KV v2 mount' },
  { name: 'BAO_TIMEOUT_MS', default: '10000', meaning: 'timeout of one OpenBao request' },
];

type Env = Readonly<Record<string, string | undefined>>;

export function openBaoConfigFromEnv(env: Env = process.env): OpenBaoConfig {
  const address = env['BAO_ADDR']?.trim();
  if (!address) throw new OpenBaoConfigError('BAO_ADDR is not set');
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new OpenBaoConfigError(`BAO_ADDR is not a URL: ${address}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new OpenBaoConfigError(`BAO_ADDR must be http(s): ${address}`);
  const timeoutText = env['BAO_TIMEOUT_MS']?.trim() || '10000';
  const timeoutMs = Number(timeoutText);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 300_000)
    throw new OpenBaoConfigError(`BAO_TIMEOUT_MS must be an integer from 100 to 300000: ${timeoutText}`);
  const role = env['BAO_ROLE']?.trim();
  const tokenFile = env['BAO_TOKEN_FILE']?.trim();
  let auth: OpenBaoAuth;
  if (role) {
    auth = {
      kind: 'kubernetes',
      role,
      jwtFile: env['BAO_SA_TOKEN_FILE']?.trim() || DEFAULT_SA_TOKEN_FILE,
      mount: (env['BAO_AUTH_MOUNT']?.trim() || 'kubernetes').replace(/^\/+|\/+$/g, ''),
    };
  } else if (tokenFile) auth = { kind: 'token-file', file: tokenFile };
  else
    throw new OpenBaoConfigError(
      'set BAO_ROLE (Kubernetes auth) or BAO_TOKEN_FILE to authenticate to OpenBao',
    );
  return {
    address: address.replace(/\/+$/, ''),
    auth,
    kvMount: (env['BAO_KV_MOUNT']?.trim() || 'secret').replace(/^\/+|\/+$/g, ''),
    timeoutMs,
  };
}
