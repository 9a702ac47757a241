import type { Bot } from '../../shared/bot/types.ts';
import type { DocsCheckoutSettings } from './docs-checkout.ts';

/** One file the generator owns: path relative to the repository root, full content. */
export interface GeneratedFile {
  path: string;
  content: string;
}

/** Everything the generators read: the bots (sorted by name) and where they live. */
export interface Fleet {
  bots: readonly Bot[];
  /** Repository-relative handler paths, e.g. `functions/eco-alert-bot/handler.ts`, sorted. */
  handlerFiles: readonly string[];
  /** The `domain` label value (BOT_DOMAIN); default ECO. */
  domain?: string;
  /** The optional documentation checkout for the bots that use DocScanner (ECO_DOCS_CHECKOUT_BOTS); unset: none. */
  docsCheckout?: DocsCheckoutSettings | undefined;
}

/** Deployment constants shared by the generators (one place, documented in the README). */
export const DEPLOY = {
  /** Namespace of the fleet on Knative (and of the generated namespace manifests). */
  namespace: 'eco-bots',
  /** OpenFaaS function namespace (CE allows only this one). */
  functionNamespace: 'openfaas-fn',
  /** OpenFaaS gateway service inside the cluster. */
  gatewayUrl: 'http://gateway.openfaas.svc.cluster.local:8080',
  /** Namespace where the monitoring stack runs (Prometheus scrapes the fleet from there). */
  monitoringNamespace: 'monitoring',
  /** Image coordinates, overridable at deploy time through faas-cli's envsubst. */
  registry: 'ghcr.io/bsw-arch',
  /** Name of the Knative Broker the fleet's events flow through. */
  broker: 'default',
  /** The bot Alertmanager posts to. */
  alertReceiver: 'eco-alert-bot',
  /** Secret holding the bearer token Alertmanager presents to eco-alert-bot. */
  alertTokenSecret: 'eco-alert-bot-token',
  /** Container port of every bot (the OpenFaaS contract and Knative's default). */
  port: 8080,
  /** Fleet-wide labels. */
  partOf: 'eco-bots',
} as const;

/** Label keys the generators put on every object of a bot. */
export const LABELS = {
  name: 'app.kubernetes.io/name',
  partOf: 'app.kubernetes.io/part-of',
  component: 'app.kubernetes.io/component',
  managedBy: 'app.kubernetes.io/managed-by',
  category: 'eco.bsw-arch.org/category',
  tier: 'eco.bsw-arch.org/tier',
} as const;

export function botLabels(bot: Bot): Record<string, string> {
  return {
    [LABELS.name]: bot.name,
    [LABELS.partOf]: DEPLOY.partOf,
    [LABELS.component]: 'bot',
    [LABELS.managedBy]: 'eco-bots-generate',
    [LABELS.category]: bot.category,
    [LABELS.tier]: bot.tier,
  };
}

export function fleetLabels(component: string): Record<string, string> {
  return {
    [LABELS.partOf]: DEPLOY.partOf,
    [LABELS.component]: component,
    [LABELS.managedBy]: 'eco-bots-generate',
  };
}

/** A Kubernetes object as the generators build it: plain JSON. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [key: string]: unknown;
}
