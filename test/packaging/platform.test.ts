// The brief's platform conventions on every generated workload and namespace, and its Prometheus
// scrape job (test/fixtures/platform/brief-scrape-job.yml) keeping and naming every bot's pods.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { generateAll } from '../../scripts/generate/index.ts';
import type { GeneratedFile } from '../../scripts/generate/index.ts';
import { groupName } from '../../scripts/generate/openfaas.ts';
import { domainFromEnv } from '../../scripts/generate/platform.ts';
import { FIXTURE_FLEET } from './fixture-bots.ts';
import { envsubstDefaults } from './faas-schema.ts';
import { at, docsOf, file, ROOT, yamlDocs } from './helpers.ts';
import { podTargetLabels, relabel } from './relabel.ts';
import type { DiscoveredPod, Labels, RelabelConfig } from './relabel.ts';

interface ScrapeJob {
  job_name: string;
  kubernetes_sd_configs: { role: string; namespaces?: { names: string[] } }[];
  relabel_configs: RelabelConfig[];
}

const BRIEF_JOB = parse(
  readFileSync(join(ROOT, 'test/fixtures/platform/brief-scrape-job.yml'), 'utf8'),
) as ScrapeJob;

/** The brief's job discovers pods only in the namespaces it lists. */
function discovers(job: ScrapeJob, namespace: string): boolean {
  return job.kubernetes_sd_configs.some(
    (sd) => sd.role === 'pod' && (sd.namespaces === undefined || sd.namespaces.names.includes(namespace)),
  );
}

/** A workload's pod as discovery sees it, with the name the workload's expected bot_name. */
interface Workload {
  expectedBotName: string;
  pod: DiscoveredPod;
}

/** Pods of the Knative Services: the revision template's labels and annotations. */
function knativePods(services: readonly Record<string, unknown>[]): Workload[] {
  return services
    .filter((doc) => doc['kind'] === 'Service')
    .map((service) => {
      const name = at(service, 'metadata.name') as string;
      return {
        expectedBotName: name,
        pod: {
          name: `${name}-00001-deployment-5d8f7c9b4-x2x7q`,
          namespace: at(service, 'metadata.namespace') as string,
          // Knative adds its own serving.knative.dev/* labels; the template's are the ones we set.
          labels: at(service, 'spec.template.metadata.labels') as Labels,
          annotations: at(service, 'spec.template.metadata.annotations') as Labels,
          address: '10.0.0.7:8080',
        },
      };
    });
}

/** Pods of an OpenFaaS stack: faas-netes copies the function's labels and annotations onto its pods. */
function openfaasPods(stackText: string): Workload[] {
  const stack = parse(envsubstDefaults(stackText)) as {
    functions: Record<string, { labels: Labels; annotations: Labels; namespace: string }>;
  };
  return Object.entries(stack.functions).map(([name, fn]) => ({
    expectedBotName: name,
    pod: {
      name: `${name}-7c9d6f5b8-k4m2p`,
      namespace: fn.namespace,
      labels: { ...fn.labels, faas_function: name },
      annotations: fn.annotations,
      address: '10.0.0.8:8080',
    },
  }));
}

function workloadsOf(services: string, stack: string, stackCe: string): Record<string, Workload[]> {
  return {
    knative: knativePods(yamlDocs(services)),
    'stack.yml': openfaasPods(stack),
    'stack.ce.yml': openfaasPods(stackCe),
  };
}

function generatedWorkloads(files: readonly GeneratedFile[]): Record<string, Workload[]> {
  return workloadsOf(
    file(files, 'deploy/knative/20-services.yml').content,
    file(files, 'stack.yml').content,
    file(files, 'stack.ce.yml').content,
  );
}

function committedWorkloads(): Record<string, Workload[]> {
  const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
  return workloadsOf(read('deploy/knative/20-services.yml'), read('stack.yml'), read('stack.ce.yml'));
}

function expectKeptAndNamed(workloads: Record<string, Workload[]>): void {
  for (const [platform, list] of Object.entries(workloads)) {
    expect(list.length, platform).toBeGreaterThan(0);
    for (const { expectedBotName, pod } of list) {
      const kept = relabel(podTargetLabels(pod), BRIEF_JOB.relabel_configs);
      expect(kept, `${platform} ${expectedBotName}`).toBeDefined();
      expect(kept?.['bot_name'], `${platform} ${expectedBotName}`).toBe(expectedBotName);
      expect(kept?.['instance'], `${platform} ${expectedBotName}`).toBe(pod.name);
    }
  }
}

