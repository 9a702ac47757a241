import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { UnsupportedYaml, parseMiniYaml } from '../../../shared/k8s/mini-yaml.ts';

const KUBECTL_STYLE = `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: LS0tLS1CRUdJTi==
    server: https://127.0.0.1:6443
  name: kind-dev
- cluster:
    insecure-skip-tls-verify: true
    server: "http://127.0.0.1:8080"   # the emulator
  name: 'emu'
contexts:
- context:
    cluster: kind-dev
    namespace: team-a
    user: kind-dev
  name: kind-dev
current-context: kind-dev
kind: Config
preferences: {}
users:
- name: kind-dev
  user:
    token: "abc#not-a-comment"
    exec:
      apiVersion: client.authentication.k8s.io/v1
      args:
      - --region
      - eu-west-1
      env: []
      command: aws
`;

describe('parseMiniYaml', () => {
  it('reads kubectl-style kubeconfigs exactly as the full parser does', () => {
    expect(parseMiniYaml(KUBECTL_STYLE)).toEqual(parse(KUBECTL_STYLE));
  });

  it('declines what it does not cover instead of guessing', () => {
    for (const text of [
      'a: [1, 2]',
      'a: {b: c}',
      'a: |\n  x\n',
      'a: &x 1\nb: *x',
      'a: !!str 1',
      'a:\n\tb: 1',
      'a: b\n  c',
      '---\na: 1\n---\nb: 2',
    ]) {
      expect(() => parseMiniYaml(text), text).toThrow(UnsupportedYaml);
    }
  });

  it('agrees with the full parser on any block document it accepts', () => {
    const key = fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/);
    const leaf = fc.oneof(fc.string({ maxLength: 30 }), fc.boolean(), fc.integer(), fc.constant(null));
    const tree = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, leaf, tie('map'), tie('list')),
      map: fc.dictionary(key, tie('node'), { maxKeys: 5 }),
      list: fc.array(tie('node'), { maxLength: 4 }),
    }));
    let accepted = 0;
    fc.assert(
      fc.property(tree.map, (doc) => {
        const text = stringify(doc);
        let mine: unknown;
        try {
          mine = parseMiniYaml(text);
        } catch (error) {
          if (error instanceof UnsupportedYaml) return;
          throw error;
        }
        accepted++;
        expect(mine).toEqual(parse(text));
      }),
      { numRuns: 300 },
    );
    // The subset must cover most of what a YAML writer produces, or the fast path is pointless.
    expect(accepted).toBeGreaterThan(270);
  });
});
