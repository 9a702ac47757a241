// Properties of the emulator's building blocks, checked on generated inputs: paging returns every
// object exactly once in key order, selectors round-trip and obey their set semantics, patches agree
// with each other where their semantics coincide.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Registry } from '../../local/k8s-emulator/resources.ts';
import type { ResourceDef } from '../../local/k8s-emulator/resources.ts';
import { Store, prepareCreate } from '../../local/k8s-emulator/store.ts';
import { WatchHub } from '../../local/k8s-emulator/watch-hub.ts';
import { matchesLabels, parseLabelSelector, selectorToString } from '../../local/k8s-emulator/selectors.ts';
import { applyJsonPatch, applyMergePatch, strategicMerge } from '../../local/k8s-emulator/patch.ts';

const name = fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/);
const namespace = fc.constantFrom('a', 'b', 'kube-system', 'team-1');

function storeWith(objects: Array<{ ns: string; name: string }>): { store: Store; pods: ResourceDef } {
  const registry = new Registry();
  const store = new Store(registry, new WatchHub(100), () => new Date('2026-01-01T00:00:00Z'));
  const pods = registry.byPath('', 'v1', 'pods') as ResourceDef;
  for (const o of objects) {
    if (store.find(pods, o.ns, o.name)) continue;
    store.commitCreate(
      pods,
      prepareCreate(
        pods,
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: o.name, namespace: o.ns } },
        new Date(),
      ),
    );
  }
  return { store, pods };
}

describe('paging', () => {
  it('pages of any size return every object once, in namespace/name order, per namespace or across all', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ ns: namespace, name }), { maxLength: 60 }),
        fc.integer({ min: 1, max: 10 }),
        fc.option(namespace, { nil: undefined }),
        (objects, limit, ns) => {
          const { store, pods } = storeWith(objects);
          const expected = [
            ...new Set(
              objects.filter((o) => ns === undefined || o.ns === ns).map((o) => `${o.ns}/${o.name}`),
            ),
          ].sort();
          const seen: string[] = [];
          let after: string | undefined;
          for (let i = 0; i < 100; i++) {
            const page = store.page(pods, ns, after, limit, () => true);
            expect(page.items.length).toBeLessThanOrEqual(limit);
            seen.push(...page.items.map((p) => `${p.metadata.namespace}/${p.metadata.name}`));
            if (page.nextStart === undefined) break;
            expect(page.remaining).toBeGreaterThan(0);
            after = page.nextStart;
          }
          expect(seen).toEqual(expected);
        },
      ),
    );
  });

  it('deleting objects keeps the key index consistent', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ ns: namespace, name }), { maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (objects, kills) => {
          const { store, pods } = storeWith(objects);
          const all = [...store.scan(pods)];
          for (const k of kills) {
            const victim = all[k % Math.max(1, all.length)];
            if (victim && store.find(pods, victim.metadata.namespace, victim.metadata.name))
              store.commitDelete(pods, victim);
          }
          const listed = [...store.scan(pods)].map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
          expect(listed).toEqual([...listed].sort());
          expect(store.count(pods)).toBe(listed.length);
          for (const key of listed) {
            const [n, m] = key.split('/') as [string, string];
            expect(store.find(pods, n, m)).toBeDefined();
          }
        },
      ),
    );
  });
});

describe('label selectors', () => {
  const key = fc.constantFrom('app', 'tier', 'team', 'example.com/owner');
  const value = fc.constantFrom('web', 'db', 'a', 'b-1');
  const requirement = fc.oneof(
    fc.tuple(key, value).map(([k, v]) => `${k}=${v}`),
    fc.tuple(key, value).map(([k, v]) => `${k}!=${v}`),
    fc
      .tuple(key, fc.uniqueArray(value, { minLength: 1, maxLength: 3 }))
      .map(([k, vs]) => `${k} in (${vs.join(',')})`),
    fc
      .tuple(key, fc.uniqueArray(value, { minLength: 1, maxLength: 3 }))
      .map(([k, vs]) => `${k} notin (${vs.join(',')})`),
    key,
    key.map((k) => `!${k}`),
  );
  const labels = fc.dictionary(key, value, { maxKeys: 4 });

  it('print(parse(s)) parses to the same selector and matches the same label sets', () => {
    fc.assert(
      fc.property(fc.array(requirement, { minLength: 1, maxLength: 4 }), labels, (reqs, l) => {
        const parsed = parseLabelSelector(reqs.join(','));
        const again = parseLabelSelector(selectorToString(parsed));
        expect(again).toEqual(parsed);
        expect(matchesLabels(again, l)).toBe(matchesLabels(parsed, l));
      }),
    );
  });

  it('a comma is AND; `in` is OR of equalities; `notin` is the complement of `in`', () => {
    fc.assert(
      fc.property(
        requirement,
        requirement,
        key,
        fc.uniqueArray(value, { minLength: 1, maxLength: 3 }),
        labels,
        (a, b, k, vs, l) => {
          const both = matchesLabels(parseLabelSelector(`${a},${b}`), l);
          expect(both).toBe(
            matchesLabels(parseLabelSelector(a), l) && matchesLabels(parseLabelSelector(b), l),
          );
          const inSet = matchesLabels(parseLabelSelector(`${k} in (${vs.join(',')})`), l);
          expect(inSet).toBe(vs.some((v) => matchesLabels(parseLabelSelector(`${k}=${v}`), l)));
          expect(matchesLabels(parseLabelSelector(`${k} notin (${vs.join(',')})`), l)).toBe(!inSet);
        },
      ),
    );
  });
});

describe('patches', () => {
  // Objects without lists: strategic merge and JSON merge patch mean the same thing.
  const scalar = fc.oneof(fc.integer(), fc.string({ maxLength: 5 }), fc.boolean());
  const tree = fc.letrec((tie) => ({
    node: fc.dictionary(
      fc.constantFrom('a', 'b', 'c', 'd'),
      fc.oneof({ depthSize: 'small' }, scalar, tie('node')),
      { maxKeys: 3 },
    ),
  })).node;
  const patchTree = fc.letrec((tie) => ({
    node: fc.dictionary(
      fc.constantFrom('a', 'b', 'c', 'd'),
      fc.oneof({ depthSize: 'small' }, scalar, fc.constant(null), tie('node')),
      { maxKeys: 3 },
    ),
  })).node;

  it('strategic merge equals JSON merge patch on list-free documents', () => {
    fc.assert(
      fc.property(tree, patchTree, (doc, patch) => {
        expect(strategicMerge(doc, patch)).toEqual(applyMergePatch(doc, patch));
      }),
    );
  });

  it('JSON patch add then remove of a new key restores the document; test of the current value passes', () => {
    fc.assert(
      fc.property(tree, scalar, (doc, v) => {
        const withKey = applyJsonPatch(doc, [{ op: 'add', path: '/zz', value: v }]) as Record<
          string,
          unknown
        >;
        expect(withKey['zz']).toEqual(v);
        expect(
          applyJsonPatch(withKey, [
            { op: 'test', path: '/zz', value: v },
            { op: 'remove', path: '/zz' },
          ]),
        ).toEqual(doc);
        expect(doc).not.toHaveProperty('zz');
      }),
    );
  });

  it('patches never mutate their input', () => {
    fc.assert(
      fc.property(tree, patchTree, (doc, patch) => {
        const before = JSON.stringify(doc);
        strategicMerge(doc, patch);
        applyMergePatch(doc, patch);
        expect(JSON.stringify(doc)).toBe(before);
      }),
    );
  });
});
