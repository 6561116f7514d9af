// The import graph of the sources, read with the TypeScript compiler's parser: a syntax tree
// per file, so an import written inside a comment, a string or a template (a child process's
// script) is not an import, and one spread over several lines still is.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** How a file names another: each kind couples the two files, a type import included. */
export type ImportKind = 'static' | 'export-from' | 'dynamic' | 'require' | 'type';

export interface ImportEdge {
  /** The importing file, relative to the root, with `/` separators. */
  from: string;
  /** The specifier as written. */
  specifier: string;
  /** The imported file relative to the root, or null for a package, a `node:` module or an unresolvable path. */
  to: string | null;
  kind: ImportKind;
  /** 1-based line of the import in `from`. */
  line: number;
}

export interface ImportGraph {
  /** Every source file read, relative to the root. */
  files: string[];
  edges: ImportEdge[];
}

const SOURCE = /\.(ts|mts|js|mjs)$/;
const SKIP_DIRS = new Set(['node_modules']);

function listSources(dir: string, out: string[]): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names.sort()) {
    if (SKIP_DIRS.has(name) || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) listSources(p, out);
    else if (SOURCE.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
}

const toPosix = (p: string) => p.split(sep).join('/');

/**
 * A relative specifier to the file it names: as written (`.ts` extensions are the house style), or as NodeNext would map `.js`, or a
 * folder's index.
 */
function resolveRelative(fromAbs: string, specifier: string, exists: (abs: string) => boolean): string | null {
  const base = resolve(dirname(fromAbs), specifier);
  const candidates = [base];
  if (/\.(m?js)$/.test(base)) candidates.push(base.replace(/\.js$/, '.ts').replace(/\.mjs$/, '.mts'));
  candidates.push(`${base}.ts`, `${base}.js`, `${base}.mjs`, join(base, 'index.ts'), join(base, 'index.js'));
  return candidates.find(exists) ?? null;
}

/** The imports one file's text makes, by syntax; `specifier` is as written, unresolved. */
export function importsOf(fileName: string, text: string): { specifier: string; kind: ImportKind; line: number }[] {
  const sf = ts.createSourceFile(
    fileName,
    text,
    ts.ScriptTarget.Latest,
    true,
    fileName.endsWith('.ts') || fileName.endsWith('.mts') ? ts.ScriptKind.TS : ts.ScriptKind.JS,
  );
  const found: { specifier: string; kind: ImportKind; line: number }[] = [];
  const add = (lit: ts.Node, kind: ImportKind) => {
    if (!ts.isStringLiteralLike(lit)) return;
    found.push({ specifier: lit.text, kind, line: sf.getLineAndCharacterOfPosition(lit.getStart(sf)).line + 1 });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      // `import type { A }`, or `import { type A, type B }` with nothing else: erased at run time, still a coupling.
      const typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined &&
            clause.namedBindings !== undefined &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      add(node.moduleSpecifier, typeOnly ? 'type' : 'static');
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      const typeOnly =
        node.isTypeOnly ||
        (node.exportClause !== undefined &&
          ts.isNamedExports(node.exportClause) &&
          node.exportClause.elements.length > 0 &&
          node.exportClause.elements.every((e) => e.isTypeOnly));
      add(node.moduleSpecifier, typeOnly ? 'type' : 'export-from');
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, node.isTypeOnly ? 'type' : 'require');
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0]) {
      add(node.arguments[0], 'dynamic');
    } else if (
      ts.isCallExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === 'require' &&
      node.arguments.length === 1 &&
      node.arguments[0]
    ) {
      add(node.arguments[0], 'require');
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      // `typeof import('./x.ts')` in a type position
      add(node.argument.literal, 'type');
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/**
 * Reads every source file under `dirs` (relative to `root`) and resolves each relative import
 * to a file. Files outside `dirs` that are imported (a test helper, say) appear as edge targets
 * but are not read themselves.
 */
export function readImportGraph(root: string, dirs: string[] = ['src', 'bin', 'scripts']): ImportGraph {
  const abs: string[] = [];
  for (const d of dirs) listSources(join(root, d), abs);
  const fileExists = (p: string) => {
    try {
      return statSync(p).isFile();
    } catch {
      return false;
    }
  };
  const edges: ImportEdge[] = [];
  for (const file of abs) {
    const from = toPosix(relative(root, file));
    for (const imp of importsOf(file, readFileSync(file, 'utf8'))) {
      const target = imp.specifier.startsWith('.') ? resolveRelative(file, imp.specifier, fileExists) : null;
      edges.push({ from, specifier: imp.specifier, to: target ? toPosix(relative(root, target)) : null, kind: imp.kind, line: imp.line });
    }
  }
  return { files: abs.map((f) => toPosix(relative(root, f))), edges };
}
