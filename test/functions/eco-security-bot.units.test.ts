// eco-security-bot's pure logic: every Pod Security Standards check (baseline and restricted) with
// the cases the PSS page names, the level a pod meets, namespace labels, and Polaris' score.
import { describe, expect, it } from 'vitest';
import {
  PSS_CHECKS,
  compareNamespaceLabels,
  evaluatePod,
  podSecurityLevel,
  weakestLevel,
} from '../../functions/eco-security-bot/pss.ts';
import type { PssLevel } from '../../functions/eco-security-bot/pss.ts';
import type { Container, PodSpec, SecurityContext } from '../../functions/eco-security-bot/pod-spec.ts';
import { podTemplateOf } from '../../functions/eco-security-bot/pod-spec.ts';
import { addResults, emptyCounts, polarisScore } from '../../functions/eco-security-bot/score.ts';
import { CHECK_GROUPS, assess, topLevel } from '../../functions/eco-security-bot/assess.ts';
import { safeFix } from '../../functions/eco-security-bot/safe-fix.ts';

/** A pod that meets the restricted level and the hardening check. */
const restrictedContainer = (name = 'app', extra: Partial<Container> = {}): Container => ({
  name,
  image: 'cgr.dev/chainguard/static:latest',
  securityContext: {
    allowPrivilegeEscalation: false,
    runAsNonRoot: true,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
  },
  ...extra,
});
const restrictedPod = (over: Partial<PodSpec> = {}): PodSpec => ({
  securityContext: { seccompProfile: { type: 'RuntimeDefault' }, runAsUser: 10001 },
  containers: [restrictedContainer()],
  volumes: [{ name: 'tmp', emptyDir: {} }],
  ...over,
});
type LooseSc = { [K in keyof SecurityContext]?: SecurityContext[K] | undefined };
// Undefined values stand for "leave the field unset" (JSON.stringify drops them, as the API would).
const withSc = (sc: LooseSc): PodSpec =>
  restrictedPod({
    containers: [
      restrictedContainer('app', {
        securityContext: JSON.parse(
          JSON.stringify({ ...restrictedContainer().securityContext, ...sc }),
        ) as SecurityContext,
      }),
    ],
  });
const failing = (spec: PodSpec, annotations: Record<string, string> = {}): string[] =>
  evaluatePod(spec, annotations)
    .filter((r) => r.violations.length > 0)
    .map((r) => r.check.id);

