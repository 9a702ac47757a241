// Every control evaluated on every object it applies to: pass, fail, warn (cannot be told from the
// cluster) or skip (not applicable / unknown). The failures become findings; all of them feed the
// score and the PolicyReports.
import type { KubeObject } from '../../shared/index.ts';
import type { ControlKey } from './controls.ts';
import { CONTROLS, overImageBudget, runsAsNonRoot, tierOf, wolfiVerdict } from './controls.ts';
import { cloudKeysOf, cloudProvisionerOf, cloudRegistryOf, hashicorpImage, hashicorpUsage } from './fagam.ts';
import type { ControlResult, ResourceRef } from './policy-report.ts';
import type { Workload } from './workloads.ts';
import { sizeOf } from './workloads.ts';

export interface ComplianceInput {
  workloads: readonly Workload[];
  /** Services, Ingresses, Namespaces, PVCs: objects judged for cloud annotations only. */
  annotated: readonly KubeObject[];
  storageClasses: readonly KubeObject[];
  pvcs: readonly KubeObject[];
  imageSizes: ReadonlyMap<string, number>;
}

export interface ComplianceOptions {
  wolfiSources: readonly string[];
  imageBudgetBytes: number;
}

export interface Judged extends ControlResult {
  key: ControlKey;
  /** The finding's fix for a failure. */
  fix?: string;
  evidence?: Record<string, unknown>;
}

const ref = (o: KubeObject): ResourceRef => ({
  apiVersion: o.apiVersion ?? 'v1',
  kind: o.kind ?? 'Unknown',
  name: o.metadata.name,
  ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
  ...(o.metadata.uid ? { uid: o.metadata.uid } : {}),
});

function judged(
  key: ControlKey,
  object: KubeObject,
  result: Judged['result'],
  message: string,
  extra: Partial<Judged> = {},
): Judged {
  return { key, control: CONTROLS[key], result, resource: ref(object), message, ...extra };
}

const PROVIDER_NAME = { amazon: 'AWS', google: 'Google Cloud', microsoft: 'Azure' } as const;

function assessWorkload(
  w: Workload,
  options: ComplianceOptions,
  sizes: ReadonlyMap<string, number>,
): Judged[] {
  const out: Judged[] = [];
  const o = w.object;
  const containers = [...w.template.initContainers, ...w.template.containers];
  const images = [...new Set(containers.map((c) => c.image).filter((i): i is string => !!i))];

  const cloud = images.map((i) => ({ image: i, hit: cloudRegistryOf(i) })).filter((x) => x.hit);
  out.push(
    cloud.length
      ? judged(
          'fagamRegistry',
          o,
          'fail',
          `pulls ${cloud.map((c) => `${c.image} from ${c.hit?.service}`).join(', ')}`,
          {
            evidence: {
              images: cloud.map((c) => ({
                image: c.image,
                registry: c.hit?.registry,
                provider: PROVIDER_NAME[c.hit!.provider],
              })),
            },
            fix: 'mirror the image into the self-hosted registry (or build it there on Wolfi) and point the workload at it',
          },
        )
      : judged('fagamRegistry', o, 'pass', 'no image from an AWS, Google Cloud or Azure registry'),
  );

  const tools = [
    ...images.map(hashicorpImage).filter((t) => t !== undefined),
    ...hashicorpUsage(
      w.template.annotations,
      containers.flatMap((c) => (c.env ?? []).map((e) => e.name ?? '')),
    ),
  ];
  out.push(
    tools.length
      ? judged(
          'fagamTooling',
          o,
          'fail',
          `uses ${[...new Set(tools.map((t) => (t.tool === 'vault' ? 'HashiCorp Vault' : 'HashiCorp Terraform')))].join(' and ')} (${tools.map((t) => t.detail).join(', ')})`,
          {
            evidence: { uses: tools },
            fix: [
              ...new Set(
                tools.map((t) =>
                  t.replacement === 'OpenBao'
                    ? 'use OpenBao (BAO_ADDR, its Kubernetes auth) instead of Vault'
                    : 'use OpenTofu instead of Terraform',
                ),
              ),
            ].join('; '),
          },
        )
      : judged('fagamTooling', o, 'pass', 'no HashiCorp Terraform or Vault'),
  );

  const keys = cloudKeysOf({ annotations: w.template.annotations, labels: w.template.labels });
  if (keys.length)
    out.push(
      judged(
        'fagamAnnotation',
        o,
        'fail',
        `carries ${PROVIDER_NAME[keys[0]!.provider]} ${keys[0]!.where}s (${keys.map((k) => k.key).join(', ')})`,
        {
          evidence: { keys },
          fix: 'remove the cloud-provider annotations and labels; use the self-hosted equivalent (MetalLB, ingress-nginx, OpenBao for identity)',
        },
      ),
    );
  else out.push(judged('fagamAnnotation', o, 'pass', 'no cloud-provider annotations or labels'));

  for (const image of images) {
    const size = sizeOf(sizes, image);
    if (size === undefined) continue;
    out.push(
      overImageBudget(size, options.imageBudgetBytes)
        ? judged(
            'imageSize',
            o,
            'fail',
            `image ${image} is ${(size / 1e6).toFixed(1)} MB, over the ${(options.imageBudgetBytes / 1e6).toFixed(0)} MB budget`,
            {
              evidence: { image, sizeBytes: size, budgetBytes: options.imageBudgetBytes },
              fix: 'rebuild on a Wolfi base with apko or a multi-stage build, keeping only the runtime files',
              properties: { image },
            },
          )
        : judged('imageSize', o, 'pass', `image ${image} is ${(size / 1e6).toFixed(1)} MB`, {
            properties: { image },
          }),
    );
  }

  const tiers = w.template.containers.map((c) => ({ name: c.name, ...tierOf(c.resources) }));
  const badTier = tiers.filter((t) => t.missing.length || t.overLarge.length);
  out.push(
    badTier.length
      ? judged(
          'tierResources',
          o,
          'fail',
          badTier
            .map(
              (t) =>
                `container ${t.name}${t.missing.length ? ` lacks ${t.missing.join(', ')}` : ''}${t.overLarge.length ? ` has ${t.overLarge.join(', ')} above the large tier (500m, 512Mi)` : ''}`,
            )
            .join('; '),
          {
            evidence: { containers: tiers },
            fix: 'set requests and limits of a tier: small 100m/128Mi, medium 250m/256Mi, large 500m/512Mi',
          },
        )
      : judged(
          'tierResources',
          o,
          'pass',
          `within tier(s) ${[...new Set(tiers.map((t) => t.tier))].join(', ')}`,
        ),
  );

  const roots = w.template.containers.map((c) => ({
    name: c.name,
    nonRoot: runsAsNonRoot(w.template.securityContext, c.securityContext),
  }));
  const asRoot = roots.filter((r) => r.nonRoot === false);
  const unknown = roots.filter((r) => r.nonRoot === undefined);
  if (asRoot.length)
    out.push(
      judged('nonRoot', o, 'fail', `container(s) ${asRoot.map((r) => r.name).join(', ')} run as root`, {
        evidence: { containers: roots },
        fix: 'set runAsNonRoot: true and a non-zero runAsUser (10000 or more)',
      }),
    );
  else if (unknown.length)
    out.push(
      judged(
        'nonRoot',
        o,
        'warn',
        `container(s) ${unknown.map((r) => r.name).join(', ')} do not say they run as non-root (the image's USER decides)`,
        {
          evidence: { containers: roots },
          fix: 'set runAsNonRoot: true so the kubelet refuses to start it as root',
        },
      ),
    );
  else out.push(judged('nonRoot', o, 'pass', 'runs as non-root'));

  for (const image of images) {
    const v = wolfiVerdict(image, options.wolfiSources);
    if (v === 'unknown') continue;
    out.push(
      v === 'wolfi'
        ? judged('wolfiBase', o, 'pass', `${image} is built on Wolfi`, { properties: { image } })
        : judged('wolfiBase', o, 'fail', `${image} is not built on Wolfi`, {
            evidence: { image },
            fix: 'rebuild on cgr.dev/chainguard/wolfi-base (apko)',
            properties: { image },
          }),
    );
  }
  return out;
}

