// The node:http front: fault injection, bearer-token authentication, RBAC, discovery, the API verbs,
// the admin endpoints under /_emulator/ (faults, request log) and the request log itself.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from './resources.ts';
import type { FaultInjector } from './faults.ts';
import { faultError, faultFromJson } from './faults.ts';
import { authorize, forbiddenMessage } from './rbac.ts';
import { grantFromStore } from './rbac-store.ts';
import type { TokenGrant, RequestAttributes } from './rbac.ts';
import { Api } from './api.ts';
import type { ApiContext, Reply } from './api.ts';
import { attributesOf, parseResourceRequest, splitApiPath } from './request.ts';
import type { ResourceRequest } from './request.ts';
import {
  ApiError,
  badRequest,
  forbidden,
  internalError,
  statusBody,
  methodNotAllowed,
  requestEntityTooLarge,
  unauthorized,
  unknownResource,
} from './status-errors.ts';
import {
  OPENAPI_V2_JSON,
  OPENAPI_V2_PROTOBUF,
  VERSION_INFO,
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  openApiV3Doc,
  openApiV3Root,
} from './discovery.ts';
import { serveWatch } from './watch.ts';
import { healthReply } from './health.ts';
import { selfSubjectAccessReview, selfSubjectReview, tokenReview } from './access-review.ts';
import { PROTOBUF, decodeSelfSubjectAccessReview } from './protobuf.ts';
import type { WatchOptions } from './watch.ts';
import { tableFor, wantsTable } from './table.ts';
import { partialMetadataFor, wantsPartialMetadata } from './partial-metadata.ts';

export interface RecordedRequest {
  method: string;
  /** URL path without the query. */
  path: string;
  /** The raw query string without `?` ('' when none). */
  query: string;
  /** Authenticated user ('system:anonymous' when none, '' when authentication failed). */
  user: string;
  /** Response status; 0 for an injected connection reset. */
  status: number;
  /** RBAC verb and resource (`pods`, `pods/log`) for resource requests. */
  verb?: string;
  resource?: string;
  namespace?: string;
  name?: string;
  /** Response body bytes (0 for a watch stream or a reset). */
  bytes: number;
}

/** Everything answered since start, unbounded by the request log's cap (benches count reads). */
export interface Traffic {
  requests: number;
  bytes: number;
}

export interface ServerDeps extends ApiContext {
  registry: Registry;
  faults: FaultInjector;
  requests: RecordedRequest[];
  maxRecordedRequests: number;
  traffic: Traffic;
  tokens: Map<string, TokenGrant>;
  anonymousAdmin: boolean;
  watch: WatchOptions;
  openWatches: Set<ServerResponse>;
  /** host:port for /api serverAddressByClientCIDRs. */
  address: () => string;
}

