// The node:http front of the OpenBao emulator: `/v1/...` routing, the X-Vault-Token header (the name
// OpenBao's API keeps), ACL checks per path and operation, OpenBao's response envelope and error bodies.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  BaoError,
  badRequest,
  internalError,
  noRoute,
  notFound,
  permissionDenied,
  unsupportedOperation,
  unsupportedPath,
} from './errors.ts';
import type { KvV2Mount } from './kv2.ts';
import type { TokenEntry, TokenStore } from './tokens.ts';
import type { Capability, Policy } from './policy.ts';
import { DEFAULT_POLICY, capabilitiesOn, parsePolicyHcl } from './policy.ts';
import type { KubernetesAuthConfig, KubernetesRole } from './kubernetes-auth.ts';
import { kubernetesLogin, roleData, roleFromBody } from './kubernetes-auth.ts';
import { parseDuration } from './clock.ts';
import { LIST_METHOD_HEADER } from './list-method.ts';

export interface RecordedBaoRequest {
  method: string;
  /** Path without `/v1/` and without the query. */
  path: string;
  status: number;
  /** Accessor of the token used ('' when none or invalid). */
  accessor: string;
}

export interface BaoState {
  mounts: Map<string, KvV2Mount>;
  tokens: TokenStore;
  policies: Map<string, Policy>;
  roles: Map<string, KubernetesRole>;
  kubernetes: { config?: KubernetesAuthConfig };
  requests: RecordedBaoRequest[];
  version: string;
  now: () => Date;
}

type Operation = 'read' | 'list' | 'create' | 'update' | 'patch' | 'delete';

interface Reply {
  code: number;
  body?: unknown;
}

const MAX_BODY = 32 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new BaoError(413, ['http: request body too large']));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw badRequest(`failed to parse JSON input: ${(e as Error).message}`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw badRequest('failed to parse JSON input: not a JSON object');
  return v as Record<string, unknown>;
}

function envelope(data: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    request_id: randomUUID(),
    lease_id: '',
    renewable: false,
    lease_duration: 0,
    data,
    wrap_info: null,
    warnings: null,
    auth: null,
    ...extra,
  };
}

function send(res: ServerResponse, reply: Reply): void {
  if (res.headersSent || res.destroyed) return;
  if (reply.body === undefined) {
    res.writeHead(reply.code, { 'Cache-Control': 'no-store' });
    res.end();
    return;
  }
  res.writeHead(reply.code, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(`${JSON.stringify(reply.body)}\n`);
}

function sendError(res: ServerResponse, e: BaoError): void {
  send(res, {
    code: e.code,
    body: e.body !== undefined ? envelope(e.body, { mount_type: 'kv' }) : { errors: e.errors },
  });
}

export function createBaoHandler(state: BaoState): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const listed = req.headers[LIST_METHOD_HEADER] === 'LIST';
    const record: RecordedBaoRequest = {
      method: listed ? 'LIST' : (req.method ?? 'GET').toUpperCase(),
      path: '',
      status: 0,
      accessor: '',
    };
    res.on('close', () => {
      record.status = res.statusCode;
      state.requests.push(record);
      if (state.requests.length > 10_000) state.requests.splice(0, state.requests.length - 10_000);
    });
    handle(state, req, record)
      .then((reply) => send(res, reply))
      .catch((e: unknown) =>
        sendError(res, e instanceof BaoError ? e : internalError((e as Error)?.message ?? String(e))),
      );
  };
}

function operationOf(method: string, q: URLSearchParams): Operation {
  switch (method) {
    case 'GET':
    case 'HEAD':
      return q.get('list') === 'true' ? 'list' : 'read';
    case 'LIST':
      return 'list';
    case 'POST':
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return 'delete';
    default:
      throw unsupportedOperation();
  }
}

function policiesOf(state: BaoState, token: TokenEntry): Policy[] {
  const out: Policy[] = [DEFAULT_POLICY];
  for (const name of token.policies) {
    const p = state.policies.get(name);
    if (p) out.push(p);
  }
  return out;
}

function authorize(state: BaoState, token: TokenEntry, path: string, op: Operation): void {
  if (token.policies.includes('root')) return;
  const caps = capabilitiesOn(policiesOf(state, token), path);
  if (caps.has('deny') || !caps.has(op as Capability)) throw permissionDenied();
}

