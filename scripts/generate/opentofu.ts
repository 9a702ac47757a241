import { hashHeader } from './header.ts';
import { INGRESS_NAMESPACES, EGRESS_NAMESPACES } from './namespace.ts';
import { DEFAULT_DOMAIN } from './platform.ts';
import { NAMESPACE_TIERS, TIERS, TIER_ORDER } from './tiers.ts';
import { DEPLOY } from './types.ts';
import type { GeneratedFile } from './types.ts';

const DIR = 'deploy/opentofu';

function hclList(values: readonly string[]): string {
  return `[${values.map((value) => JSON.stringify(value)).join(', ')}]`;
}

const VERSIONS = `terraform {
  # OpenTofu reads the "terraform" block; no Terraform binary or cloud provider is involved.
  required_version = ">= 1.6.0"

  required_providers {
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = "~> 2.35"
    }
    helm = {
      source  = "hashicorp/helm"
      version = "~> 2.17"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }
}

provider "kubernetes" {
  config_path    = var.kubeconfig
  config_context = var.kube_context
}

provider "helm" {
  kubernetes {
    config_path    = var.kubeconfig
    config_context = var.kube_context
  }
}
`;

function variablesTf(domain: string): string {
  return `variable "namespace" {
  description = "Namespace of the bot fleet"
  type        = string
  default     = "${DEPLOY.namespace}"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.namespace))
    error_message = "namespace must be a DNS-1123 label."
  }
}

variable "bot_domain" {
  description = "The brief's domain label value (BOT_DOMAIN): label domain and bsw.domain on the namespace"
  type        = string
  default     = "${domain}"

  validation {
    condition     = can(regex("^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$", var.bot_domain))
    error_message = "bot_domain must be a Kubernetes label value."
  }
}

variable "resource_tier" {
  description = "Size of the namespace quota and container defaults: small | medium | large"
  type        = string
  default     = "small"

  validation {
    condition     = contains(${hclList(TIER_ORDER)}, var.resource_tier)
    error_message = "resource_tier must be one of small, medium, large."
  }
}

variable "platform" {
  description = "Where the bots run, which decides Alertmanager's target: openfaas | knative"
  type        = string
  default     = "openfaas"

  validation {
    condition     = contains(["openfaas", "knative"], var.platform)
    error_message = "platform must be openfaas or knative."
  }
}

variable "kubeconfig" {
  description = "Path of the kubeconfig OpenTofu uses"
  type        = string
  default     = "~/.kube/config"
}

variable "kube_context" {
  description = "kubeconfig context (null: the current one)"
  type        = string
  default     = null
}

variable "install_monitoring" {
  description = "Install Prometheus, Alertmanager and Grafana (kube-prometheus-stack) with the fleet's rules and dashboard"
  type        = bool
  default     = true
}

variable "monitoring_namespace" {
  description = "Namespace of the monitoring stack"
  type        = string
  default     = "${DEPLOY.monitoringNamespace}"
}

variable "kube_prometheus_stack_version" {
  description = "Chart version of prometheus-community/kube-prometheus-stack; pin the one you have tested"
  type        = string
  default     = "75.15.1"
}

variable "alert_token" {
  description = "Bearer token Alertmanager presents to eco-alert-bot; empty: a random one is generated"
  type        = string
  default     = ""
  sensitive   = true
}
`;
}

function tiersTf(): string {
  const quota = TIER_ORDER.map((tier) => {
    const spec = NAMESPACE_TIERS[tier];
    const container = TIERS[tier];
    return `    ${tier} = {
      requests_cpu    = "${spec.requestsCpu}"
      requests_memory = "${spec.requestsMemory}"
      limits_cpu      = "${spec.limitsCpu}"
      limits_memory   = "${spec.limitsMemory}"
      pods            = "${spec.pods}"
      default_request = { cpu = "${container.requests.cpu}", memory = "${container.requests.memory}" }
      default_limit   = { cpu = "${container.limits.cpu}", memory = "${container.limits.memory}" }
    }`;
  }).join('\n');
  return `locals {
  # Namespace sizing per resource_tier (the seed's eco-namespace-setup); container defaults are the
  # per-bot tier of the same name (scripts/generate/tiers.ts).
  tiers = {
${quota}
  }
  tier = local.tiers[var.resource_tier]

  labels = {
    "app.kubernetes.io/part-of"    = "${DEPLOY.partOf}"
    "app.kubernetes.io/managed-by" = "opentofu"
  }

  ingress_namespaces = ${hclList(INGRESS_NAMESPACES.map((ns) => (ns === DEPLOY.monitoringNamespace ? '__MON__' : ns)))}
  egress_namespaces  = ${hclList(EGRESS_NAMESPACES.map((ns) => (ns === DEPLOY.monitoringNamespace ? '__MON__' : ns)))}

  alert_token = var.alert_token != "" ? var.alert_token : random_password.alert_token.result
}
`.replace(/"__MON__"/g, 'var.monitoring_namespace');
}