const MAX_BODY = 3 * 1024 * 1024;
const isPublic = (p: string): boolean => p === '/version' || /^\/(healthz|livez|readyz)(\/|$)/.test(p);

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(requestEntityTooLarge('limit is 3145728'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Body bytes of each answer, read back into its request record when the answer is done. */
const sentBytes = new WeakMap<ServerResponse, number>();

function send(res: ServerResponse, reply: Reply): void {
  if (res.headersSent || res.destroyed) return;
  sentBytes.set(res, typeof reply.body === 'string' ? Buffer.byteLength(reply.body) : reply.body.byteLength);
  const headers: Record<string, string | number> = {
    'Content-Type': reply.contentType ?? 'application/json',
    'Cache-Control': 'no-cache, private',
    ...(reply.headers ?? {}),
  };
  res.writeHead(reply.code, headers);
  res.end(reply.body);
}

function sendError(res: ServerResponse, e: ApiError): void {
  send(res, { code: e.code, body: JSON.stringify(e.status), headers: e.headers });
}

// Unref'd: an injected hang must not keep a test process alive after close().
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());

export function createRequestHandler(deps: ServerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const api = new Api(deps);
  return (req, res) => {
    handle(deps, api, req, res).catch((e: unknown) => {
      // Never crash the emulator on a handler bug: answer 500 with a Status.
      sendError(res, e instanceof ApiError ? e : internalError((e as Error)?.message ?? String(e)));
    });
  };
}

async function handle(deps: ServerDeps, api: Api, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  const url = new URL(req.url ?? '/', 'http://emulator.local');
  const pathname = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
  const record: RecordedRequest = {
    method,
    path: pathname,
    query: url.search.replace(/^\?/, ''),
    user: '',
    status: 0,
    bytes: 0,
  };
  const finish = (): void => {
    record.status = res.statusCode && res.headersSent ? res.statusCode : record.status;
    record.bytes = sentBytes.get(res) ?? 0;
    deps.traffic.requests += 1;
    deps.traffic.bytes += record.bytes;
    deps.requests.push(record);
    if (deps.requests.length > deps.maxRecordedRequests)
      deps.requests.splice(0, deps.requests.length - deps.maxRecordedRequests);
  };
  let finished = false;
  res.on('close', () => {
    if (!finished) {
      finished = true;
      finish();
    }
  });

  if (pathname.startsWith('/_emulator/')) return admin(deps, method, pathname, req, res);

  const fault = deps.faults.take(method, pathname, record.query);
  if (fault) {
    if (fault.latencyMs) await sleep(fault.latencyMs);
    if (fault.reset) {
      record.status = 0;
      req.socket.destroy();
      return;
    }
    if (fault.status !== undefined) return sendError(res, faultError(fault));
  }

  // Authentication.
  const auth = req.headers.authorization ?? '';
  let grant: TokenGrant | undefined;
  if (auth) {
    const m = /^Bearer\s+(.+)$/i.exec(auth);
    grant = m ? deps.tokens.get((m[1] as string).trim()) : undefined;
    if (!grant) return sendError(res, unauthorized());
  } else if (deps.anonymousAdmin) grant = { user: 'system:anonymous' };
  else if (isPublic(pathname)) grant = { user: 'system:anonymous', rules: [] };
  else return sendError(res, unauthorized());
  record.user = grant.user;

  try {
    const apiPath = splitApiPath(pathname);
    if (!apiPath) return nonResource(deps, method, pathname, req, res);
    const r = parseApiPathOrDiscovery(deps, apiPath, url.searchParams, res);
    if (!r) return;
    if (req.headers['user-agent']) r.userAgent = req.headers['user-agent'];
    const attrs = attributesOf(r, method, pathname);
    record.verb = attrs.verb;
    record.resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
    if (r.namespace) record.namespace = r.namespace;
    if (r.name) record.name = r.name;
    const effective = grant.rbacFromStore ? grantFromStore(deps.store, grant) : grant;
    const selfReview = r.def.plural === 'selfsubjectaccessreviews' || r.def.plural === 'selfsubjectreviews';
    if (!selfReview && !authorize(effective, attrs)) throw denied(r, grant.user, attrs);
    const body = method === 'GET' || method === 'HEAD' ? Buffer.alloc(0) : await readBody(req);
    const q = url.searchParams;
    // TokenReview (RBAC-checked above: `create tokenreviews`, as system:auth-delegator grants) answers
    // from the emulator's token table; nothing is stored.
    if (r.def.plural === 'tokenreviews') {
      if (method !== 'POST' || r.name) throw methodNotAllowed(method.toLowerCase(), r.def);
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch (e) {
        throw badRequest(`the body of the request could not be decoded: ${(e as Error).message}`);
      }
      return send(res, tokenReview(deps.tokens, parsed));
    }
    // Self reviews are answered from the caller's grant (every authenticated user may ask).
    if (r.def.plural === 'selfsubjectaccessreviews' || r.def.plural === 'selfsubjectreviews') {
      if (method !== 'POST' || r.name) throw methodNotAllowed(method.toLowerCase(), r.def);
      if (r.def.plural === 'selfsubjectreviews') return send(res, selfSubjectReview(grant));
      let parsed: unknown;
      try {
        // kubectl sends this one as protobuf (and accepts JSON back).
        parsed = (req.headers['content-type'] ?? '').startsWith(PROTOBUF)
          ? decodeSelfSubjectAccessReview(body)
          : JSON.parse(body.toString('utf8'));
      } catch (e) {
        throw badRequest(`the body of the request could not be decoded: ${(e as Error).message}`);
      }
      return send(res, selfSubjectAccessReview(effective, parsed));
    }
    switch (method) {
      case 'GET':
      case 'HEAD':
        if (r.watch) return serveWatch(deps.store, r, q, res, deps.openWatches, deps.watch);
        if (!r.name) {
          if (r.def.subresources.length && r.subresource) throw unknownResource();
          const reply = api.list(r, q);
          if (wantsTable(req.headers.accept)) return send(res, tableFor(r.def, reply, deps.store.now()));
          return send(
            res,
            wantsPartialMetadata(req.headers.accept, true) ? partialMetadataFor(reply) : reply,
          );
        }
        {
          const reply = api.get(r, q);
          const table = wantsTable(req.headers.accept) && !r.subresource;
          if (table) return send(res, tableFor(r.def, reply, deps.store.now()));
          const partial = wantsPartialMetadata(req.headers.accept, false) && !r.subresource;
          return send(res, partial ? partialMetadataFor(reply) : reply);
        }
      case 'POST':
        return send(res, api.create(r, q, body));
      case 'PUT':
        return send(res, api.update(r, q, body));
      case 'PATCH':
        return send(res, api.patch(r, q, body, req.headers['content-type']));
      case 'DELETE':
        return send(res, api.delete(r, q, body));
      default:
        throw methodNotAllowed(method.toLowerCase(), r.def);
    }
  } catch (e) {
    if (e instanceof ApiError) return sendError(res, e);
    throw e;
  }
}

function denied(r: ResourceRequest, user: string, attrs: RequestAttributes): ApiError {
  return forbidden(
    { group: r.group, plural: r.def.plural },
    r.name || undefined,
    forbiddenMessage(user, attrs),
  );
}

/** `/api/v1` and `/apis/g/v` themselves are discovery; anything deeper is a resource request. */
function parseApiPathOrDiscovery(
  deps: ServerDeps,
  p: NonNullable<ReturnType<typeof splitApiPath>>,
  q: URLSearchParams,
  res: ServerResponse,
): ResourceRequest | undefined {
  if (p.segments.length === 0) {
    const list = apiResourceList(deps.registry, p.group, p.version);
    if (!list) throw unknownResource();
    send(res, { code: 200, body: JSON.stringify(list) });
    return undefined;
  }
  const watch = q.get('watch') === 'true' || q.get('watch') === '1';
  return parseResourceRequest(deps.registry, p, watch);
}

function nonResource(
  deps: ServerDeps,
  method: string,
  pathname: string,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  if (method !== 'GET' && method !== 'HEAD') {
    return sendError(
      res,
      new ApiError(
        statusBody(
          405,
          'MethodNotAllowed',
          'the server does not allow this method on the requested resource',
        ),
      ),
    );
  }
  const ok = (body: unknown): void => send(res, { code: 200, body: JSON.stringify(body) });
  const health = healthReply(pathname, new URL(req.url ?? '/', 'http://emulator.local').searchParams);
  if (health) return send(res, health);
  switch (pathname) {
    case '/version':
      return ok(VERSION_INFO);
    case '/api':
      return ok(apiVersions(deps.address()));
    case '/apis':
      return ok(apiGroupList(deps.registry));
    case '/openapi/v2': {
      const accept = req.headers.accept ?? '';
      if (accept.includes('protobuf')) {
        return send(res, {
          code: 200,
          body: OPENAPI_V2_PROTOBUF,
          contentType: 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf',
        });
      }
      return ok(OPENAPI_V2_JSON);
    }
    case '/openapi/v3':
      return ok(openApiV3Root(deps.registry));
  }
  const group = /^\/apis\/([^/]+)$/.exec(pathname);
  if (group) {
    const doc = apiGroup(deps.registry, group[1] as string);
    return doc ? ok(doc) : sendError(res, unknownResource());
  }
  const v3 = /^\/openapi\/v3\/(?:api\/([^/]+)|apis\/([^/]+)\/([^/]+))$/.exec(pathname);
  if (v3) {
    const doc = v3[1]
      ? openApiV3Doc(deps.registry, '', v3[1])
      : openApiV3Doc(deps.registry, v3[2] as string, v3[3] as string);
    return doc ? ok(doc) : sendError(res, unknownResource());
  }
  return sendError(res, unknownResource());
}

/** /_emulator/faults (GET list, POST add, DELETE clear, DELETE /{id}) and /_emulator/requests. */
async function admin(
  deps: ServerDeps,
  method: string,
  pathname: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const ok = (code: number, body: unknown): void => send(res, { code, body: JSON.stringify(body) });
  try {
    if (pathname === '/_emulator/faults') {
      if (method === 'GET')
        return ok(200, {
          faults: deps.faults
            .list()
            .map((f) => ({ ...f, path: f.path instanceof RegExp ? String(f.path) : f.path })),
        });
      if (method === 'DELETE') {
        deps.faults.clear();
        return ok(200, { cleared: true });
      }
      if (method === 'POST') {
        const raw = await readBody(req);
        let parsed: unknown;
        try {
          parsed = JSON.parse(raw.toString('utf8'));
        } catch {
          throw badRequest('fault body is not valid JSON');
        }
        let spec;
        try {
          spec = faultFromJson(parsed);
        } catch (e) {
          throw badRequest((e as Error).message);
        }
        return ok(201, { id: deps.faults.add(spec) });
      }
    }
    const one = /^\/_emulator\/faults\/([^/]+)$/.exec(pathname);
    if (one && method === 'DELETE')
      return ok(deps.faults.remove(one[1] as string) ? 200 : 404, { id: one[1] });
    if (pathname === '/_emulator/requests') {
      if (method === 'GET') return ok(200, { requests: deps.requests });
      if (method === 'DELETE') {
        deps.requests.length = 0;
        return ok(200, { cleared: true });
      }
    }
    throw unknownResource();
  } catch (e) {
    if (e instanceof ApiError) return sendError(res, e);
    throw e;
  }
}