async function handle(state: BaoState, req: IncomingMessage, record: RecordedBaoRequest): Promise<Reply> {
  const method = record.method;
  const url = new URL(req.url ?? '/', 'http://openbao.local');
  if (!url.pathname.startsWith('/v1/')) throw notFound();
  const q = url.searchParams;
  const op = operationOf(method, q);
  // OpenBao lists a directory: a LIST request's path always ends in `/` (policies `dir/*` match it).
  const raw = decodeURIComponent(url.pathname.slice(4));
  const path = op === 'list' && !raw.endsWith('/') ? `${raw}/` : raw;
  record.path = path;
  const bodyText = method === 'GET' || method === 'HEAD' || method === 'LIST' ? '' : await readBody(req);

  // Unauthenticated endpoints.
  if (path === 'sys/health') {
    if (op !== 'read') throw unsupportedOperation();
    return { code: 200, body: health(state) };
  }
  if (path === 'auth/kubernetes/login') {
    if (op !== 'update') throw unsupportedOperation();
    const { role, account } = await kubernetesLogin(
      state.kubernetes.config,
      state.roles,
      parseJson(bodyText),
    );
    const entry = state.tokens.issue({
      policies: [...new Set(['default', ...role.policies])],
      ttl: role.ttl || 768 * 3600,
      ...(role.maxTtl ? { maxTtl: role.maxTtl } : {}),
      meta: {
        role: role.name,
        service_account_name: account.name,
        service_account_namespace: account.namespace,
        service_account_secret_name: '',
        service_account_uid: account.uid,
      },
      displayName: `kubernetes-${account.namespace}-${account.name}`,
      path: 'auth/kubernetes/login',
    });
    record.accessor = entry.accessor;
    return { code: 200, body: envelope(null, { auth: state.tokens.authBlock(entry) }) };
  }

  const header = req.headers['x-vault-token'];
  const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
  const token = state.tokens.resolve((Array.isArray(header) ? header[0] : header) ?? bearer);
  record.accessor = token.accessor;
  const body = parseJson(bodyText);

  if (path.startsWith('auth/token/')) return tokenEndpoint(state, token, path, op, body);
  if (path === 'auth/kubernetes/config' || path.startsWith('auth/kubernetes/role')) {
    authorize(state, token, path, op === 'update' && !exists(state, path) ? 'create' : op);
    return kubernetesAdmin(state, path, op, body);
  }
  if (path.startsWith('sys/policies/acl/') || path.startsWith('sys/policy/')) {
    authorize(
      state,
      token,
      path,
      op === 'update' ? (state.policies.has(path.split('/').pop() ?? '') ? 'update' : 'create') : op,
    );
    return policyEndpoint(state, path, op, body);
  }
  const mountName = path.split('/')[0] ?? '';
  const mount = state.mounts.get(mountName);
  const effective =
    op === 'update' && mount && !existsInMount(mount, path.slice(mountName.length + 1)) ? 'create' : op;
  authorize(state, token, path, effective);
  if (!mount) throw noRoute(path);
  const reply = kvRoute(mount, path.slice(mountName.length + 1), op, q, body);
  return reply.body === undefined
    ? reply
    : { code: reply.code, body: envelope(reply.body, { mount_type: 'kv' }) };
}

function exists(state: BaoState, path: string): boolean {
  const name = /^auth\/kubernetes\/role\/(.+)$/.exec(path)?.[1];
  if (name) return state.roles.has(name);
  return path === 'auth/kubernetes/config' && state.kubernetes.config !== undefined;
}

/** Whether the target of a write exists, which makes the write an `update` rather than a `create`. */
function existsInMount(mount: KvV2Mount, rest: string): boolean {
  const m = /^(data|metadata)\/(.+)$/.exec(rest);
  return m ? mount.exists(m[2] as string) : true;
}

function health(state: BaoState): Record<string, unknown> {
  return {
    initialized: true,
    sealed: false,
    standby: false,
    performance_standby: false,
    replication_performance_mode: 'disabled',
    replication_dr_mode: 'disabled',
    server_time_utc: Math.floor(state.now().getTime() / 1000),
    version: state.version,
    cluster_name: 'eco-openbao-emulator',
    cluster_id: '00000000-0000-4000-8000-000000000b40',
  };
}

function intParam(q: URLSearchParams, name: string): number {
  const raw = q.get(name);
  if (raw === null || raw === '') return 0;
  if (!/^-?\d+$/.test(raw))
    throw badRequest(
      `error converting input ${raw} for field "${name}": cannot parse '${name}' as int: strconv.ParseInt: parsing "${raw}": invalid syntax`,
    );
  return Number(raw);
}

