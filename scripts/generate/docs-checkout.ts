// The optional documentation checkout of the brief's Deployment ("clone the documentation repository
// in an init container into /opt/documentation"), for the bots that use DocScanner. Off by default:
// a function that scales to zero would pay for a clone on every cold start, and most bots read no
// documentation (the forge client needs no checkout at all). Turned on at generate time:
//
//   ECO_DOCS_CHECKOUT_BOTS=eco-x-bot,eco-y-bot  the bots that get it (unset: nobody)
//   DOCS_REPO=https://github.com/team/docs.git  the repository (https)
//   DOCS_REF=v1.4.0 | <40-hex commit>           a pinned tag, branch or commit (required)
//   DOCS_PATH=/opt/documentation                where it is mounted (the brief's default)
//   ECO_DOCS_CHECKOUT_IMAGE=...                 the git image (default Chainguard's Wolfi git)
//
// The clone lands in an emptyDir; the bot mounts it read-only and finds it at DOCS_PATH. Knative
// needs its `kubernetes.podspec-init-containers` feature flag (config-features) for init containers.
import type { Manifest } from './types.ts';

export interface DocsCheckoutSettings {
  bots: ReadonlySet<string>;
  repo: string;
  ref: string;
  path: string;
  image: string;
}

export const DOCS_CHECKOUT_DEFAULTS = {
  path: '/opt/documentation',
  image: 'cgr.dev/chainguard/git:latest',
  volume: 'documentation',
} as const;

const COMMIT = /^[0-9a-f]{40}$/;
const REF = /^(?!-)(?!.*\.\.)[A-Za-z0-9._/-]{1,200}$/;

/** The settings from the generator's environment; undefined (no checkout anywhere) unless ECO_DOCS_CHECKOUT_BOTS is set. */
export function docsCheckoutSettings(
  env: Readonly<Record<string, string | undefined>>,
): DocsCheckoutSettings | undefined {
  const bots = (env['ECO_DOCS_CHECKOUT_BOTS'] ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (bots.length === 0) return undefined;
  const repo = env['DOCS_REPO']?.trim() ?? '';
  if (!/^https:\/\/[^\s@]+$/.test(repo))
    throw new Error(`DOCS_REPO: an https clone URL without credentials is required, got "${repo}"`);
  const ref = env['DOCS_REF']?.trim() ?? '';
  if (!REF.test(ref)) throw new Error(`DOCS_REF: a pinned tag, branch or commit is required, got "${ref}"`);
  const path = env['DOCS_PATH']?.trim() || DOCS_CHECKOUT_DEFAULTS.path;
  if (!/^\/[A-Za-z0-9._/-]+$/.test(path) || path.split('/').includes('..'))
    throw new Error(`DOCS_PATH: an absolute path is required, got "${path}"`);
  const image = env['ECO_DOCS_CHECKOUT_IMAGE']?.trim() || DOCS_CHECKOUT_DEFAULTS.image;
  return { bots: new Set(bots), repo, ref, path, image };
}

const SECURITY_CONTEXT = {
  runAsNonRoot: true,
  runAsUser: 65532,
  runAsGroup: 65532,
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

/** The init containers: one shallow clone of a tag or branch, or init + fetch + checkout of a commit (the image has git, no shell). */
export function docsInitContainers(settings: DocsCheckoutSettings): Record<string, unknown>[] {
  const common = {
    image: settings.image,
    // HOME on the scratch volume: git may write its config there, the root filesystem is read-only.
    env: [{ name: 'HOME', value: '/tmp' }],
    securityContext: SECURITY_CONTEXT,
    resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } },
    volumeMounts: [
      { name: DOCS_CHECKOUT_DEFAULTS.volume, mountPath: settings.path },
      { name: 'tmp', mountPath: '/tmp' },
    ],
  };
  if (!COMMIT.test(settings.ref)) {
    return [
      {
        name: 'docs-clone',
        ...common,
        args: [
          'clone',
          '--quiet',
          '--depth=1',
          '--single-branch',
          `--branch=${settings.ref}`,
          '--',
          settings.repo,
          settings.path,
        ],
      },
    ];
  }
  return [
    { name: 'docs-init', ...common, args: ['init', '--quiet', settings.path] },
    {
      name: 'docs-fetch',
      ...common,
      args: ['-C', settings.path, 'fetch', '--quiet', '--depth=1', '--', settings.repo, settings.ref],
    },
    {
      name: 'docs-checkout',
      ...common,
      args: ['-C', settings.path, 'checkout', '--quiet', '--detach', 'FETCH_HEAD'],
    },
  ];
}

interface PodSpec {
  initContainers?: Record<string, unknown>[];
  containers?: { env?: { name: string; value: string }[]; volumeMounts?: Record<string, unknown>[] }[];
  volumes?: Record<string, unknown>[];
}

/**
 * The manifest with the checkout added, when its bot is one of `settings.bots`; else unchanged.
 * Works on anything with `spec.template.spec` (a Knative Service, an apps/v1 Deployment).
 */
export function withDocsCheckout(manifest: Manifest, settings: DocsCheckoutSettings | undefined): Manifest {
  const name = (manifest['metadata'] as { name?: string } | undefined)?.name;
  if (settings === undefined || name === undefined || !settings.bots.has(name)) return manifest;
  const copy = structuredClone(manifest);
  const pod = (copy['spec'] as { template?: { spec?: PodSpec } } | undefined)?.template?.spec;
  if (pod === undefined) return manifest;
  pod.volumes = [
    ...(pod.volumes ?? []),
    { name: DOCS_CHECKOUT_DEFAULTS.volume, emptyDir: {} },
    ...((pod.volumes ?? []).some((v) => v['name'] === 'tmp') ? [] : [{ name: 'tmp', emptyDir: {} }]),
  ];
  pod.initContainers = [...(pod.initContainers ?? []), ...docsInitContainers(settings)];
  for (const container of pod.containers ?? []) {
    container.env = [
      ...(container.env ?? []).filter((e) => e.name !== 'DOCS_PATH'),
      { name: 'DOCS_PATH', value: settings.path },
    ];
    container.volumeMounts = [
      ...(container.volumeMounts ?? []),
      { name: DOCS_CHECKOUT_DEFAULTS.volume, mountPath: settings.path, readOnly: true },
    ];
  }
  return copy;
}
