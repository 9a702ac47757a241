// Providers the platform never uses (the FAGAM clouds and HashiCorp Vault; OpenBao replaces it), by
// registry address: shared by eco-iacode-bot (.tf files) and eco-terraform-bot (plans).

/** Registry addresses (namespace/type) of prohibited providers, with what they are. */
export const PROHIBITED_PROVIDERS: Readonly<Record<string, string>> = Object.freeze({
  'hashicorp/aws': 'Amazon Web Services',
  'hashicorp/google': 'Google Cloud',
  'hashicorp/google-beta': 'Google Cloud',
  'hashicorp/azurerm': 'Microsoft Azure',
  'hashicorp/azuread': 'Microsoft Entra ID',
  'azure/azapi': 'Microsoft Azure',
  'hashicorp/vault': 'HashiCorp Vault (use OpenBao)',
});

/**
 * `registry.terraform.io/hashicorp/aws`, `registry.opentofu.org/hashicorp/aws`, `hashicorp/aws` and
 * `aws` all name the same provider: host and the default namespace dropped, lower case.
 */
export function normaliseProvider(source: string): string {
  const parts = source.trim().toLowerCase().split('/');
  if (parts.length === 3) parts.shift();
  if (parts.length === 1) parts.unshift('hashicorp');
  return parts.join('/');
}

/** What a prohibited provider is, or undefined when it is allowed. */
export function prohibitedProvider(source: string): string | undefined {
  return PROHIBITED_PROVIDERS[normaliseProvider(source)];
}
