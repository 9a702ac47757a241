/**
 * Prometheus's relabelling (model/relabel), enough of it to run a scrape job's relabel_configs over a
 * pod target in a test: replace, keep, drop, labelmap, labeldrop, labelkeep. An action it does not
 * know is an error, so a config it cannot judge fails the test instead of passing it.
 */
export interface RelabelConfig {
  source_labels?: string[];
  separator?: string;
  regex?: string;
  target_label?: string;
  replacement?: string;
  action?: string;
}

export type Labels = Record<string, string>;

/** Prometheus anchors every relabel regex at both ends. */
function anchored(regex: string | undefined): RegExp {
  return new RegExp(`^(?:${regex ?? '(.*)'})$`);
}

/** Go's `${1}` and `$1` both name a group; JavaScript's replace understands `$1`. */
function jsReplacement(replacement: string | undefined): string {
  return (replacement ?? '$1').replace(/\$\{(\w+)\}/g, (_, group: string) =>
    /^\d+$/.test(group) ? `$${group}` : `$<${group}>`,
  );
}

/** One rule over a target's labels; undefined when the target is dropped. */
function applyOne(labels: Labels, rule: RelabelConfig): Labels | undefined {
  const regex = anchored(rule.regex);
  const action = rule.action ?? 'replace';
  const value = (rule.source_labels ?? []).map((name) => labels[name] ?? '').join(rule.separator ?? ';');
  switch (action) {
    case 'keep':
      return regex.test(value) ? labels : undefined;
    case 'drop':
      return regex.test(value) ? undefined : labels;
    case 'replace': {
      if (!regex.test(value)) return labels;
      const replacement = jsReplacement(rule.replacement);
      const target = value.replace(regex, jsReplacement(rule.target_label ?? ''));
      const result = value.replace(regex, replacement);
      const out = { ...labels };
      // An empty result removes the label, as in Prometheus.
      if (result === '') delete out[target];
      else out[target] = result;
      return out;
    }
    case 'labelmap': {
      const out = { ...labels };
      const replacement = jsReplacement(rule.replacement);
      for (const [name, labelValue] of Object.entries(labels))
        if (regex.test(name)) out[name.replace(regex, replacement)] = labelValue;
      return out;
    }
    case 'labeldrop':
      return Object.fromEntries(Object.entries(labels).filter(([name]) => !regex.test(name)));
    case 'labelkeep':
      return Object.fromEntries(Object.entries(labels).filter(([name]) => regex.test(name)));
    default:
      throw new Error(`relabel action ${action} is not supported by this test helper`);
  }
}

/**
 * Runs the rules in order. Returns the target's labels with the `__`-prefixed ones removed (what
 * Prometheus stores), or undefined when a rule dropped the target.
 */
export function relabel(labels: Labels, rules: readonly RelabelConfig[]): Labels | undefined {
  let current: Labels | undefined = labels;
  for (const rule of rules) {
    current = applyOne(current, rule);
    if (current === undefined) return undefined;
  }
  return Object.fromEntries(Object.entries(current).filter(([name]) => !name.startsWith('__')));
}

/** A pod as Kubernetes service discovery (role: pod) sees it. */
export interface DiscoveredPod {
  name: string;
  namespace: string;
  labels: Labels;
  annotations: Labels;
  address: string;
}

/** Label and annotation names become `[a-zA-Z0-9_]` in meta label names (`bsw.bot-name` -> `bsw_bot_name`). */
function metaName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/g, '_');
}

/** The meta labels kubernetes_sd_configs (role: pod) gives a target, as far as relabelling uses them. */
export function podTargetLabels(pod: DiscoveredPod): Labels {
  const labels: Labels = {
    __address__: pod.address,
    __meta_kubernetes_namespace: pod.namespace,
    __meta_kubernetes_pod_name: pod.name,
  };
  for (const [name, value] of Object.entries(pod.labels)) {
    labels[`__meta_kubernetes_pod_label_${metaName(name)}`] = value;
    labels[`__meta_kubernetes_pod_labelpresent_${metaName(name)}`] = 'true';
  }
  for (const [name, value] of Object.entries(pod.annotations)) {
    labels[`__meta_kubernetes_pod_annotation_${metaName(name)}`] = value;
    labels[`__meta_kubernetes_pod_annotationpresent_${metaName(name)}`] = 'true';
  }
  return labels;
}
