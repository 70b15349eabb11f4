import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

/**
 * The relative imports between this repository's own TypeScript files, for the tests that hold the architecture
 * (test/repo/import-cycles.test.ts, test/repo/boundaries.test.ts). Every kind of import counts: `import`,
 * `import type`, `export ... from`, `import()` and `require()`; a type-only import ties two files together as much
 * as any other, since neither can then be understood, or moved, without the other.
 */

/** Files by path relative to the repository root (with `/`), each with the files it imports, sorted. */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

/** The `.ts` files under `folders` (relative to `root`), hidden folders and declaration files excepted, sorted. */
export function typeScriptFiles(root: string, folders: readonly string[]): string[] {
  const files: string[] = [];
  const walk = (relative: string): void => {
    const full = path.join(root, relative);
    const stat = fs.statSync(full, { throwIfNoEntry: false });
    if (stat?.isDirectory()) {
      for (const name of fs.readdirSync(full).sort()) {
        if (!name.startsWith('.') && name !== 'node_modules') walk(path.join(relative, name));
      }
    } else if (stat?.isFile() && relative.endsWith('.ts') && !relative.endsWith('.d.ts')) {
      files.push(relative.split(path.sep).join('/'));
    }
  };
  for (const folder of folders) walk(folder);
  return files.sort();
}

/** The module specifiers a TypeScript source imports, in the order written (comments and strings are not read). */
export function importSpecifiers(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
}

/**
 * The file a relative specifier names, relative to `root`, as Node resolves it for our sources (`./x` is `x.ts`
 * or `x/index.ts`); undefined for a package import or a file that is not TypeScript.
 */
export function resolveImport(root: string, from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return undefined;
  const base = path.resolve(root, path.dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, path.join(base, 'index.ts')]) {
    if (candidate.endsWith('.ts') && isFile(candidate)) {
      return path.relative(root, candidate).split(path.sep).join('/');
    }
  }
  return undefined;
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false; // absent, or a path through a file (`cdk.json/index.ts`)
  }
}

/** The import graph of every `.ts` file under `folders`: the relative imports that resolve to a `.ts` file. */
export function importGraph(root: string, folders: readonly string[]): ImportGraph {
  const graph = new Map<string, readonly string[]>();
  for (const file of typeScriptFiles(root, folders)) {
    const source = fs.readFileSync(path.join(root, file), 'utf8');
    const targets = importSpecifiers(source)
      .map((s) => resolveImport(root, file, s))
      .filter((t): t is string => t !== undefined);
    graph.set(file, [...new Set(targets)].sort());
  }
  return graph;
}

/** The strongly connected parts of the graph (Tarjan): files that all reach each other, each part sorted. */
export function stronglyConnected(graph: ImportGraph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const parts: string[][] = [];
  const connect = (file: string): void => {
    index.set(file, index.size);
    low.set(file, index.get(file)!);
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        connect(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(file, Math.min(low.get(file)!, index.get(next)!));
      }
    }
    if (low.get(file) === index.get(file)) {
      const part: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        part.push(member);
      } while (member !== file);
      parts.push(part.sort());
    }
  };
  for (const file of [...graph.keys()].sort()) if (!index.has(file)) connect(file);
  return parts;
}

/**
 * Every import circle of the graph, each as a path that starts and ends at its smallest file:
 * `lib/x/a.ts -> lib/x/b.ts -> lib/x/a.ts`. Elementary circles only (no file twice), sorted; at most `limit`, since
 * a tangle of many files has more circles than anyone reads.
 */
export function importCycles(graph: ImportGraph, limit = 50): string[] {
  const cycles: string[] = [];
  for (const part of stronglyConnected(graph)) {
    const members = new Set(part);
    if (part.length === 1 && !(graph.get(part[0]!) ?? []).includes(part[0]!)) continue;
    // Within one strongly connected part, the circles through `start` that use no file smaller than `start` are
    // found once each (Johnson's order, without his blocking: the parts of a codebase are small).
    for (const start of part) {
      const onPath = new Set<string>([start]);
      const trail = [start];
      const visit = (file: string): void => {
        for (const next of graph.get(file) ?? []) {
          if (cycles.length >= limit) return;
          if (next === start) cycles.push([...trail, start].join(' -> '));
          else if (next > start && members.has(next) && !onPath.has(next)) {
            onPath.add(next);
            trail.push(next);
            visit(next);
            trail.pop();
            onPath.delete(next);
          }
        }
      };
      visit(start);
    }
  }
  return cycles.sort();
}
