// The self-review APIs kubectl uses: `kubectl auth can-i` (authorization.k8s.io/v1
// SelfSubjectAccessReview) and `kubectl auth whoami` (authentication.k8s.io/v1 SelfSubjectReview).
// Answered from the caller's own grant, never stored.
import type { Reply } from './api.ts';
import { authorize, groupsOf } from './rbac.ts';
import type { RequestAttributes, TokenGrant } from './rbac.ts';
import { badRequest } from './status-errors.ts';

interface ResourceAttributes {
  namespace?: string;
  verb?: string;
  group?: string;
  resource?: string;
  subresource?: string;
  name?: string;
}

export function selfSubjectAccessReview(grant: TokenGrant, body: unknown): Reply {
  const review = body as {
    spec?: {
      resourceAttributes?: ResourceAttributes;
      nonResourceAttributes?: { path?: string; verb?: string };
    };
  } | null;
  const spec = review?.spec;
  if (!spec || (!spec.resourceAttributes && !spec.nonResourceAttributes)) {
    throw badRequest('spec.resourceAttributes or spec.nonResourceAttributes is required');
  }
  const ra = spec.resourceAttributes;
  const attrs: RequestAttributes = ra
    ? {
        verb: ra.verb ?? '',
        resourceRequest: true,
        apiGroup: ra.group ?? '',
        resource: ra.resource ?? '',
        subresource: ra.subresource ?? '',
        name: ra.name ?? '',
        namespace: ra.namespace ?? '',
        path: '',
      }
    : {
        verb: spec.nonResourceAttributes?.verb ?? 'get',
        resourceRequest: false,
        apiGroup: '',
        resource: '',
        subresource: '',
        name: '',
        namespace: '',
        path: spec.nonResourceAttributes?.path ?? '',
      };
  const allowed = authorize(grant, attrs);
  return {
    code: 201,
    body: JSON.stringify({
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: {},
      spec,
      status: allowed ? { allowed: true, reason: 'allowed by the emulator token grant' } : { allowed: false },
    }),
  };
}

export function selfSubjectReview(grant: TokenGrant): Reply {
  return {
    code: 201,
    body: JSON.stringify({
      kind: 'SelfSubjectReview',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: {},
      status: { userInfo: { username: grant.user, groups: groupsOf(grant) } },
    }),
  };
}

/**
 * authentication.k8s.io/v1 TokenReview, as an authenticating webhook (OpenBao's Kubernetes auth
 * method) calls it: `spec.token` looked up in the emulator's token table. An unknown token answers
 * 201 with `authenticated` absent and an `error`, as the real server does (the review itself succeeded).
 */
export function tokenReview(tokens: ReadonlyMap<string, TokenGrant>, body: unknown): Reply {
  const review = body as { spec?: { token?: unknown; audiences?: unknown } } | null;
  const token = review?.spec?.token;
  if (typeof token !== 'string' || token === '') {
    throw badRequest('TokenReview.authentication.k8s.io "" is invalid: spec.token: Required value');
  }
  const audiences = Array.isArray(review?.spec?.audiences) ? (review.spec.audiences as unknown[]) : undefined;
  const spec = audiences ? { token, audiences } : { token };
  const grant = tokens.get(token);
  const status = grant
    ? {
        authenticated: true,
        user: {
          username: grant.user,
          uid: `emulator-uid-${grant.user}`,
          groups: groupsOf(grant),
        },
        ...(audiences ? { audiences } : {}),
      }
    : { user: {}, error: '[invalid bearer token, token lookup failed]' };
  return {
    code: 201,
    body: JSON.stringify({
      kind: 'TokenReview',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec,
      status,
    }),
  };
}
