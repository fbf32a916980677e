// The module specifiers one JavaScript file names, read from acorn's syntax tree: static
// `import … from` and `export … from`, `require('literal')`, and `import('literal')`. A require or
// import() whose argument is not a literal is counted (with its line) rather than guessed at: the
// report says such loads were seen and not followed.
import { parse, type Node } from 'acorn';

export type ImportKind = 'import' | 'export-from' | 'require' | 'dynamic';

export interface Specifier {
  specifier: string;
  kind: ImportKind;
  line: number;
}

export interface Scanned {
  specifiers: Specifier[];
  /** `require(x)` / `import(x)` with a computed argument, by line. */
  computed: { kind: 'require' | 'dynamic'; line: number }[];
  /** How it parsed: as an ES module or CommonJS. */
  mode: 'module' | 'commonjs';
}

export class UnparseableModule extends Error {}

interface AnyNode extends Node {
  [key: string]: unknown;
}

function isNode(value: unknown): value is AnyNode {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

/** A string literal, or a template literal without substitutions. */
function literalValue(node: unknown): string | undefined {
  if (!isNode(node)) return undefined;
  if (node.type === 'Literal' && typeof node.value === 'string') return node.value;
  if (node.type === 'TemplateLiteral' && Array.isArray(node.expressions) && node.expressions.length === 0) {
    const quasi = (node.quasis as { value: { cooked?: string | null } }[])[0];
    return quasi?.value.cooked ?? undefined;
  }
  return undefined;
}

/**
 * `.mjs` is a module and `.cjs` CommonJS; anything else is tried as a module first, then as
 * CommonJS (where top-level `return` is legal), as Node itself falls back for ambiguous syntax.
 */
export function scanSource(text: string, ext: string): Scanned {
  const order: Scanned['mode'][] = ext === '.mjs' ? ['module'] : ext === '.cjs' ? ['commonjs'] : ['module', 'commonjs'];
  let firstError: Error | undefined;
  for (const mode of order) {
    let program: Node;
    try {
      program = parse(text, { ecmaVersion: 'latest', sourceType: mode, allowHashBang: true, locations: true });
    } catch (err) {
      firstError ??= err as Error;
      continue;
    }
    return { ...collect(program), mode };
  }
  throw new UnparseableModule(firstError?.message ?? 'cannot be parsed');
}

function collect(program: Node): Omit<Scanned, 'mode'> {
  const specifiers: Specifier[] = [];
  const computed: Scanned['computed'] = [];
  const lineOf = (node: AnyNode) => node.loc?.start.line ?? 0;
  // an explicit stack, not recursion: a minified file nests deeper than the call stack allows
  const stack: unknown[] = [program];
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push(value[i]);
      continue;
    }
    if (!isNode(value)) continue;
    const node = value;
    switch (node.type) {
      case 'ImportDeclaration':
      case 'ExportNamedDeclaration':
      case 'ExportAllDeclaration': {
        const source = literalValue(node.source);
        if (source !== undefined)
          specifiers.push({
            specifier: source,
            kind: node.type === 'ImportDeclaration' ? 'import' : 'export-from',
            line: lineOf(node),
          });
        break;
      }
      case 'ImportExpression': {
        const source = literalValue(node.source);
        if (source !== undefined) specifiers.push({ specifier: source, kind: 'dynamic', line: lineOf(node) });
        else computed.push({ kind: 'dynamic', line: lineOf(node) });
        break;
      }
      case 'CallExpression': {
        const callee = node.callee as AnyNode;
        if (callee.type === 'Identifier' && callee.name === 'require') {
          const args = node.arguments as unknown[];
          const source = literalValue(args[0]);
          if (source !== undefined) specifiers.push({ specifier: source, kind: 'require', line: lineOf(node) });
          else if (args.length > 0) computed.push({ kind: 'require', line: lineOf(node) });
        }
        break;
      }
    }
    for (const key of Object.keys(node)) {
      if (key === 'loc' || key === 'type') continue;
      const child = node[key];
      if (typeof child === 'object' && child !== null) stack.push(child);
    }
  }
  return { specifiers, computed };
}
