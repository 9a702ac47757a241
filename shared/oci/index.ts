export {
  createRegistryClient,
  nextLink,
  type ImageSize,
  type ManifestHead,
  type ManifestResult,
  type PlatformSize,
  type RegistryClient,
  type RegistryClientOptions,
} from './client.ts';
export {
  TokenCache,
  basicAuthorization,
  credentialsFromText,
  loadRegistryCredentials,
  parseChallenge,
  parseTokenResponse,
  tokenUrl,
  type Challenge,
  type RegistryCredentials,
} from './auth.ts';
export {
  RegistryError,
  isRegistryError,
  isRegistryNotFound,
  type DistributionErrorEntry,
  type RegistryErrorKind,
} from './errors.ts';
export {
  ManifestShapeError,
  parseImageConfig,
  parseManifest,
  platformName,
  type Descriptor,
  type HistoryEntry,
  type ImageConfig,
  type ImageIndex,
  type ImageManifest,
  type Manifest,
  type Platform,
  type PlatformDescriptor,
} from './manifest.ts';
export * from './media-types.ts';
export {
  DOCKER_HUB,
  ImageReferenceError,
  digestOfImageId,
  formatImageReference,
  parseImageReference,
  pullReference,
  registryApiHost,
  tryParseImageReference,
  type ImageReference,
} from './reference.ts';
export {
  CLOUD_PROVIDER_REGISTRY_PATTERNS,
  createRegistryAllowList,
  isCloudProviderRegistry,
  matchesRegistryPattern,
  parseRegistryPatterns,
  type RegistryMatcher,
} from './allow-list.ts';
export { compressedSize, type ManifestSize } from './size.ts';
export { DEFAULT_REGISTRY_RETRY, type RegistryRetryOptions } from './retry.ts';
export {
  digestsToDelete,
  inUseFrom,
  planRepository,
  type InUse,
  type PlannedTag,
  type RetentionPolicy,
  type TagInfo,
  type TagVerdict,
} from './retention.ts';
export { describeTags } from './inventory.ts';
export {
  REGISTRY_CREDENTIALS_ENV,
  REGISTRY_URL_ENV,
  registryFromSettings,
  registryReportError,
  registryUnconfigured,
  type ConfiguredRegistry,
} from './bot.ts';
