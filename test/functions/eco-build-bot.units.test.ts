// eco-build-bot's Job: a rootless BuildKit build, validated with kubernetes-models (the official schemas).
import { Job } from 'kubernetes-models/batch/v1/Job';
import { describe, expect, it } from 'vitest';
import {
  BuildRequestError,
  buildJob,
  buildOutcome,
  buildctlArgs,
  digestFromMetadata,
  parseContext,
  parseTarget,
} from '../../functions/eco-build-bot/job.ts';

const D = `sha256:${'d'.repeat(64)}`;
type PodSpec = {
  securityContext: Record<string, unknown>;
  containers: {
    securityContext: Record<string, unknown>;
    command: string[];
    resources: unknown;
    volumeMounts: { name: string }[];
  }[];
  volumes: { name: string }[];
};
const podSpec = (job: Record<string, unknown>): PodSpec =>
  (job as { spec: { template: { spec: PodSpec } } }).spec.template.spec;

describe('buildJob', () => {
  const gitJob = buildJob(
    {
      context: 'https://git.example.com/team/app.git#main',
      image: 'registry.example.com/team/app:1.4.0',
      buildArgs: { VERSION: '1.4.0' },
    },
    { namespace: 'builds', name: 'app-1-4-0-abcde', pushSecret: 'registry-push' },
  );

  it('is a valid batch/v1 Job by the Kubernetes schema', () => {
    expect(() => new Job(gitJob as ConstructorParameters<typeof Job>[0]).validate()).not.toThrow();
  });

  it('runs as non-root, never privileged, in the large tier', () => {
    const spec = podSpec(gitJob);
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(spec.containers[0]?.securityContext).toMatchObject({ privileged: false, runAsNonRoot: true });
    expect(spec.containers[0]?.resources).toEqual({
      requests: { cpu: '500m', memory: '512Mi', 'ephemeral-storage': '5Gi' },
      limits: { cpu: '1', memory: '1Gi', 'ephemeral-storage': '5Gi' },
    });
    expect(spec.volumes.map((v) => v.name)).toContain('push-credentials');
  });

  it('lets BuildKit fetch a git context and pushes to the image, writing the digest to the termination log', () => {
    const script = podSpec(gitJob).containers[0]!.command[2]!;
    expect(script).toContain("--opt 'context=https://git.example.com/team/app.git#main'");
    expect(script).toContain('--opt build-arg:VERSION=1.4.0');
    expect(script).toContain('--output type=image,name=registry.example.com/team/app:1.4.0,push=true');
    expect(script).toMatch(/&& cat \/tmp\/build\/metadata.json > \/dev\/termination-log$/);
  });

  it('mounts a ConfigMap context and marks an insecure registry', () => {
    const job = buildJob(
      { context: 'configmap:app-src', dockerfile: 'build/Dockerfile', image: '127.0.0.1:5000/app:dev' },
      { namespace: 'builds', name: 'app-dev', insecureRegistries: ['127.0.0.1:5000'] },
    );
    expect(() => new Job(job as ConstructorParameters<typeof Job>[0]).validate()).not.toThrow();
    const script = podSpec(job).containers[0]!.command[2]!;
    expect(script).toContain(
      '--local context=/workspace --local dockerfile=/workspace/build --opt filename=Dockerfile',
    );
    expect(script).toContain('registry.insecure=true');
    expect(podSpec(job).volumes.map((v) => v.name)).toEqual(['buildkitd', 'build', 'context']);
  });

  it('quotes build args for the shell', () => {
    const args = buildctlArgs(
      { context: 'configmap:x', image: 'r.example/a:1', buildArgs: { MSG: "it's $HOME" } },
      parseTarget('r.example/a:1'),
      false,
    );
    expect(args).toContain("build-arg:MSG=it's $HOME");
    const job = buildJob(
      { context: 'configmap:x', image: 'r.example/a:1', buildArgs: { MSG: "it's $HOME" } },
      { namespace: 'b', name: 'x' },
    );
    expect(podSpec(job).containers[0]!.command[2]).toContain(`'build-arg:MSG=it'\\''s $HOME'`);
  });
});

describe('request validation names the field', () => {
  it.each([
    [() => parseContext('/etc/passwd'), 'context'],
    [() => parseContext('configmap:Bad_Name'), 'context'],
    [() => parseTarget('app:1'), 'image'],
    [() => parseTarget('registry.example.com/app'), 'image'],
    [() => parseTarget(`registry.example.com/app@${D}`), 'image'],
    [
      () =>
        buildJob(
          { context: 'configmap:x', image: 'r.example/a:1', dockerfile: '../Dockerfile' },
          { namespace: 'b', name: 'x' },
        ),
      'dockerfile',
    ],
    [
      () =>
        buildJob(
          { context: 'configmap:x', image: 'r.example/a:1', buildArgs: { 'a b': '1' } },
          { namespace: 'b', name: 'x' },
        ),
      'buildArgs.a b',
    ],
  ])('%#', (call, field) => {
    let error: unknown;
    try {
      call();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BuildRequestError);
    expect((error as BuildRequestError).field).toBe(field);
  });

  it.each([
    ['https://git.example.com/a/b.git'],
    ['git@git.example.com:a/b.git#v1'],
    ['git://git.example.com/a/b#main:sub'],
  ])('accepts %s', (url) => {
    expect(parseContext(url)).toEqual({ kind: 'git', url });
  });
});

describe('buildOutcome', () => {
  it.each([
    [{ status: {} }, undefined, { state: 'running' }],
    [
      { status: { succeeded: 1 } },
      {
        status: {
          containerStatuses: [
            {
              state: { terminated: { exitCode: 0, message: JSON.stringify({ 'containerimage.digest': D }) } },
            },
          ],
        },
      },
      { state: 'succeeded', digest: D },
    ],
    [
      {
        status: {
          failed: 1,
          conditions: [
            {
              type: 'Failed',
              status: 'True',
              reason: 'BackoffLimitExceeded',
              message: 'Job has reached the specified backoff limit',
            },
          ],
        },
      },
      undefined,
      { state: 'failed', reason: 'Job has reached the specified backoff limit' },
    ],
  ])('%j', (job, pod, expected) => {
    expect(buildOutcome(job, pod)).toEqual(expected);
  });
  it('ignores a metadata file without a digest', () => {
    expect(digestFromMetadata('{"x":1}')).toBeUndefined();
    expect(digestFromMetadata('not json')).toBeUndefined();
  });
});
