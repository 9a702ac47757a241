// A small HCL reader for the generated OpenTofu files: enough to prove they parse (balanced blocks,
// closed strings and interpolations) and reference only what they declare. No tofu binary is needed.

export interface HclFile {
  path: string;
  content: string;
}

export interface Declarations {
  variables: Set<string>;
  locals: Set<string>;
  resources: Set<string>;
  data: Set<string>;
  modules: Set<string>;
  providers: Set<string>;
  /** required_providers: local name -> source */
  providerSources: Map<string, string>;
}

const PROHIBITED = /^(hashicorp\/)?(aws|google|google-beta|azurerm|azuread|vault)$/i;
const PROHIBITED_TYPES = /^(aws|google|azurerm|azuread|vault)_/;

/**
 * Splits a file into code with strings blanked out (interpolations kept) and reports syntax problems:
 * unclosed strings, interpolations, comments, and unbalanced brackets.
 */
export function codeOf(file: HclFile): { code: string; problems: string[] } {
  const text = file.content;
  const problems: string[] = [];
  let code = '';
  const stack: string[] = [];
  const pairs: Record<string, string> = { '}': '{', ']': '[', ')': '(' };
  let i = 0;
  // Depth of `${` interpolations we are inside, and for each, the bracket depth where it started.
  const interpolationDepths: number[] = [];
  let inString = false;
  while (i < text.length) {
    const ch = text[i] ?? '';
    const next = text[i + 1] ?? '';
    if (inString) {
      if (ch === '\\') {
        code += '  ';
        i += 2;
        continue;
      }
      if (ch === '"') {
        inString = false;
        code += '"';
        i += 1;
        continue;
      }
      if (ch === '$' && next === '{') {
        inString = false;
        interpolationDepths.push(stack.length);
        stack.push('${');
        code += '${';
        i += 2;
        continue;
      }
      if (ch === '\n') problems.push(`${file.path}: string not closed before end of line`);
      code += ch === '\n' ? '\n' : ' ';
      i += 1;
      continue;
    }
    if (ch === '#' || (ch === '/' && next === '/')) {
      while (i < text.length && text[i] !== '\n') i += 1;
      continue;
    }
    if (ch === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) {
        problems.push(`${file.path}: comment not closed`);
        break;
      }
      i = end + 2;
      continue;
    }
    if (ch === '<' && next === '<') problems.push(`${file.path}: heredocs are not supported by this checker`);
    if (ch === '"') {
      inString = true;
      code += '"';
      i += 1;
      continue;
    }
    if (ch === '{' || ch === '[' || ch === '(') stack.push(ch);
    if (ch === '}' || ch === ']' || ch === ')') {
      const open = stack.pop();
      if (ch === '}' && open === '${') {
        interpolationDepths.pop();
        inString = true;
        code += '}';
        i += 1;
        continue;
      }
      if (open !== pairs[ch]) problems.push(`${file.path}: unbalanced "${ch}" at offset ${i}`);
    }
    code += ch;
    i += 1;
  }
  if (inString) problems.push(`${file.path}: string not closed at end of file`);
  if (stack.length > 0) problems.push(`${file.path}: ${stack.length} unclosed bracket(s) at end of file`);
  return { code, problems };
}

