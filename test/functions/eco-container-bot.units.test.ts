// eco-container-bot's checks on real-shaped pods, one table row per anchor rule.
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CONTAINER_CONFIG,
  checkPod,
  decideRestart,
  type ContainerStatus,
  type Pod,
} from '../../functions/eco-container-bot/checks.ts';

const NOW = new Date('2026-06-01T12:00:00Z');

function pod(overrides: {
  name?: string;
  statuses?: ContainerStatus[];
  init?: ContainerStatus[];
  owner?: boolean;
  phase?: string;
  deletionTimestamp?: string;
  finalizers?: string[];
  limits?: Record<string, string>;
  mirror?: boolean;
}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: overrides.name ?? 'web-7d4b9c8f6-x2x9z',
      namespace: 'apps',
      uid: 'u-1',
      creationTimestamp: '2026-05-30T10:00:00Z',
      ...(overrides.owner === false
        ? {}
        : {
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: 'ReplicaSet',
                name: 'web-7d4b9c8f6',
                uid: 'rs-1',
                controller: true,
              },
            ],
          }),
      ...(overrides.deletionTimestamp ? { deletionTimestamp: overrides.deletionTimestamp } : {}),
      ...(overrides.finalizers ? { finalizers: overrides.finalizers } : {}),
      ...(overrides.mirror ? { annotations: { 'kubernetes.io/config.mirror': 'abc' } } : {}),
    },
    spec: {
      nodeName: 'node-1',
      containers: [
        { name: 'app', image: 'registry.example.com/web:1.2', resources: { limits: overrides.limits ?? {} } },
      ],
    },
    status: {
      phase: overrides.phase ?? 'Running',
      containerStatuses: overrides.statuses ?? [running()],
      ...(overrides.init ? { initContainerStatuses: overrides.init } : {}),
    },
  };
}

function running(restartCount = 0, lastState: ContainerStatus['lastState'] = {}): ContainerStatus {
  return {
    name: 'app',
    image: 'registry.example.com/web:1.2',
    imageID: 'registry.example.com/web@sha256:' + 'b'.repeat(64),
    ready: true,
    restartCount,
    state: { running: { startedAt: '2026-06-01T11:00:00Z' } },
    lastState,
  };
}

function waiting(
  reason: string,
  restartCount = 0,
  lastState: ContainerStatus['lastState'] = {},
): ContainerStatus {
  return {
    name: 'app',
    image: 'registry.example.com/web:1.2',
    ready: false,
    restartCount,
    state: { waiting: { reason, message: 'detail' } },
    lastState,
  };
}

const checks = (p: Pod): string[] =>
  checkPod(p, NOW)
    .map((d) => d.check)
    .sort();