describe('Pod Security Standards, check by check', () => {
  it('passes a pod that meets restricted', () => {
    expect(failing(restrictedPod())).toEqual([]);
    expect(podSecurityLevel(evaluatePod(restrictedPod()))).toBe('restricted');
  });

  it.each<[string, PodSpec, string[], Record<string, string>?]>([
    ['privileged', withSc({ privileged: true }), ['privileged']],
    ['hostNetwork', restrictedPod({ hostNetwork: true }), ['host-namespaces']],
    ['hostPID and hostIPC', restrictedPod({ hostPID: true, hostIPC: true }), ['host-namespaces']],
    [
      'hostPath',
      restrictedPod({ volumes: [{ name: 'root', hostPath: { path: '/' } }] }),
      ['host-path', 'volume-types'],
    ],
    [
      'hostPort',
      restrictedPod({
        containers: [restrictedContainer('app', { ports: [{ containerPort: 80, hostPort: 8080 }] })],
      }),
      ['host-ports'],
    ],
    [
      'hostPort 0 is no host port',
      restrictedPod({
        containers: [restrictedContainer('app', { ports: [{ containerPort: 80, hostPort: 0 }] })],
      }),
      [],
    ],
    [
      'SYS_ADMIN added',
      withSc({ capabilities: { drop: ['ALL'], add: ['SYS_ADMIN'] } }),
      ['capabilities', 'capabilities-strict'],
    ],
    [
      'CAP_NET_ADMIN spelled with the prefix',
      withSc({ capabilities: { drop: ['ALL'], add: ['CAP_NET_ADMIN'] } }),
      ['capabilities', 'capabilities-strict'],
    ],
    [
      'CHOWN added: baseline allows, restricted does not',
      withSc({ capabilities: { drop: ['ALL'], add: ['CHOWN'] } }),
      ['capabilities-strict'],
    ],
    [
      'NET_BIND_SERVICE added: allowed by both',
      withSc({ capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } }),
      [],
    ],
    ['drop ALL missing', withSc({ capabilities: { drop: ['NET_RAW'] } }), ['capabilities-strict']],
    [
      'seccomp Unconfined in a container',
      withSc({ seccompProfile: { type: 'Unconfined' } }),
      ['seccomp', 'seccomp-strict'],
    ],
    [
      'seccomp unset everywhere',
      restrictedPod({ securityContext: { runAsUser: 10001 } }),
      ['seccomp-strict'],
    ],
    [
      'seccomp set per container instead of on the pod',
      restrictedPod({
        securityContext: {},
        containers: [
          restrictedContainer('app', {
            securityContext: {
              ...restrictedContainer().securityContext,
              seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' },
            },
          }),
        ],
      }),
      [],
    ],
    ['AppArmor unconfined field', withSc({ appArmorProfile: { type: 'Unconfined' } }), ['apparmor']],
    [
      'AppArmor unconfined annotation',
      restrictedPod(),
      ['apparmor'],
      { 'container.apparmor.security.beta.kubernetes.io/app': 'unconfined' },
    ],
    [
      'AppArmor localhost annotation',
      restrictedPod(),
      [],
      { 'container.apparmor.security.beta.kubernetes.io/app': 'localhost/my-profile' },
    ],
    ['SELinux custom type', withSc({ seLinuxOptions: { type: 'spc_t' } }), ['selinux']],
    ['SELinux user set', withSc({ seLinuxOptions: { user: 'system_u' } }), ['selinux']],
    [
      'SELinux container_t and a level',
      withSc({ seLinuxOptions: { type: 'container_t', level: 's0:c1,c2' } }),
      [],
    ],
    ['procMount Unmasked', withSc({ procMount: 'Unmasked' }), ['proc-mount']],
    [
      'unsafe sysctl',
      restrictedPod({
        securityContext: {
          seccompProfile: { type: 'RuntimeDefault' },
          sysctls: [{ name: 'kernel.msgmax', value: '1' }],
        },
      }),
      ['sysctls'],
    ],
    [
      'safe sysctl',
      restrictedPod({
        securityContext: {
          seccompProfile: { type: 'RuntimeDefault' },
          sysctls: [{ name: 'net.ipv4.tcp_syncookies', value: '1' }],
        },
      }),
      [],
    ],
    [
      'hostProcess',
      restrictedPod({
        securityContext: {
          seccompProfile: { type: 'RuntimeDefault' },
          windowsOptions: { hostProcess: true },
        },
      }),
      ['host-process'],
    ],
    [
      'allowPrivilegeEscalation unset',
      withSc({ allowPrivilegeEscalation: undefined }),
      ['privilege-escalation'],
    ],
    ['allowPrivilegeEscalation true', withSc({ allowPrivilegeEscalation: true }), ['privilege-escalation']],
    ['runAsNonRoot unset on pod and container', withSc({ runAsNonRoot: undefined }), ['run-as-non-root']],
    [
      'runAsNonRoot set once on the pod',
      restrictedPod({
        securityContext: { seccompProfile: { type: 'RuntimeDefault' }, runAsNonRoot: true },
        containers: [
          restrictedContainer('app', {
            securityContext: {
              allowPrivilegeEscalation: false,
              readOnlyRootFilesystem: true,
              capabilities: { drop: ['ALL'] },
            },
          }),
        ],
      }),
      [],
    ],
    ['container overrides runAsNonRoot to false', withSc({ runAsNonRoot: false }), ['run-as-non-root']],
    ['runAsUser 0 in a container', withSc({ runAsUser: 0 }), ['run-as-non-root-user']],
    [
      'runAsUser 0 on the pod',
      restrictedPod({ securityContext: { seccompProfile: { type: 'RuntimeDefault' }, runAsUser: 0 } }),
      ['run-as-non-root-user'],
    ],
    [
      'an nfs volume',
      restrictedPod({ volumes: [{ name: 'n', nfs: { server: 'x', path: '/' } }] }),
      ['volume-types'],
    ],
    ['writable root filesystem', withSc({ readOnlyRootFilesystem: false }), ['read-only-root-filesystem']],
  ])('%s', (_name, spec, expected, annotations = {}) => {
    expect(failing(spec, annotations)).toEqual(expected);
  });

  it('checks init and ephemeral containers too, naming the container and field', () => {
    const spec = restrictedPod({
      initContainers: [{ name: 'setup', securityContext: { privileged: true } }],
    });
    const privileged = evaluatePod(spec).find((r) => r.check.id === 'privileged');
    expect(privileged?.violations).toEqual([
      { field: 'initContainers[0].securityContext.privileged', container: 'setup', value: true },
    ]);
    const debug = restrictedPod({
      ephemeralContainers: [{ name: 'dbg', securityContext: { capabilities: { add: ['SYS_PTRACE'] } } }],
    });
    expect(failing(debug)).toContain('capabilities');
  });

  it('gives the level a pod meets', () => {
    const cases: [PodSpec, PssLevel][] = [
      [restrictedPod(), 'restricted'],
      [withSc({ allowPrivilegeEscalation: true }), 'baseline'],
      [withSc({ privileged: true }), 'privileged'],
      [{ containers: [{ name: 'plain', image: 'nginx' }] }, 'baseline'],
    ];
    for (const [spec, level] of cases) expect(podSecurityLevel(evaluatePod(spec))).toBe(level);
    expect(weakestLevel(['restricted', 'baseline', 'restricted'])).toBe('baseline');
    expect(weakestLevel([])).toBe('restricted');
  });

  it('covers the demo cluster’s planted pods: privileged net-tools, node-debugger on the host', () => {
    const netTools: PodSpec = {
      containers: [
        {
          name: 'net-tools',
          image: 'nicolaka/netshoot',
          securityContext: { privileged: true, capabilities: { add: ['NET_ADMIN', 'SYS_ADMIN'] } },
        },
      ],
    };
    expect(failing(netTools)).toEqual(expect.arrayContaining(['privileged', 'capabilities']));
    const debugger_: PodSpec = {
      hostNetwork: true,
      hostPID: true,
      securityContext: { runAsUser: 0 },
      volumes: [{ name: 'host', hostPath: { path: '/' } }],
      containers: [{ name: 'debug', image: 'busybox' }],
    };
    expect(failing(debugger_)).toEqual(
      expect.arrayContaining(['host-namespaces', 'host-path', 'run-as-non-root-user']),
    );
  });

  it('has unique ids, each with a fix', () => {
    const ids = PSS_CHECKS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of PSS_CHECKS) expect(c.fix.length).toBeGreaterThan(5);
  });
});