export function assessCompliance(input: ComplianceInput, options: ComplianceOptions): Judged[] {
  const out: Judged[] = [];
  for (const w of input.workloads) out.push(...assessWorkload(w, options, input.imageSizes));
  for (const o of input.annotated) {
    const keys = cloudKeysOf(o.metadata);
    const className = (o.spec as { ingressClassName?: string } | undefined)?.ingressClassName;
    if (
      o.kind === 'Ingress' &&
      className &&
      ['gce', 'gce-internal', 'alb', 'azure-application-gateway'].includes(className)
    )
      keys.push({
        provider: className.startsWith('gce') ? 'google' : className === 'alb' ? 'amazon' : 'microsoft',
        key: `ingressClassName=${className}`,
        where: 'ingressClassName',
      });
    if (keys.length)
      out.push(
        judged(
          'fagamAnnotation',
          o,
          'fail',
          `carries ${PROVIDER_NAME[keys[0]!.provider]} ${keys[0]!.where === 'ingressClassName' ? 'ingress class' : `${keys[0]!.where}s`} (${keys.map((k) => k.key).join(', ')})`,
          {
            evidence: { keys },
            fix: 'remove the cloud-provider annotations and labels; use the self-hosted equivalent (MetalLB, ingress-nginx)',
          },
        ),
      );
  }
  const cloudClasses = new Map<string, string>();
  for (const sc of input.storageClasses) {
    const provisioner = (sc as { provisioner?: string }).provisioner;
    const provider = cloudProvisionerOf(provisioner);
    if (provider) {
      cloudClasses.set(sc.metadata.name, provisioner as string);
      out.push(
        judged(
          'fagamStorage',
          sc,
          'fail',
          `StorageClass provisioned by ${provisioner} (${PROVIDER_NAME[provider]})`,
          {
            evidence: { provisioner },
            fix: 'provision storage with a self-hosted driver (Longhorn, Rook-Ceph, local-path, OpenEBS)',
          },
        ),
      );
    } else
      out.push(judged('fagamStorage', sc, 'pass', `StorageClass provisioned by ${provisioner ?? 'nothing'}`));
  }
  for (const pvc of input.pvcs) {
    const cls = (pvc.spec as { storageClassName?: string } | undefined)?.storageClassName;
    const provisioner = cls ? cloudClasses.get(cls) : undefined;
    if (provisioner)
      out.push(
        judged(
          'fagamStorage',
          pvc,
          'fail',
          `claims storage from class ${cls}, provisioned by ${provisioner}`,
          {
            evidence: { storageClassName: cls, provisioner },
            fix: 'move the data to a self-hosted StorageClass',
          },
        ),
      );
  }
  return out;
}
