export { startGateway, PortInUseError } from './gateway.ts';
export { loadBots, REPO_ROOT } from './bots.ts';
export { selectCluster, ClusterUnreachableError } from './cluster.ts';
export { triggerList } from './status-page.ts';
export type { Gateway, GatewayOptions } from './gateway.ts';
export type { ClusterSelection, SelectClusterOptions } from './cluster.ts';
export type { RunRecord, StoredEvent } from './report-store.ts';
export type { InvocationResult } from './invoker.ts';
export type { RunnerChoice, RunnerKind } from './runner.ts';
