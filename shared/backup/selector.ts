// Kubernetes label selectors in their string form (`app=web,tier!=db,env in (a,b),!legacy`), matched
// against an object's labels: for backups of "namespaces with label X" and "objects with label Y".

type Requirement = (labels: Readonly<Record<string, string>>) => boolean;

/** A matcher, or a string saying what is wrong with the selector. */
export function parseLabelSelector(
  selector: string,
): ((labels: Readonly<Record<string, string>> | undefined) => boolean) | string {
  const parts = selector.match(/(?:[^,(]|\([^)]*\))+/g) ?? [];
  if (parts.join(',') !== selector) return `"${selector}" is not a label selector (unbalanced parentheses?)`;
  const requirements: Requirement[] = [];
  for (const raw of parts) {
    const part = raw.trim();
    if (part === '') continue;
    let match: RegExpExecArray | null;
    if ((match = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(part))) {
      const [, key = '', op, list = ''] = match;
      const values = new Set(
        list
          .split(',')
          .map((v) => v.trim())
          .filter(Boolean),
      );
      requirements.push(
        op === 'in'
          ? (l) => key in l && values.has(l[key] ?? '')
          : (l) => !(key in l) || !values.has(l[key] ?? ''),
      );
    } else if ((match = /^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/.exec(part))) {
      const [, key = '', op, value = ''] = match;
      requirements.push(op === '!=' ? (l) => l[key] !== value : (l) => l[key] === value);
    } else if ((match = /^!([\w./-]+)$/.exec(part))) {
      const key = match[1] ?? '';
      requirements.push((l) => !(key in l));
    } else if ((match = /^([\w./-]+)$/.exec(part))) {
      const key = match[1] ?? '';
      requirements.push((l) => key in l);
    } else {
      return `"${part}" is not a label selector requirement`;
    }
  }
  return (labels) => requirements.every((r) => r(labels ?? {}));
}