describe("the brief's scrape job on the generated pods", () => {
  it('keeps every pod of every bot of the committed deployment files and sets bot_name to the bot', () => {
    expectKeptAndNamed(committedWorkloads());
  });

  it('keeps the fixture fleet, and in the compact profile names each pod by its category function', () => {
    const workloads = generatedWorkloads(generateAll(FIXTURE_FLEET));
    expectKeptAndNamed(workloads);
    const ceNames = (workloads['stack.ce.yml'] ?? []).map((w) => w.expectedBotName).sort();
    expect(ceNames).toEqual([...new Set(FIXTURE_FLEET.bots.map((bot) => groupName(bot.category)))].sort());
  });

  it('discovers the Knative pods: they run in the namespace the job watches', () => {
    for (const { pod } of committedWorkloads()['knative'] ?? [])
      expect(discovers(BRIEF_JOB, pod.namespace), pod.name).toBe(true);
  });

  it('drops every pod when the fleet is generated for another BOT_DOMAIN (the keep rule is real)', () => {
    const files = generateAll({ ...FIXTURE_FLEET, domain: 'AXIS' });
    for (const [platform, list] of Object.entries(generatedWorkloads(files))) {
      for (const { pod } of list) {
        expect(pod.labels['domain'], platform).toBe('AXIS');
        expect(relabel(podTargetLabels(pod), BRIEF_JOB.relabel_configs), platform).toBeUndefined();
      }
    }
  });
});

describe("the brief's labels and annotations beside the project's own", () => {
  const files = generateAll(FIXTURE_FLEET);

  it('every Knative Service and its revision template', () => {
    for (const service of docsOf(files, 'deploy/knative/20-services.yml')) {
      const bot = FIXTURE_FLEET.bots.find((b) => b.name === at(service, 'metadata.name'));
      if (bot === undefined) throw new Error('a Service for no bot');
      for (const path of ['metadata', 'spec.template.metadata']) {
        expect(at(service, `${path}.labels`)).toMatchObject({
          domain: 'ECO',
          'bsw.bot-name': bot.name,
          'bsw.bot-category': bot.category,
          'eco.bsw-arch.org/category': bot.category,
        });
        expect(at(service, `${path}.annotations`)).toMatchObject({
          'bsw.resource-tier': bot.tier,
          'bsw.container-size-target': '<50MB',
        });
      }
      expect(at(service, 'spec.template.metadata.annotations')).toMatchObject({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': '8080',
        'prometheus.io/path': '/metrics',
      });
    }
  });

  it('every OpenFaaS function, one per bot and one per category', () => {
    for (const path of ['stack.yml', 'stack.ce.yml']) {
      const stack = parse(envsubstDefaults(file(files, path).content)) as {
        functions: Record<string, { labels: Labels; annotations: Labels }>;
      };
      for (const [name, fn] of Object.entries(stack.functions)) {
        expect(fn.labels, `${path} ${name}`).toMatchObject({ domain: 'ECO', 'bsw.bot-name': name });
        expect(fn.labels['bsw.bot-category'], `${path} ${name}`).toBe(fn.labels['eco.bsw-arch.org/category']);
        expect(fn.annotations, `${path} ${name}`).toMatchObject({
          'bsw.resource-tier': fn.labels['eco.bsw-arch.org/tier'],
          'bsw.container-size-target': '<50MB',
          'prometheus.io/scrape': 'true',
          'prometheus.io/port': '8080',
          'prometheus.io/path': '/metrics',
        });
      }
    }
  });

  it('the namespace manifest and the OpenTofu namespace, with the domain from BOT_DOMAIN', () => {
    const axis = generateAll({ ...FIXTURE_FLEET, domain: 'AXIS' });
    for (const [domain, generated] of [
      ['ECO', files],
      ['AXIS', axis],
    ] as const) {
      const namespace = docsOf(generated, 'deploy/namespace/eco-bots.yml').find(
        (doc) => doc['kind'] === 'Namespace',
      );
      expect(at(namespace, 'metadata.labels')).toMatchObject({
        domain,
        'bsw.domain': domain,
        'bsw.bot-factory': 'true',
        'bsw.fagam-free': 'true',
        'app.kubernetes.io/part-of': 'eco-bots',
      });
      const tf = file(generated, 'deploy/opentofu/namespace.tf').content;
      expect(tf).toMatch(/"domain"\s+= var\.bot_domain/);
      expect(tf).toMatch(/"bsw\.domain"\s+= var\.bot_domain/);
      expect(tf).toMatch(/"bsw\.bot-factory"\s+= "true"/);
      expect(tf).toMatch(/"bsw\.fagam-free"\s+= "true"/);
      const variables = file(generated, 'deploy/opentofu/variables.tf').content;
      expect(variables).toMatch(new RegExp(`variable "bot_domain" \\{[^}]*default\\s+= "${domain}"`));
    }
  });
});

describe('BOT_DOMAIN', () => {
  it('defaults to ECO (unset or empty)', () => {
    expect(domainFromEnv({})).toBe('ECO');
    expect(domainFromEnv({ BOT_DOMAIN: '' })).toBe('ECO');
  });

  it('sets the domain label value', () => {
    expect(domainFromEnv({ BOT_DOMAIN: 'AXIS' })).toBe('AXIS');
  });

  it('a value no label can carry is one clear error naming the variable', () => {
    expect(() => domainFromEnv({ BOT_DOMAIN: 'eco bots' })).toThrow(/^BOT_DOMAIN="eco bots" is not a/);
    expect(() => domainFromEnv({ BOT_DOMAIN: 'x'.repeat(64) })).toThrow(/BOT_DOMAIN/);
  });
});
