import { describe, expect, it } from 'vitest';
import { rbacAllows, rbacManifests, serviceAccountUser } from '../../../shared/k8s/rbac.ts';
import { resources } from '../../../shared/k8s/resources.ts';
import type { RbacRule } from '../../../shared/bot/types.ts';

const rules: RbacRule[] = [
  { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'delete'] },
  { apiGroups: ['batch'], resources: ['jobs'], verbs: ['list'] },
  { apiGroups: [''], resources: ['configmaps'], verbs: ['get'], resourceNames: ['routes'] },
];

describe('rbacManifests', () => {
  it('derives exactly the declared permissions: SA, ClusterRole and binding named after the bot', () => {
    const [sa, role, binding, ...rest] = rbacManifests({ name: 'eco-x-bot', rbac: rules });
    expect(rest).toEqual([]);
    expect(sa).toMatchObject({
      kind: 'ServiceAccount',
      metadata: { name: 'eco-x-bot', namespace: 'eco-bots' },
    });
    expect(role).toMatchObject({
      kind: 'ClusterRole',
      apiVersion: 'rbac.authorization.k8s.io/v1',
      metadata: { name: 'eco-x-bot' },
    });
    expect(role?.rules).toEqual(rules);
    expect(binding).toMatchObject({
      kind: 'ClusterRoleBinding',
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'eco-x-bot' },
      subjects: [{ kind: 'ServiceAccount', name: 'eco-x-bot', namespace: 'eco-bots' }],
    });
    expect(JSON.stringify([sa, role, binding])).not.toContain('"*"');
  });

  it('uses the given namespace and gives a rule-less bot a token-less ServiceAccount only', () => {
    const out = rbacManifests({ name: 'eco-quiet-bot', rbac: [] }, 'ops');
    expect(out).toEqual([
      expect.objectContaining({
        kind: 'ServiceAccount',
        automountServiceAccountToken: false,
        metadata: expect.objectContaining({ namespace: 'ops' }),
      }),
    ]);
    expect(serviceAccountUser('eco-quiet-bot', 'ops')).toBe('system:serviceaccount:ops:eco-quiet-bot');
  });

  it('refuses wildcards and empty lists', () => {
    expect(() =>
      rbacManifests({
        name: 'eco-bad-bot',
        rbac: [{ apiGroups: ['*'], resources: ['pods'], verbs: ['get'] }],
      }),
    ).toThrow(/wildcard/);
    expect(() =>
      rbacManifests({ name: 'eco-bad-bot', rbac: [{ apiGroups: [''], resources: ['pods'], verbs: [] }] }),
    ).toThrow(/empty/);
  });
});

describe('rbacAllows', () => {
  it('matches group, resource, verb, subresource and resourceNames', () => {
    expect(rbacAllows(rules, resources.pods, 'delete')).toBe(true);
    expect(rbacAllows(rules, resources.pods, 'patch')).toBe(false);
    expect(rbacAllows(rules, resources.jobs, 'list')).toBe(true);
    expect(rbacAllows(rules, resources.jobs, 'delete')).toBe(false);
    expect(rbacAllows(rules, resources.pods, 'get', { subresource: 'log' })).toBe(false);
    expect(rbacAllows(rules, resources.configmaps, 'get', { name: 'routes' })).toBe(true);
    expect(rbacAllows(rules, resources.configmaps, 'get')).toBe(false);
  });
});