describe('eco-container-bot checks', () => {
  it.each([
    ['healthy pod (look-alike: running, 0 restarts)', pod({}), []],
    [
      'Popeye 202 waiting: CrashLoopBackOff',
      pod({ statuses: [waiting('CrashLoopBackOff', 3, { terminated: { exitCode: 1, reason: 'Error' } })] }),
      ['container.crashloop'],
    ],
    [
      'Robusta crash loop: 2 restarts, last exit non-zero, waiting to start',
      pod({
        statuses: [waiting('ContainerCreating', 2, { terminated: { exitCode: 137, reason: 'Error' } })],
      }),
      ['container.crashloop'],
    ],
    [
      'look-alike: 2 restarts, last exit 0, running again',
      pod({ statuses: [running(2, { terminated: { exitCode: 0, reason: 'Completed' } })] }),
      [],
    ],
    [
      'Popeye 202 waiting: ImagePullBackOff',
      pod({ statuses: [waiting('ImagePullBackOff')] }),
      ['container.image-pull'],
    ],
    ['ErrImagePull', pod({ statuses: [waiting('ErrImagePull')] }), ['container.image-pull']],
    [
      'init container cannot pull',
      pod({ init: [{ ...waiting('ErrImagePull'), name: 'init' }], statuses: [waiting('PodInitializing')] }),
      ['container.image-pull'],
    ],
    [
      'Robusta on_pod_oom_killed: last state OOMKilled',
      pod({
        statuses: [running(1, { terminated: { exitCode: 137, reason: 'OOMKilled' } })],
        limits: { memory: '128Mi' },
      }),
      ['container.oom-killed'],
    ],
    [
      'Popeye 205: 6 restarts is over 5',
      pod({ statuses: [running(6, { terminated: { exitCode: 0, reason: 'Completed' } })] }),
      ['container.restarts'],
    ],
    [
      'look-alike: exactly 5 restarts',
      pod({ statuses: [running(5, { terminated: { exitCode: 0, reason: 'Completed' } })] }),
      [],
    ],
    ['Popeye 208: unmanaged pod', pod({ owner: false }), ['container.bare-pod']],
    [
      'look-alike: a static (mirror) pod has no controller but is managed by the kubelet',
      pod({ owner: false, mirror: true }),
      [],
    ],
    [
      'look-alike: a finished bare pod is cleanup-bot business',
      pod({ owner: false, phase: 'Succeeded' }),
      [],
    ],
    [
      'Popeye 200 terminating: 10 minutes past the grace deadline',
      pod({ deletionTimestamp: '2026-06-01T11:50:00Z' }),
      ['container.stuck-terminating'],
    ],
    [
      'look-alike: Terminating within 5 minutes of the deadline',
      pod({ deletionTimestamp: '2026-06-01T11:57:00Z' }),
      [],
    ],
    ['look-alike: deadline still ahead', pod({ deletionTimestamp: '2026-06-01T12:00:20Z' }), []],
  ])('%s', (_name, input, expected) => {
    expect(checks(input)).toEqual(expected);
  });

  it('a finding says what, with evidence and a fix', () => {
    const [oom] = checkPod(
      pod({
        statuses: [
          running(1, {
            terminated: { exitCode: 137, reason: 'OOMKilled', finishedAt: '2026-06-01T10:59:00Z' },
          }),
        ],
        limits: { memory: '128Mi' },
      }),
      NOW,
    );
    expect(oom).toMatchObject({
      severity: 'warning',
      object: { apiVersion: 'v1', kind: 'Pod', namespace: 'apps', name: 'web-7d4b9c8f6-x2x9z' },
      message: 'container app was OOMKilled at its 128Mi memory limit',
      evidence: { container: 'app', memoryLimit: '128Mi', restartCount: 1 },
      discriminator: 'app',
    });
    expect(oom?.fix).toMatch(/memory limit/);
  });

  it('a stuck pod with a finalizer names the finalizer', () => {
    const [stuck] = checkPod(
      pod({ deletionTimestamp: '2026-06-01T10:00:00Z', finalizers: ['example.com/hold'] }),
      NOW,
    );
    expect(stuck?.message).toBe('pod has been Terminating 2h past its grace period');
    expect(stuck?.fix).toContain('example.com/hold');
  });

  it('thresholds are settings', () => {
    const config = { ...DEFAULT_CONTAINER_CONFIG, restartLimit: 10 };
    expect(checkPod(pod({ statuses: [running(6, { terminated: { exitCode: 0 } })] }), NOW, config)).toEqual(
      [],
    );
  });
});

describe('decideRestart (Robusta crash-loop rate limit: one action per 4 h)', () => {
  it.each([
    ['below the threshold', 4, undefined, false],
    ['at the threshold, never restarted', 5, undefined, true],
    ['restarted 1 h ago', 9, { 'kubectl.kubernetes.io/restartedAt': '2026-06-01T11:00:00Z' }, false],
    ['restarted 5 h ago', 9, { 'kubectl.kubernetes.io/restartedAt': '2026-06-01T07:00:00Z' }, true],
    ['garbage annotation does not block', 9, { 'kubectl.kubernetes.io/restartedAt': 'yesterday' }, true],
  ])('%s', (_name, maxRestarts, templateAnnotations, restart) => {
    expect(decideRestart({ maxRestarts, threshold: 5, templateAnnotations, now: NOW }).restart).toBe(restart);
  });
});
