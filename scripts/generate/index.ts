import { knativeFiles } from './knative.ts';
import { monitoringFiles } from './monitoring/index.ts';
import { namespaceFiles } from './namespace.ts';
import { stackCeFile, stackFile } from './openfaas.ts';
import { opentofuFiles } from './opentofu.ts';
import { DEFAULT_DOMAIN } from './platform.ts';
import { rbacFiles } from './rbac.ts';
import { registryFile } from './registry.ts';
import { yamlFile } from './yaml.ts';
import { workflowFile } from './workflow.ts';
import type { Fleet, GeneratedFile } from './types.ts';

/** Lists every generated file (JSON cannot carry the header, so this list marks it). */
export const MANIFEST_PATH = 'deploy/GENERATED.yml';

/** Every generated file for a fleet, in a stable order. Pure: the same fleet gives the same bytes. */
export function generateAll(fleet: Fleet): GeneratedFile[] {
  const bots = [...fleet.bots].sort((a, b) => a.name.localeCompare(b.name));
  const names = new Set<string>();
  for (const bot of bots) {
    if (names.has(bot.name)) throw new Error(`two bots are named ${bot.name}`);
    names.add(bot.name);
  }
  const sorted: Fleet = {
    bots,
    handlerFiles: [...fleet.handlerFiles].sort(),
    domain: fleet.domain ?? DEFAULT_DOMAIN,
    ...(fleet.docsCheckout !== undefined ? { docsCheckout: fleet.docsCheckout } : {}),
  };
  const files = [
    registryFile(sorted),
    stackFile(sorted),
    stackCeFile(sorted),
    ...rbacFiles(sorted),
    ...namespaceFiles(sorted),
    ...knativeFiles(sorted),
    ...monitoringFiles(sorted),
    ...opentofuFiles(sorted.domain),
    workflowFile(sorted),
  ];
  const manifest: GeneratedFile = {
    path: MANIFEST_PATH,
    content: yamlFile(
      [{ generated: [...files.map((file) => file.path), MANIFEST_PATH].sort() }],
      ['Every file scripts/generate.ts writes (JSON files cannot carry the header themselves).'],
    ),
  };
  return [...files, manifest];
}

export type { Fleet, GeneratedFile } from './types.ts';
