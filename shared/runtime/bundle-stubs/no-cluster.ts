// Linked by scripts/build.ts in place of shared/k8s/index.ts for a bot that declares no RBAC: such a
// bot has no rights in the cluster, so its bundle leaves out the cluster client, the kubeconfig
// reader and the YAML parser behind it (about 70 KB). Reaching for the cluster anyway is a bug in
// the bot's declaration, and says so.
import type { K8s } from '../../k8s/types.ts';

export function createK8s(): Promise<K8s> {
  return Promise.reject(
    new Error(
      'this bot declares no RBAC, so its bundle has no cluster client: declare the rules it needs in its rbac',
    ),
  );
}