const NAMESPACE = `resource "kubernetes_namespace_v1" "fleet" {
  metadata {
    name = var.namespace
    labels = merge(local.labels, {
      "bindings.knative.dev/include"       = "true"
      "pod-security.kubernetes.io/enforce" = "baseline"
      "pod-security.kubernetes.io/warn"    = "restricted"
      "pod-security.kubernetes.io/audit"   = "restricted"
      "domain"                             = var.bot_domain
      "bsw.domain"                         = var.bot_domain
      "bsw.bot-factory"                    = "true"
      "bsw.fagam-free"                     = "true"
    })
  }
}

resource "kubernetes_resource_quota_v1" "fleet" {
  metadata {
    name      = "eco-bots-quota"
    namespace = kubernetes_namespace_v1.fleet.metadata[0].name
    labels    = local.labels
  }
  spec {
    hard = {
      "requests.cpu"    = local.tier.requests_cpu
      "requests.memory" = local.tier.requests_memory
      "limits.cpu"      = local.tier.limits_cpu
      "limits.memory"   = local.tier.limits_memory
      "pods"            = local.tier.pods
    }
  }
}

resource "kubernetes_limit_range_v1" "fleet" {
  metadata {
    name      = "eco-bots-limits"
    namespace = kubernetes_namespace_v1.fleet.metadata[0].name
    labels    = local.labels
  }
  spec {
    limit {
      type            = "Container"
      default         = local.tier.default_limit
      default_request = local.tier.default_request
    }
  }
}

resource "kubernetes_network_policy_v1" "default_deny" {
  metadata {
    name      = "default-deny-all"
    namespace = kubernetes_namespace_v1.fleet.metadata[0].name
    labels    = local.labels
  }
  spec {
    pod_selector {}
    policy_types = ["Ingress", "Egress"]
  }
}

resource "kubernetes_network_policy_v1" "allow_ingress" {
  metadata {
    name      = "allow-ingress-from-gateways"
    namespace = kubernetes_namespace_v1.fleet.metadata[0].name
    labels    = local.labels
  }
  spec {
    pod_selector {}
    policy_types = ["Ingress"]
    ingress {
      from {
        namespace_selector {
          match_expressions {
            key      = "kubernetes.io/metadata.name"
            operator = "In"
            values   = local.ingress_namespaces
          }
        }
      }
    }
  }
}

resource "kubernetes_network_policy_v1" "allow_egress_dns" {
  metadata {
    name      = "allow-egress-dns"
    namespace = kubernetes_namespace_v1.fleet.metadata[0].name
    labels    = local.labels
  }
  spec {
    pod_selector {}
    policy_types = ["Egress"]
    egress {
      to {
        namespace_selector {
          match_labels = { "kubernetes.io/metadata.name" = "kube-system" }
        }
        pod_selector {
          match_labels = { "k8s-app" = "kube-dns" }
        }
      }
      ports {
        protocol = "UDP"
        port     = "53"
      }
      ports {
        protocol = "TCP"
        port     = "53"
      }
    }
  }
}

resource "kubernetes_network_policy_v1" "allow_egress_apiserver" {
  metadata {
    name      = "allow-egress-apiserver"
    namespace = kubernetes_namespace_v1.fleet.metadata[0].name
    labels    = local.labels
  }
  spec {
    pod_selector {}
    policy_types = ["Egress"]
    egress {
      to {
        ip_block {
          cidr   = "0.0.0.0/0"
          except = ["169.254.169.254/32"]
        }
      }
      ports {
        protocol = "TCP"
        port     = "443"
      }
      ports {
        protocol = "TCP"
        port     = "6443"
      }
    }
  }
}

resource "kubernetes_network_policy_v1" "allow_egress_platform" {
  metadata {
    name      = "allow-egress-platform"
    namespace = kubernetes_namespace_v1.fleet.metadata[0].name
    labels    = local.labels
  }
  spec {
    pod_selector {}
    policy_types = ["Egress"]
    egress {
      to {
        namespace_selector {
          match_expressions {
            key      = "kubernetes.io/metadata.name"
            operator = "In"
            values   = local.egress_namespaces
          }
        }
      }
    }
  }
}

resource "random_password" "alert_token" {
  length  = 48
  special = false
}

# eco-alert-bot reads it (ECO_AUTH_SECRET_NAME); on OpenFaaS create it with faas-cli secret create instead.
resource "kubernetes_secret_v1" "alert_token_fleet" {
  metadata {
    name      = "${DEPLOY.alertTokenSecret}"
    namespace = kubernetes_namespace_v1.fleet.metadata[0].name
    labels    = local.labels
  }
  data = {
    token = local.alert_token
  }
}
`;