describe('pod templates of workloads', () => {
  it.each([
    [
      'Deployment',
      { kind: 'Deployment', spec: { template: { spec: { containers: [{ name: 'a' }] } } } },
      'spec.template.spec',
    ],
    [
      'CronJob',
      {
        kind: 'CronJob',
        spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'a' }] } } } } },
      },
      'spec.jobTemplate.spec.template.spec',
    ],
    ['Pod', { kind: 'Pod', spec: { containers: [{ name: 'a' }] } }, 'spec'],
  ])('%s', (_kind, obj, prefix) => {
    expect(podTemplateOf(obj)?.prefix).toBe(prefix);
  });
  it('ignores kinds without pods', () => {
    expect(podTemplateOf({ kind: 'Service', spec: {} })).toBeUndefined();
  });
});

describe('namespace pod-security labels against what the pods meet', () => {
  it.each<[Record<string, string>, PssLevel, string[]]>([
    [{}, 'baseline', ['unlabelled']],
    [{ 'pod-security.kubernetes.io/enforce': 'restricted' }, 'baseline', ['enforce-too-strict']],
    [{ 'pod-security.kubernetes.io/enforce': 'baseline' }, 'baseline', []],
    [{ 'pod-security.kubernetes.io/enforce': 'privileged' }, 'restricted', ['weaker-than-pods']],
    [
      { 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/warn': 'strict' },
      'baseline',
      ['invalid-label'],
    ],
  ])('%j with pods at %s', (labels, meet, kinds) => {
    expect(compareNamespaceLabels(labels, meet).map((f) => f.kind)).toEqual(kinds);
  });
});

describe("Polaris' score 2P/(2P+W+2D)", () => {
  it.each([
    [{ passes: 0, warnings: 0, dangers: 0 }, 100],
    [{ passes: 10, warnings: 0, dangers: 0 }, 100],
    [{ passes: 0, warnings: 3, dangers: 1 }, 0],
    [{ passes: 8, warnings: 2, dangers: 1 }, 80], // 16 / (16 + 2 + 2)
    [{ passes: 1, warnings: 1, dangers: 0 }, 66], // 2/3, truncated like Polaris
    [{ passes: 5, warnings: 0, dangers: 5 }, 50],
  ])('%j -> %d', (counts, score) => {
    expect(polarisScore(counts)).toBe(score);
  });

  it('counts container-scoped checks once per container and pod-wide failures on every container', () => {
    const spec = restrictedPod({
      containers: [
        restrictedContainer('a'),
        restrictedContainer('b', { securityContext: { privileged: true } }),
      ],
    });
    const counts = addResults(emptyCounts(), evaluatePod(spec));
    // b fails privileged (danger) and privilege-escalation, run-as-non-root (danger), capabilities-strict,
    // read-only-root-filesystem (warnings); everything else passes.
    expect(counts.dangers).toBe(3);
    expect(counts.warnings).toBe(2);
    expect(polarisScore(counts)).toBeLessThan(100);
  });
});

describe('what is judged', () => {
  const ref = (kind: string, name: string, owner?: string, phase?: string) => ({
    kind,
    metadata: {
      name,
      namespace: 'x',
      ...(owner ? { ownerReferences: [{ kind: owner, controller: true }] } : {}),
    },
    ...(phase ? { status: { phase } } : {}),
  });
  it('judges top-level workloads and bare running pods, not what a controller manages', () => {
    const objects = [
      ref('Deployment', 'web'),
      ref('ReplicaSet', 'web-1', 'Deployment'),
      ref('Pod', 'web-1-a', 'ReplicaSet'),
      ref('CronJob', 'nightly'),
      ref('Job', 'nightly-1', 'CronJob'),
      ref('Pod', 'debug'),
      ref('Pod', 'done', undefined, 'Succeeded'),
      ref('StatefulSet', 'db', 'PostgresCluster'),
      ref('Service', 'web'),
    ];
    expect(topLevel(objects).map((o) => o.metadata.name)).toEqual(['web', 'nightly', 'debug', 'db']);
  });

  it('honours Polaris exemption annotations (all checks or one)', () => {
    const pod = (annotations: Record<string, string>) => ({
      kind: 'Pod',
      metadata: { name: 'p', annotations },
      spec: { containers: [{ name: 'a', securityContext: { privileged: true } }] },
    });
    expect(assess(pod({ 'polaris.fairwinds.com/exempt': 'true' }))).toBeUndefined();
    const one = assess(pod({ 'polaris.fairwinds.com/privileged-exempt': 'true' }));
    expect(one?.results.map((r) => r.check.id)).not.toContain('privileged');
    expect(assess(pod({}))?.level).toBe('privileged');
  });

  it('maps every check to a finding check id, the planted ones included', () => {
    for (const c of PSS_CHECKS) expect(CHECK_GROUPS[c.id]).toMatch(/^security\.[a-z-]+$/);
    expect(CHECK_GROUPS['privileged']).toBe('security.privileged');
    expect(CHECK_GROUPS['host-namespaces']).toBe('security.host-access');
    expect(CHECK_GROUPS['host-path']).toBe('security.host-access');
  });
});

describe('safe fixes', () => {
  it('sets allowPrivilegeEscalation false and RuntimeDefault seccomp where nothing needs otherwise', () => {
    const fix = safeFix('Deployment', {
      containers: [
        { name: 'app' },
        { name: 'vpn', securityContext: { capabilities: { add: ['NET_ADMIN'] } } },
        { name: 'set', securityContext: { allowPrivilegeEscalation: true } },
      ],
    });
    expect(fix?.changes).toEqual([
      'containers[app].securityContext.allowPrivilegeEscalation=false',
      'securityContext.seccompProfile.type=RuntimeDefault',
    ]);
    expect(fix?.patch).toEqual({
      spec: {
        template: {
          spec: {
            containers: [{ name: 'app', securityContext: { allowPrivilegeEscalation: false } }],
            securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
          },
        },
      },
    });
  });

  it('leaves seccomp alone when a container has its own profile, and never patches pods or Jobs', () => {
    const spec: PodSpec = {
      containers: [
        {
          name: 'a',
          securityContext: { allowPrivilegeEscalation: false, seccompProfile: { type: 'Unconfined' } },
        },
      ],
    };
    expect(safeFix('Deployment', spec)).toBeUndefined();
    expect(safeFix('Pod', { containers: [{ name: 'a' }] })).toBeUndefined();
    expect(safeFix('Job', { containers: [{ name: 'a' }] })).toBeUndefined();
    expect(safeFix('CronJob', { containers: [{ name: 'a' }] })?.patch).toHaveProperty(
      'spec.jobTemplate.spec.template.spec',
    );
  });
});
