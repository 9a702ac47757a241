// YAML text to plain data, for configuration files: kubeconfigs (when the subset reader in
// shared/k8s/mini-yaml.ts declines), the alert bot's routes file, OpenFaaS stack files. js-yaml with
// YAML 1.2's core schema (no timestamps or custom tags; duplicate keys are an error), not the `yaml`
// package: a third of its size in every bundle (about 39 against 115 KB), and these readers need the
// values only. eco-iacode-bot and the docs scanner keep `yaml` for its source positions.
import { CORE_SCHEMA, load } from 'js-yaml';

/** Parses one YAML document; throws js-yaml's error (its first line names the line and column). */
export function parseYaml(text: string): unknown {
  return load(text, { schema: CORE_SCHEMA });
}
