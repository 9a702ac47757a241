// Which registries images may come from. A pattern is a host (`registry.example.com`, with a port
// when the registry has one: `127.0.0.1:5000`), `*.example.com` (any subdomain, not the apex) or
// `*` (anything). Hosts compare case-insensitively; Docker Hub's aliases are one registry.

export type RegistryMatcher = (registry: string) => boolean;

const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

export function matchesRegistryPattern(registry: string, pattern: string): boolean {
  const host = normalise(registry);
  const wanted = normalise(pattern);
  if (wanted === '*') return true;
  if (wanted.startsWith('*.')) {
    const suffix = wanted.slice(1);
    return host.endsWith(suffix) && host.length > suffix.length;
  }
  return host === wanted;
}

/** A matcher for a list of patterns; an empty list allows nothing. */
export function createRegistryAllowList(patterns: readonly string[]): RegistryMatcher {
  const cleaned = patterns.map((p) => p.trim()).filter((p) => p !== '');
  return (registry) => cleaned.some((pattern) => matchesRegistryPattern(registry, pattern));
}

/** Parses `ECO_REGISTRY_ALLOW`-style text: patterns separated by commas or whitespace. */
export function parseRegistryPatterns(text: string | undefined): string[] {
  return (text ?? '').split(/[\s,]+/).filter((p) => p !== '');
}

/**
 * The big cloud providers' registries (Google, Amazon, Microsoft): Artifact Registry (`*.pkg.dev`),
 * Container Registry (`gcr.io` and regional `*.gcr.io`), ECR (`*.amazonaws.com`, including
 * `public.ecr.aws` via its own host), ACR (`*.azurecr.io`) and MCR.
 */
export const CLOUD_PROVIDER_REGISTRY_PATTERNS: readonly string[] = [
  'gcr.io',
  '*.gcr.io',
  '*.pkg.dev',
  '*.amazonaws.com',
  'public.ecr.aws',
  '*.azurecr.io',
  'mcr.microsoft.com',
];

export const isCloudProviderRegistry: RegistryMatcher = createRegistryAllowList(
  CLOUD_PROVIDER_REGISTRY_PATTERNS,
);

function normalise(host: string): string {
  const lower = host.trim().toLowerCase();
  return DOCKER_HUB_ALIASES.has(lower) ? 'docker.io' : lower;
}
