// What a LoadBalancer costs per month, from the fleet's price book (shared/cost): OpenCost's default
// $0.025 per hour (its GCP provider's forwarding-rule rate, matching the defaults' us-central1 basis)
// unless ECO_PRICE_BOOK or its ConfigMap set `loadBalancerHour`, × 730 hours.
import { roundCost, type PriceBook } from '../../shared/cost/index.ts';

export interface LbPrice {
  /** Per load balancer per month, rounded to cents. */
  monthly: number;
  hourly: number;
  currency: string;
}

export function loadBalancerPrice(book: PriceBook): LbPrice {
  return {
    monthly: roundCost(book.loadBalancerMonthlyCost(1)),
    hourly: book.prices.loadBalancerHour,
    currency: book.currency,
  };
}
