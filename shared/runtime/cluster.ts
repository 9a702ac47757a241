// One cluster client per process, created on first use, reused by every run and closed on drain:
// five invocations share one keep-alive connection pool instead of opening five.
import type { K8s } from '../k8s/types.ts';
import type { Logger } from '../log/types.ts';
import { LazyK8s } from './lazy-k8s.ts';

type Env = Readonly<Record<string, string | undefined>>;

const clients = new Map<string, LazyK8s>();

/** Which cluster an environment points at; runs with the same answer share a client. */
function clusterKey(env: Env): string {
  return [
    env['KUBECONFIG'] ?? '',
    env['KUBERNETES_SERVICE_HOST'] ?? '',
    env['KUBERNETES_SERVICE_PORT'] ?? '',
    env['ECO_K8S_TIMEOUT_MS'] ?? '',
  ].join('\u0000');
}

/** The process's client for the cluster `env` points at. */
export function processCluster(env: Env, log: Logger): K8s {
  const key = clusterKey(env);
  let client = clients.get(key);
  if (client === undefined) {
    client = new LazyK8s(async () => (await import('../k8s/index.ts')).createK8s({ env, log }));
    clients.set(key, client);
  }
  return client;
}

/** Closes every client the process made (on drain, and between tests). */
export async function closeProcessClusters(): Promise<void> {
  const all = [...clients.values()];
  clients.clear();
  await Promise.all(all.map((client) => client.close()));
}
