// What a LoadBalancer costs per month. One small function so the fleet's shared price book
// (shared/cost, written on another branch) can replace it without touching the checks.
//
// The default is OpenCost's: its GCP provider prices a load balancer at the forwarding-rule rate,
// $0.025 per hour for each of the first five rules (pkg/cloud/gcp/provider.go LoadBalancerPricing),
// and OpenCost's default price list is GCP us-central1 (configs/default.json).
export const OPENCOST_LB_HOURLY_USD = 0.025;
/** OpenCost's hours per month (365 × 24 / 12). */
export const HOURS_PER_MONTH = 730;

export interface LbPrice {
  hourly: number;
  currency: string;
}

export function loadBalancerMonthlyCost(price: LbPrice): { monthlyCost: number; currency: string } {
  return { monthlyCost: Math.round(price.hourly * HOURS_PER_MONTH * 100) / 100, currency: price.currency };
}
