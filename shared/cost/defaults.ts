// OpenCost's default prices (opencost configs/default.json, "GCP us-central1"), used when no price
// book overrides them. All prices are per hour except storage, which OpenCost states per GiB-hour
// ($0.00005479452) and which is the $0.04 per GiB-month below (× 730 h).

/** Hours in the month every monthly figure uses (365 × 24 / 12, as OpenCost and cloud bills do). */
export const HOURS_PER_MONTH = 730;

export const GIB = 2 ** 30;

export interface UnitPrices {
  /** Per vCPU (core) per hour. */
  cpuCoreHour: number;
  /** Per GiB of memory per hour. */
  ramGiBHour: number;
  /** Per GPU per hour. */
  gpuHour: number;
  /** Per vCPU per hour on spot/preemptible nodes. */
  spotCpuCoreHour: number;
  /** Per GiB per hour on spot/preemptible nodes. */
  spotRamGiBHour: number;
  /** Per GiB of persistent volume per month. */
  storageGiBMonth: number;
  /** Per LoadBalancer Service per hour. */
  loadBalancerHour: number;
}

export const OPENCOST_DEFAULT_PRICES: Readonly<UnitPrices> = Object.freeze({
  cpuCoreHour: 0.031611,
  ramGiBHour: 0.004237,
  gpuHour: 0.95,
  spotCpuCoreHour: 0.006655,
  spotRamGiBHour: 0.000892,
  storageGiBMonth: 0.04,
  // A GCP forwarding rule's hourly price, matching the defaults' us-central1 basis.
  loadBalancerHour: 0.025,
});

export const DEFAULT_CURRENCY = 'USD';

/** The label that names a node's machine type (well-known label, kubelet sets it from the cloud). */
export const INSTANCE_TYPE_LABEL = 'node.kubernetes.io/instance-type';

/** Labels that mark a spot/preemptible node, with the value that means "spot". */
export const SPOT_LABELS: ReadonlyArray<readonly [label: string, value: string]> = [
  ['karpenter.sh/capacity-type', 'spot'],
  ['eks.amazonaws.com/capacityType', 'SPOT'],
  ['cloud.google.com/gke-spot', 'true'],
  ['cloud.google.com/gke-preemptible', 'true'],
  ['kubernetes.azure.com/scalesetpriority', 'spot'],
  ['node.kubernetes.io/lifecycle', 'spot'],
];
