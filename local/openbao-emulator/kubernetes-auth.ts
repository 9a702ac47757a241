// The Kubernetes auth method (mounted at auth/kubernetes): roles bind service account names and
// namespaces to policies and token TTLs; login checks the service account token with a TokenReview
// against the configured Kubernetes API server, as the plugin does when no issuer keys are configured.
import { badRequest, forbidden, internalError, permissionDenied } from './errors.ts';
import { parseDuration } from './clock.ts';

export interface KubernetesRole {
  name: string;
  boundServiceAccountNames: string[];
  boundServiceAccountNamespaces: string[];
  policies: string[];
  /** Seconds (0: the system default of 768h). */
  ttl: number;
  maxTtl: number;
  /** When set, the TokenReview asks for this audience. */
  audience?: string;
}

export interface KubernetesAuthConfig {
  kubernetesHost: string;
  /** The reviewer's own token; without it the login JWT reviews itself (the plugin's default). */
  tokenReviewerJwt?: string;
}

export interface ServiceAccountIdentity {
  namespace: string;
  name: string;
  uid: string;
}

/** bound_* lists accept `*` and `prefix*` globs, as strutil.StrListContainsGlob does. */
function globContains(list: readonly string[], value: string): boolean {
  return list.some((g) => g === '*' || g === value || (g.endsWith('*') && value.startsWith(g.slice(0, -1))));
}

function stringList(v: unknown, field: string): string[] | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string')
    return v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v as string[];
  throw badRequest(`error converting input for field "${field}": expected a list of strings`);
}

function duration(v: unknown, field: string): number | undefined {
  if (v === undefined) return undefined;
  const d = parseDuration(v);
  if (d === undefined) throw badRequest(`error converting input ${String(v)} for field "${field}"`);
  return d;
}

/** POST auth/kubernetes/role/<name> body -> a role (token_* names, with the legacy policies/ttl aliases). */
export function roleFromBody(
  name: string,
  body: Record<string, unknown>,
  previous?: KubernetesRole,
): KubernetesRole {
  const names =
    stringList(body['bound_service_account_names'], 'bound_service_account_names') ??
    previous?.boundServiceAccountNames;
  const namespaces =
    stringList(body['bound_service_account_namespaces'], 'bound_service_account_namespaces') ??
    previous?.boundServiceAccountNamespaces;
  if (!names || names.length === 0) throw badRequest('"bound_service_account_names" can not be empty');
  if (!namespaces || namespaces.length === 0)
    throw badRequest('"bound_service_account_namespaces" can not be empty');
  const policies =
    stringList(body['token_policies'], 'token_policies') ??
    stringList(body['policies'], 'policies') ??
    previous?.policies ??
    [];
  const role: KubernetesRole = {
    name,
    boundServiceAccountNames: names,
    boundServiceAccountNamespaces: namespaces,
    policies,
    ttl: duration(body['token_ttl'], 'token_ttl') ?? duration(body['ttl'], 'ttl') ?? previous?.ttl ?? 0,
    maxTtl:
      duration(body['token_max_ttl'], 'token_max_ttl') ??
      duration(body['max_ttl'], 'max_ttl') ??
      previous?.maxTtl ??
      0,
  };
  const audience = typeof body['audience'] === 'string' ? body['audience'] : previous?.audience;
  if (audience) role.audience = audience;
  return role;
}

export function roleData(role: KubernetesRole): Record<string, unknown> {
  return {
    audience: role.audience ?? '',
    bound_service_account_names: role.boundServiceAccountNames,
    bound_service_account_namespaces: role.boundServiceAccountNamespaces,
    token_policies: role.policies,
    policies: role.policies,
    token_ttl: role.ttl,
    ttl: role.ttl,
    token_max_ttl: role.maxTtl,
    max_ttl: role.maxTtl,
    token_type: 'default',
  };
}

interface TokenReviewStatus {
  authenticated?: boolean;
  user?: { username?: string; uid?: string };
  error?: string;
}

/** Asks the Kubernetes API server who the JWT belongs to. */
async function reviewToken(
  config: KubernetesAuthConfig,
  jwt: string,
  audience?: string,
): Promise<TokenReviewStatus> {
  const url = new URL('/apis/authentication.k8s.io/v1/tokenreviews', config.kubernetesHost);
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        authorization: `Bearer ${config.tokenReviewerJwt ?? jwt}`,
      },
      body: JSON.stringify({
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenReview',
        spec: audience ? { token: jwt, audiences: [audience] } : { token: jwt },
      }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (e) {
    throw internalError(`lookup failed: ${(e as Error).message}`);
  }
  const text = await res.text();
  // A reviewer without `create tokenreviews` (or a bad reviewer token) fails the login.
  if (res.status === 401 || res.status === 403) throw permissionDenied();
  if (res.status !== 201 && res.status !== 200)
    throw internalError(`lookup failed: HTTP ${res.status}: ${text.slice(0, 200)}`);
  try {
    return ((JSON.parse(text) as { status?: TokenReviewStatus }).status ?? {}) as TokenReviewStatus;
  } catch {
    throw internalError('lookup failed: the TokenReview response is not JSON');
  }
}

/**
 * POST auth/kubernetes/login {role, jwt}: the service account behind the JWT, checked against the
 * role's bound names and namespaces. Errors as the plugin answers them.
 */
export async function kubernetesLogin(
  config: KubernetesAuthConfig | undefined,
  roles: ReadonlyMap<string, KubernetesRole>,
  body: Record<string, unknown>,
): Promise<{ role: KubernetesRole; account: ServiceAccountIdentity }> {
  const roleName = body['role'];
  if (typeof roleName !== 'string' || roleName === '') throw badRequest('missing role');
  const jwt = body['jwt'];
  if (typeof jwt !== 'string' || jwt === '') throw badRequest('missing jwt');
  const role = roles.get(roleName);
  if (!role) throw badRequest(`invalid role name "${roleName}"`);
  if (!config) throw badRequest('could not load backend configuration');
  const status = await reviewToken(config, jwt.trim(), role.audience);
  if (status.authenticated !== true) throw permissionDenied();
  const m = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(status.user?.username ?? '');
  if (!m) throw permissionDenied();
  const account = { namespace: m[1] as string, name: m[2] as string, uid: status.user?.uid ?? '' };
  if (!globContains(role.boundServiceAccountNames, account.name))
    throw forbidden('service account name not authorized');
  if (!globContains(role.boundServiceAccountNamespaces, account.namespace))
    throw forbidden('namespace not authorized');
  return { role, account };
}