/** Routes under one KV v2 mount (`rest` is the path after `<mount>/`). */
function kvRoute(
  mount: KvV2Mount,
  rest: string,
  op: Operation,
  q: URLSearchParams,
  body: Record<string, unknown>,
): Reply {
  if (rest === 'config') {
    if (op === 'read') return { code: 200, body: mount.readConfig() };
    if (op === 'update') {
      mount.writeConfig(body);
      return { code: 204 };
    }
    throw unsupportedOperation();
  }
  const m = /^(data|metadata|delete|undelete|destroy|subkeys)(?:\/(.*))?$/.exec(rest);
  if (!m) throw unsupportedPath();
  const kind = m[1] as string;
  const path = m[2] ?? '';
  switch (kind) {
    case 'data':
      if (op === 'read') return { code: 200, body: mount.read(path, intParam(q, 'version')) };
      if (op === 'update') return { code: 200, body: mount.write(path, body) };
      if (op === 'patch') return { code: 200, body: mount.patch(path, body) };
      if (op === 'delete') {
        mount.deleteLatest(path);
        return { code: 204 };
      }
      throw unsupportedOperation();
    case 'metadata':
      if (op === 'list') return { code: 200, body: mount.list(path) };
      if (op === 'read') return { code: 200, body: mount.metadata(path) };
      if (op === 'update') {
        mount.writeMetadata(path, body);
        return { code: 204 };
      }
      if (op === 'delete') {
        mount.deleteMetadata(path);
        return { code: 204 };
      }
      throw unsupportedOperation();
    case 'subkeys':
      if (op === 'read')
        return { code: 200, body: mount.subkeys(path, intParam(q, 'version'), intParam(q, 'depth')) };
      throw unsupportedOperation();
    default:
      if (op !== 'update') throw unsupportedOperation();
      if (kind === 'delete') mount.deleteVersions(path, body);
      else if (kind === 'undelete') mount.undelete(path, body);
      else mount.destroy(path, body);
      return { code: 204 };
  }
}

function tokenEndpoint(
  state: BaoState,
  token: TokenEntry,
  path: string,
  op: Operation,
  body: Record<string, unknown>,
): Reply {
  authorize(state, token, path, op === 'update' && path === 'auth/token/lookup-self' ? 'read' : op);
  switch (path) {
    case 'auth/token/lookup-self':
      if (op !== 'read' && op !== 'update') throw unsupportedOperation();
      return { code: 200, body: envelope(state.tokens.lookup(token)) };
    case 'auth/token/renew-self': {
      if (op !== 'update') throw unsupportedOperation();
      const inc = body['increment'] === undefined ? undefined : parseDuration(body['increment']);
      if (body['increment'] !== undefined && inc === undefined)
        throw badRequest(`error converting input ${String(body['increment'])} for field "increment"`);
      const renewed = state.tokens.renew(token, inc);
      return { code: 200, body: envelope(null, { auth: state.tokens.authBlock(renewed) }) };
    }
    case 'auth/token/revoke-self':
      if (op !== 'update') throw unsupportedOperation();
      state.tokens.revoke(token);
      return { code: 204 };
    default:
      throw unsupportedPath();
  }
}

function kubernetesAdmin(state: BaoState, path: string, op: Operation, body: Record<string, unknown>): Reply {
  if (path === 'auth/kubernetes/config') {
    if (op === 'read') {
      const c = state.kubernetes.config;
      if (!c) throw notFound();
      return {
        code: 200,
        body: envelope({ kubernetes_host: c.kubernetesHost, disable_local_ca_jwt: false }),
      };
    }
    if (op !== 'update') throw unsupportedOperation();
    const host = body['kubernetes_host'];
    if (typeof host !== 'string' || host === '') throw badRequest('no host provided');
    const jwt = body['token_reviewer_jwt'];
    state.kubernetes.config =
      typeof jwt === 'string' && jwt
        ? { kubernetesHost: host, tokenReviewerJwt: jwt }
        : { kubernetesHost: host };
    return { code: 204 };
  }
  if (path === 'auth/kubernetes/role' || path === 'auth/kubernetes/role/') {
    if (op !== 'list') throw unsupportedOperation();
    if (state.roles.size === 0) throw notFound();
    return { code: 200, body: envelope({ keys: [...state.roles.keys()].sort() }) };
  }
  const name = path.slice('auth/kubernetes/role/'.length);
  if (op === 'read') {
    const role = state.roles.get(name);
    if (!role) throw notFound();
    return { code: 200, body: envelope(roleData(role)) };
  }
  if (op === 'update') {
    state.roles.set(name, roleFromBody(name, body, state.roles.get(name)));
    return { code: 204 };
  }
  if (op === 'delete') {
    state.roles.delete(name);
    return { code: 204 };
  }
  throw unsupportedOperation();
}

function policyEndpoint(state: BaoState, path: string, op: Operation, body: Record<string, unknown>): Reply {
  const name = path.replace(/^sys\/(policies\/acl|policy)\/?/, '');
  if (name === '') throw unsupportedPath();
  if (op === 'read') {
    const p = state.policies.get(name);
    if (!p) throw notFound();
    const policy = Object.entries(p.paths)
      .map(([k, caps]) => `path "${k}" {\n  capabilities = [${caps.map((c) => `"${c}"`).join(', ')}]\n}`)
      .join('\n\n');
    return { code: 200, body: envelope({ name, policy }) };
  }
  if (op === 'update') {
    const text = body['policy'] ?? body['rules'];
    if (typeof text !== 'string' || text.trim() === '')
      throw badRequest("'policy' parameter not supplied or empty");
    try {
      state.policies.set(name, parsePolicyHcl(name, text));
    } catch (e) {
      throw badRequest(`failed to parse policy: ${(e as Error).message}`);
    }
    return { code: 204 };
  }
  if (op === 'delete') {
    state.policies.delete(name);
    return { code: 204 };
  }
  throw unsupportedOperation();
}
