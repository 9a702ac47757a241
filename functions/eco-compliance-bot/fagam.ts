// The seed's FAGAM prohibition as checks over cluster objects: images pulled from Amazon, Google or
// Microsoft registries, cloud-provider annotations and labels (load balancers, workload identity,
// managed ingress), storage provisioned by a cloud provider's CSI driver, and HashiCorp Terraform or
// Vault where OpenTofu and OpenBao are required.
import { parseImageRef } from './image-ref.ts';

export type Provider = 'amazon' | 'google' | 'microsoft';

const REGISTRIES: readonly { provider: Provider; test: (host: string) => boolean; name: string }[] = [
  {
    provider: 'amazon',
    name: 'Amazon ECR',
    test: (h) => /^\d{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/.test(h),
  },
  { provider: 'amazon', name: 'Amazon ECR Public', test: (h) => h === 'public.ecr.aws' },
  {
    provider: 'google',
    name: 'Google Container Registry',
    test: (h) => h === 'gcr.io' || h.endsWith('.gcr.io'),
  },
  {
    provider: 'google',
    name: 'Google Artifact Registry',
    test: (h) => h === 'docker.pkg.dev' || h.endsWith('-docker.pkg.dev'),
  },
  {
    provider: 'microsoft',
    name: 'Azure Container Registry',
    test: (h) => h.endsWith('.azurecr.io') || h.endsWith('.azurecr.cn'),
  },
  { provider: 'microsoft', name: 'Microsoft Container Registry', test: (h) => h === 'mcr.microsoft.com' },
];

export interface RegistryHit {
  provider: Provider;
  registry: string;
  service: string;
}

/** The cloud registry an image comes from, or undefined. */
export function cloudRegistryOf(image: string): RegistryHit | undefined {
  const { registry } = parseImageRef(image);
  const r = REGISTRIES.find((x) => x.test(registry));
  return r ? { provider: r.provider, registry, service: r.name } : undefined;
}

/** Annotation or label key prefixes that tie an object to one cloud provider. */
const CLOUD_KEYS: readonly { provider: Provider; pattern: RegExp }[] = [
  { provider: 'amazon', pattern: /^service\.beta\.kubernetes\.io\/aws-/ },
  {
    provider: 'amazon',
    pattern:
      /^(alb\.ingress\.kubernetes\.io|eks\.amazonaws\.com|karpenter\.k8s\.aws|elbv2\.k8s\.aws|k8s\.aws)\//,
  },
  {
    provider: 'google',
    pattern:
      /^(cloud\.google\.com|networking\.gke\.io|iam\.gke\.io|ingress\.gcp\.kubernetes\.io|container\.googleapis\.com)\//,
  },
  { provider: 'microsoft', pattern: /^service\.beta\.kubernetes\.io\/azure-/ },
  {
    provider: 'microsoft',
    pattern:
      /^(azure\.workload\.identity|appgw\.ingress\.kubernetes\.io|kubernetes\.azure\.com|aadpodidbinding)(\/|$)/,
  },
];

/** `kubernetes.io/ingress.class` values that select a cloud provider's load balancer. */
const CLOUD_INGRESS_CLASSES: Record<string, Provider> = {
  gce: 'google',
  'gce-internal': 'google',
  alb: 'amazon',
  'azure/application-gateway': 'microsoft',
};

export interface KeyHit {
  provider: Provider;
  key: string;
  where: 'annotation' | 'label' | 'ingressClassName';
}

/** Cloud-provider annotations and labels on one object (keys only; values are not needed). */
export function cloudKeysOf(meta: {
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
}): KeyHit[] {
  const hits: KeyHit[] = [];
  for (const [where, map] of [
    ['annotation', meta.annotations],
    ['label', meta.labels],
  ] as const) {
    for (const [key, value] of Object.entries(map ?? {})) {
      const k = CLOUD_KEYS.find((c) => c.pattern.test(key));
      if (k) hits.push({ provider: k.provider, key, where });
      else if (key === 'kubernetes.io/ingress.class' && CLOUD_INGRESS_CLASSES[value])
        hits.push({ provider: CLOUD_INGRESS_CLASSES[value] as Provider, key: `${key}=${value}`, where });
    }
  }
  return hits;
}

/** Storage provisioners (CSI drivers and the old in-tree names) of the three clouds. */
const CLOUD_PROVISIONERS: Record<string, Provider> = {
  'ebs.csi.aws.com': 'amazon',
  'efs.csi.aws.com': 'amazon',
  'fsx.csi.aws.com': 'amazon',
  's3.csi.aws.com': 'amazon',
  'kubernetes.io/aws-ebs': 'amazon',
  'pd.csi.storage.gke.io': 'google',
  'filestore.csi.storage.gke.io': 'google',
  'gcsfuse.csi.storage.gke.io': 'google',
  'kubernetes.io/gce-pd': 'google',
  'disk.csi.azure.com': 'microsoft',
  'file.csi.azure.com': 'microsoft',
  'blob.csi.azure.com': 'microsoft',
  'kubernetes.io/azure-disk': 'microsoft',
  'kubernetes.io/azure-file': 'microsoft',
};

export function cloudProvisionerOf(provisioner: string | undefined): Provider | undefined {
  return provisioner ? CLOUD_PROVISIONERS[provisioner] : undefined;
}

export type HashiCorpTool = 'terraform' | 'vault';

export interface ToolHit {
  tool: HashiCorpTool;
  /** What gave it away: `image`, `annotation`, `env`, `kind`. */
  via: 'image' | 'annotation' | 'env' | 'kind';
  detail: string;
  /** What to use instead. */
  replacement: 'OpenTofu' | 'OpenBao';
}

const TOOL_IMAGES: readonly { tool: HashiCorpTool; pattern: RegExp }[] = [
  { tool: 'terraform', pattern: /^(hashicorp\/terraform|hashicorp\/tfc-agent|hashicorp\/terraform-.*)$/ },
  {
    tool: 'vault',
    pattern: /^(hashicorp\/vault(-k8s|-csi-provider|-enterprise|-secrets-operator)?|library\/vault)$/,
  },
];

/** Terraform or Vault in an image reference. OpenTofu and OpenBao images never match. */
export function hashicorpImage(image: string): ToolHit | undefined {
  const { repository } = parseImageRef(image);
  const t = TOOL_IMAGES.find((x) => x.pattern.test(repository));
  return t
    ? { tool: t.tool, via: 'image', detail: image, replacement: t.tool === 'vault' ? 'OpenBao' : 'OpenTofu' }
    : undefined;
}

/** Vault Agent injector annotations, Terraform Cloud env and Vault's env names on one pod template. */
export function hashicorpUsage(
  annotations: Readonly<Record<string, string>>,
  envNames: readonly string[],
): ToolHit[] {
  const hits: ToolHit[] = [];
  const injector = Object.keys(annotations).find((k) => k.startsWith('vault.hashicorp.com/'));
  if (injector) hits.push({ tool: 'vault', via: 'annotation', detail: injector, replacement: 'OpenBao' });
  for (const name of envNames) {
    // BAO_* is OpenBao's own; VAULT_* names configure Vault (or a Vault client) — flagged for review.
    if (/^VAULT_(ADDR|TOKEN|NAMESPACE|ROLE)$/.test(name))
      hits.push({ tool: 'vault', via: 'env', detail: name, replacement: 'OpenBao' });
    if (/^(TFE_TOKEN|TF_CLOUD_ORGANIZATION|TF_CLOUD_HOSTNAME|TF_TOKEN_app_terraform_io)$/.test(name))
      hits.push({ tool: 'terraform', via: 'env', detail: name, replacement: 'OpenTofu' });
  }
  return hits;
}

/** Custom resources of HashiCorp operators (Vault Secrets Operator, Terraform Cloud Operator). */
export function hashicorpKind(apiVersion: string): ToolHit | undefined {
  const group = apiVersion.split('/')[0] ?? '';
  if (group === 'secrets.hashicorp.com')
    return { tool: 'vault', via: 'kind', detail: apiVersion, replacement: 'OpenBao' };
  if (group === 'app.terraform.io')
    return { tool: 'terraform', via: 'kind', detail: apiVersion, replacement: 'OpenTofu' };
  return undefined;
}