/** Top-level blocks `type "label" ... {` and the attribute names of `locals` blocks. */
export function declarations(files: readonly HclFile[]): { decl: Declarations; problems: string[] } {
  const decl: Declarations = {
    variables: new Set(),
    locals: new Set(),
    resources: new Set(),
    data: new Set(),
    modules: new Set(),
    providers: new Set(),
    providerSources: new Map(),
  };
  const problems: string[] = [];
  for (const file of files) {
    const { code, problems: syntax } = codeOf(file);
    problems.push(...syntax);
    let depth = 0;
    let block: string | undefined;
    const lines = code.split('\n');
    const original = file.content.split('\n');
    lines.forEach((line, index) => {
      if (depth === 0) {
        const header = /^\s*([a-z_]+)((?:\s+"[^"]*")*)\s*\{/.exec(original[index] ?? '');
        if (header) {
          block = header[1];
          const labels = [...(header[2] ?? '').matchAll(/"([^"]*)"/g)].map((m) => m[1] ?? '');
          const [first, second] = labels;
          if (block === 'variable' && first) decl.variables.add(first);
          else if (block === 'resource' && first && second) decl.resources.add(`${first}.${second}`);
          else if (block === 'data' && first && second) decl.data.add(`${first}.${second}`);
          else if (block === 'module' && first) decl.modules.add(first);
          else if (block === 'provider' && first) decl.providers.add(first);
          else if (
            !['terraform', 'locals', 'output', 'variable', 'resource', 'data', 'module', 'provider'].includes(
              block ?? '',
            )
          ) {
            problems.push(`${file.path}:${index + 1}: unknown top-level block "${block}"`);
          }
        } else if (line.trim() !== '') {
          problems.push(`${file.path}:${index + 1}: unexpected text outside a block`);
        }
      } else if (depth === 1 && block === 'locals') {
        const attribute = /^\s*([a-z_][a-z0-9_]*)\s*=/.exec(line);
        if (attribute?.[1]) decl.locals.add(attribute[1]);
      }
      for (const ch of line) {
        if (ch === '{') depth += 1;
        if (ch === '}') depth -= 1;
      }
    });
    for (const match of file.content.matchAll(
      /^\s*([a-z][a-z0-9_-]*)\s*=\s*\{\s*\n\s*source\s*=\s*"([^"]+)"/gm,
    )) {
      decl.providerSources.set(match[1] ?? '', match[2] ?? '');
    }
  }
  return { decl, problems };
}

/** Undeclared references and prohibited providers across a module's files. */
export function checkModule(files: readonly HclFile[]): string[] {
  const { decl, problems } = declarations(files);
  const providerNames = new Set([...decl.providerSources.keys(), ...decl.providers]);
  for (const [name, source] of decl.providerSources) {
    if (PROHIBITED.test(source) || PROHIBITED.test(name))
      problems.push(`prohibited provider ${name} (${source})`);
  }
  for (const name of decl.providers)
    if (PROHIBITED.test(name)) problems.push(`prohibited provider block "${name}"`);
  for (const resource of [...decl.resources, ...decl.data]) {
    const type = resource.split('.')[0] ?? '';
    if (PROHIBITED_TYPES.test(type)) problems.push(`prohibited resource type ${type}`);
    if (![...providerNames].some((p) => type.startsWith(`${p}_`)))
      problems.push(`${type}: no provider declares it`);
  }
  for (const file of files) {
    const { code } = codeOf(file);
    const refs = (pattern: RegExp): string[] => [...code.matchAll(pattern)].map((m) => m.slice(1).join('.'));
    for (const name of refs(/\bvar\.([a-z_][a-z0-9_-]*)/g)) {
      if (!decl.variables.has(name)) problems.push(`${file.path}: undeclared variable var.${name}`);
    }
    for (const name of refs(/\blocal\.([a-z_][a-z0-9_-]*)/g)) {
      if (!decl.locals.has(name)) problems.push(`${file.path}: undeclared local local.${name}`);
    }
    for (const name of refs(/\bdata\.([a-z0-9_]+)\.([a-z_][a-z0-9_-]*)/g)) {
      if (!decl.data.has(name)) problems.push(`${file.path}: undeclared data source data.${name}`);
    }
    for (const name of refs(/\bmodule\.([a-z_][a-z0-9_-]*)/g)) {
      if (!decl.modules.has(name)) problems.push(`${file.path}: undeclared module module.${name}`);
    }
    for (const match of code.matchAll(/(?<![.\w])([a-z][a-z0-9]*)_([a-z0-9_]+)\.([a-z_][a-z0-9_-]*)/g)) {
      const provider = match[1] ?? '';
      if (!providerNames.has(provider)) continue;
      const name = `${provider}_${match[2] ?? ''}.${match[3] ?? ''}`;
      if (!decl.resources.has(name)) problems.push(`${file.path}: undeclared resource ${name}`);
    }
  }
  return problems;
}
