// What `npm start` (and main.ts) seed into the OpenBao emulator so the secrets bot has something to
// sync: a few KV v2 secrets of the demo cluster's apps, a read policy and the bot's Kubernetes role.
// The values are obviously fake.
import type { OpenBaoEmulatorOptions } from './index.ts';

export const DEMO_BAO_ROLE = 'eco-secrets-bot';

export function demoOpenBao(): Required<Pick<OpenBaoEmulatorOptions, 'secrets' | 'policies' | 'roles'>> {
  return {
    secrets: [
      {
        path: 'shop/database',
        data: { username: 'shop', password: 'demo-not-a-real-password' },
        customMetadata: { owner: 'team-shop' },
      },
      { path: 'shop/payment-api', data: { api_key: 'demo-payment-key-0000' } },
      { path: 'web/session', data: { signing_key: 'demo-session-signing-key' } },
    ],
    policies: [
      {
        name: 'eco-secrets-bot',
        hcl: [
          'path "secret/data/*" { capabilities = ["read"] }',
          'path "secret/metadata/*" { capabilities = ["read", "list"] }',
        ].join('\n'),
      },
    ],
    roles: [
      {
        name: DEMO_BAO_ROLE,
        boundServiceAccountNames: ['eco-secrets-bot'],
        boundServiceAccountNamespaces: ['eco-bots', 'openfaas-fn'],
        policies: ['eco-secrets-bot'],
        ttl: 3600,
      },
    ],
  };
}