const MONITORING = `resource "kubernetes_namespace_v1" "monitoring" {
  count = var.install_monitoring ? 1 : 0
  metadata {
    name   = var.monitoring_namespace
    labels = local.labels
  }
}

# Alertmanager presents this token to eco-alert-bot (credentials_file in alertmanager.yml).
resource "kubernetes_secret_v1" "alert_token_monitoring" {
  count = var.install_monitoring ? 1 : 0
  metadata {
    name      = "${DEPLOY.alertTokenSecret}"
    namespace = kubernetes_namespace_v1.monitoring[0].metadata[0].name
    labels    = local.labels
  }
  data = {
    token = local.alert_token
  }
}

resource "kubernetes_config_map_v1" "dashboard" {
  count = var.install_monitoring ? 1 : 0
  metadata {
    name      = "eco-bots-fleet-dashboard"
    namespace = kubernetes_namespace_v1.monitoring[0].metadata[0].name
    # The Grafana sidecar of kube-prometheus-stack loads every ConfigMap with this label.
    labels = merge(local.labels, { grafana_dashboard = "1" })
  }
  data = {
    "eco-bots-fleet.json" = file("\${path.module}/../monitoring/grafana/eco-bots-fleet.json")
  }
}

resource "helm_release" "monitoring" {
  count      = var.install_monitoring ? 1 : 0
  name       = "kube-prometheus-stack"
  repository = "https://prometheus-community.github.io/helm-charts"
  chart      = "kube-prometheus-stack"
  version    = var.kube_prometheus_stack_version
  namespace  = kubernetes_namespace_v1.monitoring[0].metadata[0].name

  values = [yamlencode({
    prometheus = {
      prometheusSpec = {
        ruleSelectorNilUsesHelmValues = false
        additionalScrapeConfigs       = yamldecode(file("\${path.module}/../monitoring/scrape-configs.yml"))
      }
    }
    additionalPrometheusRulesMap = {
      "eco-bots-seed-alerts" = yamldecode(file("\${path.module}/../monitoring/rules.yml"))
    }
    alertmanager = {
      config = yamldecode(file(var.platform == "knative" ? "\${path.module}/../monitoring/alertmanager.knative.yml" : "\${path.module}/../monitoring/alertmanager.yml"))
      alertmanagerSpec = {
        secrets = [kubernetes_secret_v1.alert_token_monitoring[0].metadata[0].name]
      }
    }
    grafana = {
      sidecar = { dashboards = { enabled = true, label = "grafana_dashboard" } }
    }
  })]

  depends_on = [kubernetes_config_map_v1.dashboard]
}
`;

const OUTPUTS = `output "namespace" {
  description = "The fleet's namespace"
  value       = kubernetes_namespace_v1.fleet.metadata[0].name
}

output "resource_quota" {
  description = "The quota applied for the chosen resource_tier"
  value       = local.tier
}

output "alert_token" {
  description = "Token Alertmanager presents to eco-alert-bot (also needed as the OpenFaaS secret ${DEPLOY.alertTokenSecret})"
  value       = local.alert_token
  sensitive   = true
}

output "grafana" {
  description = "How to reach Grafana once installed"
  value       = var.install_monitoring ? "kubectl -n \${var.monitoring_namespace} port-forward svc/kube-prometheus-stack-grafana 3000:80" : "monitoring not installed"
}
`;

export function opentofuFiles(domain: string = DEFAULT_DOMAIN): GeneratedFile[] {
  const header = hashHeader([
    'OpenTofu (never Terraform): tofu init && tofu plan -var="namespace=eco-bots" -var="resource_tier=medium"',
  ]);
  return [
    { path: `${DIR}/versions.tf`, content: header + VERSIONS },
    { path: `${DIR}/variables.tf`, content: header + variablesTf(domain) },
    { path: `${DIR}/tiers.tf`, content: header + tiersTf() },
    { path: `${DIR}/namespace.tf`, content: header + NAMESPACE },
    { path: `${DIR}/monitoring.tf`, content: header + MONITORING },
    { path: `${DIR}/outputs.tf`, content: header + OUTPUTS },
  ];
}
