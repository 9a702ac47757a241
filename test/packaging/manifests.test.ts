import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateAll } from '../../scripts/generate/index.ts';
import type { GeneratedFile } from '../../scripts/generate/index.ts';
import { loadFleet } from '../../scripts/generate/load.ts';
import { bigFleet, FIXTURE_FLEET } from './fixture-bots.ts';
import { ROOT, kubeObjects, yamlDocs } from './helpers.ts';
import type { Loose } from './helpers.ts';
import { validateObject } from './strict-validate.ts';

/** The committed deploy/ files, read from disk (what a user applies). */
async function committed(): Promise<GeneratedFile[]> {
  const fleet = await loadFleet(ROOT);
  const paths = generateAll(fleet).map((f) => f.path);
  return Promise.all(
    paths.map(async (path) => ({ path, content: await readFile(join(ROOT, path), 'utf8') })),
  );
}

function problemsOf(objects: readonly Record<string, unknown>[]): string[] {
  return objects
    .filter((object) => object['kind'] !== 'PrometheusRule')
    .flatMap((object) => validateObject(object).map((p) => `${p.object}: ${p.problem}`));
}

describe('every generated Kubernetes and Knative object validates against the official schemas, strictly', () => {
  it('the committed files', async () => {
    const objects = kubeObjects(await committed());
    expect(objects.length).toBeGreaterThan(10);
    expect(problemsOf(objects)).toEqual([]);
  });

  it('the fixture fleet (cron, alerts, events, the receiver)', () => {
    expect(problemsOf(kubeObjects(generateAll(FIXTURE_FLEET)))).toEqual([]);
  });

  it('a catalogue-sized fleet of 49 bots with long names', () => {
    const objects = kubeObjects(generateAll(bigFleet()));
    expect(objects.filter((o) => o['kind'] === 'Service')).toHaveLength(49);
    expect(problemsOf(objects)).toEqual([]);
  });
});

describe('the strict validator catches what the upstream schemas let through', () => {
  const service = kubeObjects(generateAll(FIXTURE_FLEET)).find((o) => o['kind'] === 'Service');
  if (service === undefined) throw new Error('no Knative Service generated');

  function mutated(mutate: (copy: Loose) => void): string[] {
    const copy = structuredClone(service) as Loose;
    mutate(copy);
    return validateObject(copy).map((p) => p.problem);
  }

  it('accepts the object unchanged', () => {
    expect(mutated(() => undefined)).toEqual([]);
  });

  it('rejects a misspelled containerConcurency', () => {
    expect(
      mutated((o) => {
        o['spec'].template.spec.containerConcurency = 10;
      }),
    ).toEqual(['unknown field /spec/template/spec/containerConcurency']);
  });

  it('rejects a misspelled imagePullPolicyy inside a container', () => {
    expect(
      mutated((o) => {
        o['spec'].template.spec.containers[0].imagePullPolicyy = 'Always';
      }),
    ).toEqual(['unknown field /spec/template/spec/containers/0/imagePullPolicyy']);
  });

  it('rejects a misspelled field deep in the security context and at the top', () => {
    const problems = mutated((o) => {
      o['spec'].template.spec.containers[0].securityContext.readOnlyRootFileSystem = true;
      o['spc'] = {};
    });
    expect(problems).toContain(
      'unknown field /spec/template/spec/containers/0/securityContext/readOnlyRootFileSystem',
    );
    expect(problems).toContain('unknown field /spc');
  });

  it('still reports plain schema errors (wrong type)', () => {
    const problems = mutated((o) => {
      o['spec'].template.spec.containerConcurrency = 'ten';
    });
    expect(problems.some((p) => p.includes('/spec/template/spec/containerConcurrency'))).toBe(true);
  });

  it('rejects a misspelled RBAC and NetworkPolicy field and a kind it has no schema for', () => {
    const objects = kubeObjects(generateAll(FIXTURE_FLEET));
    const role = structuredClone(objects.find((o) => o['kind'] === 'ClusterRole')) as Record<string, unknown>;
    (role['rules'] as Record<string, unknown>[])[0] = { apiGroups: [''], resources: ['pods'], verb: ['get'] };
    expect(validateObject(role).map((p) => p.problem)).toContain('unknown field /rules/0/verb');
    const policy = structuredClone(objects.find((o) => o['kind'] === 'NetworkPolicy')) as Record<
      string,
      unknown
    >;
    (policy['spec'] as Record<string, unknown>)['podSelectr'] = {};
    expect(validateObject(policy).map((p) => p.problem)).toContain('unknown field /spec/podSelectr');
    expect(
      validateObject({ apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 'x' } })[0]?.problem,
    ).toMatch(/no schema/);
  });

  it('keeps Trigger attribute filters to string values', () => {
    const trigger = kubeObjects(generateAll(FIXTURE_FLEET)).find((o) => o['kind'] === 'Trigger');
    const copy = structuredClone(trigger) as { spec: { filter: { attributes: Record<string, unknown> } } };
    copy.spec.filter.attributes['ecotarget'] = 3;
    expect(validateObject(copy).map((p) => p.problem)).toContain(
      'unknown field /spec/filter/attributes/ecotarget (map values must be strings)',
    );
  });
});

describe('names', () => {
  it('every object name is a DNS label of at most 63 characters (RBAC: a path segment up to 253)', () => {
    for (const object of kubeObjects(generateAll(bigFleet()))) {
      const name = String((object['metadata'] as { name: string }).name);
      const rbac = String(object['apiVersion']).startsWith('rbac.');
      expect(name.length, name).toBeLessThanOrEqual(rbac ? 253 : 63);
      expect(name, String(object['kind'])).toMatch(
        rbac ? /^[a-z0-9]([-a-z0-9:.]*[a-z0-9])?$/ : /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
      );
    }
  });

  it('long Trigger names stay unique after shortening', () => {
    const triggers = kubeObjects(generateAll(bigFleet())).filter((o) => o['kind'] === 'Trigger');
    const names = triggers.map((t) => (t['metadata'] as { name: string }).name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.some((n) => n.length === 63)).toBe(true);
  });

  it('the YAML files parse as documents without errors', async () => {
    for (const generated of await committed()) {
      if (generated.path.endsWith('.yml'))
        expect(() => yamlDocs(generated.content), generated.path).not.toThrow();
    }
  });
});
