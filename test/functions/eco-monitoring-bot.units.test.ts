import { describe, expect, it } from 'vitest';
import { nodeUsage, podBasis, podUsage } from '../../functions/eco-monitoring-bot/usage.ts';

describe('usage arithmetic', () => {
  it('computes node percent of allocatable, and none without allocatable', () => {
    const row = nodeUsage(
      { metadata: { name: 'n' }, usage: { cpu: '1500m', memory: '1Gi' } },
      { metadata: { name: 'n' }, status: { allocatable: { cpu: '3', memory: '4Gi' } } },
    );
    expect(row).toMatchObject({ cpuCores: 1.5, cpuPercent: 50, memoryPercent: 25 });
    expect(nodeUsage({ metadata: { name: 'n' }, usage: { cpu: '1' } }, undefined).cpuPercent).toBeUndefined();
  });

  it('uses limits, else requests, per container; containers with neither only add absolute usage', () => {
    const pod = {
      metadata: { name: 'p' },
      spec: {
        containers: [
          { name: 'a', resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '100m' } } },
          { name: 'b', resources: { requests: { cpu: '500m' } } },
          { name: 'c' },
        ],
      },
    };
    const basis = podBasis(pod);
    expect(basis.get('a')).toEqual({
      cpu: { value: 1, basis: 'limit' },
      memory: { value: 1073741824, basis: 'limit' },
    });
    expect(basis.get('b')).toEqual({ cpu: { value: 0.5, basis: 'request' } });
    const row = podUsage(
      {
        metadata: { name: 'p', namespace: 'x' },
        containers: [
          { name: 'a', usage: { cpu: '600m', memory: '512Mi' } },
          { name: 'b', usage: { cpu: '300m', memory: '1Mi' } },
          { name: 'c', usage: { cpu: '2', memory: '1Gi' } },
        ],
      },
      basis,
    );
    expect(row).toMatchObject({
      cpuCores: 2.9,
      cpuPercent: 60,
      cpuBasis: 'request',
      memoryPercent: 50,
      memoryBasis: 'limit',
    });
    expect(
      podUsage({ metadata: { name: 'q' }, containers: [{ name: 'z', usage: { cpu: '1' } }] }, undefined)
        .cpuPercent,
    ).toBeUndefined();
  });
});
