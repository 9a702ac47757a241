// The selection the per-workload checks (security, compliance, secrets) share.
import { describe, expect, it } from 'vitest';
import { isTopLevelWorkload, managedByWorkload } from '../../../shared/workloads/index.ts';

const obj = (kind: string, owner?: { kind: string; controller?: boolean }, phase?: string) => ({
  kind,
  metadata: { name: 'x', ...(owner === undefined ? {} : { ownerReferences: [owner] }) },
  ...(phase === undefined ? {} : { status: { phase } }),
});

describe('top-level workloads', () => {
  it('judges a workload where its controller is, and a bare running pod itself', () => {
    expect(isTopLevelWorkload(obj('Deployment'))).toBe(true);
    expect(isTopLevelWorkload(obj('ReplicaSet', { kind: 'Deployment', controller: true }))).toBe(false);
    expect(isTopLevelWorkload(obj('Job', { kind: 'CronJob' }))).toBe(false);
    expect(isTopLevelWorkload(obj('Pod', { kind: 'ReplicationController', controller: true }))).toBe(false);
    expect(isTopLevelWorkload(obj('Pod', undefined, 'Running'))).toBe(true);
  });

  it('judges what an operator owns, and skips finished pods and non-workload kinds', () => {
    expect(isTopLevelWorkload(obj('StatefulSet', { kind: 'PostgresCluster', controller: true }))).toBe(true);
    expect(isTopLevelWorkload(obj('Pod', { kind: 'ReplicaSet', controller: false }))).toBe(true);
    expect(isTopLevelWorkload(obj('Pod', undefined, 'Succeeded'))).toBe(false);
    expect(isTopLevelWorkload(obj('Pod', undefined, 'Failed'))).toBe(false);
    expect(isTopLevelWorkload(obj('Service'))).toBe(false);
    expect(managedByWorkload(obj('Job', { kind: 'CronJob' }))).toBe(true);
  });
});
