import { describe, expect, it } from 'vitest';
import { fieldSelector, labelSelector } from '../../../shared/k8s/selectors.ts';

describe('selectors', () => {
  it('builds label selectors in the apiserver grammar', () => {
    expect(labelSelector({ app: 'web', 'app.kubernetes.io/part-of': 'shop' })).toBe(
      'app=web,app.kubernetes.io/part-of=shop',
    );
    expect(
      labelSelector({}, [
        { key: 'tier', operator: 'in', values: ['a', 'b'] },
        { key: 'canary', operator: '!exists' },
        { key: 'team', operator: 'exists' },
      ]),
    ).toBe('tier in (a,b),!canary,team');
    expect(labelSelector({ empty: '' })).toBe('empty=');
  });

  it('refuses values that would change the selector’s meaning', () => {
    expect(() => labelSelector({ app: 'web,tier=db' })).toThrow(/invalid value/);
    expect(() => labelSelector({ 'bad key': 'x' })).toThrow(/invalid label key/);
    expect(() => labelSelector({}, [{ key: 'a', operator: 'in', values: [] }])).toThrow(/at least one value/);
  });

  it('escapes field selector values', () => {
    expect(fieldSelector({ 'involvedObject.uid': 'u1', reason: 'EcoCleanupNotice' })).toBe(
      'involvedObject.uid=u1,reason=EcoCleanupNotice',
    );
    expect(fieldSelector({ 'metadata.name': 'a,b=c\\d' })).toBe('metadata.name=a\\,b\\=c\\\\d');
    expect(() => fieldSelector({ 'bad field': 'x' })).toThrow(/invalid field/);
  });
});
