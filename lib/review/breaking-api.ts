import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as TypeScript from 'typescript';

/**
 * The package's entry points (package.json `exports`) and the source file behind each: what application teams
 * import.
 */
export const ENTRY_POINTS: Readonly<Record<string, string>> = {
  'platform-constructs': 'lib/core/index.ts',
  'platform-constructs/aws': 'lib/aws/index.ts',
  'platform-constructs/azure': 'lib/azure/index.ts',
};

/** What an exported name is; a name can be several at once (a `const` and a `type` of the same name). */
export type ApiKind = 'class' | 'interface' | 'type' | 'function' | 'variable' | 'enum' | 'namespace' | 're-export';

/** One property of an exported interface. */
export interface ApiProp {
  /** Whether a team may leave it out. */
  readonly optional: boolean;
  /**
   * The documented default: the `@default` tag's text (`- 35 days in production`), or what follows `Default:` in
   * the summary.
   * @default - none documented
   */
  readonly default?: string;
  /** Whether it has a TSDoc summary. */
  readonly documented: boolean;
  /** The interface that declares it (itself, or one it extends) and that interface's file, for reports. */
  readonly declaredIn: string;
}

/** One exported name of an entry point. */
export interface ApiExport {
  /** What it is, sorted. */
  readonly kinds: readonly ApiKind[];
  /** The file that declares it, relative to the root, with forward slashes. */
  readonly file: string;
  /** Whether it has a TSDoc summary. */
  readonly documented: boolean;
  /**
   * A class that is a construct: it extends `Construct`, `Stack`, `TerraformStack` (or another class of ours that
   * does).
   * @default - not a construct
   */
  readonly construct?: true;
  /**
   * Interfaces: every property, own and inherited from interfaces of ours, by name.
   * @default - not an interface
   */
  readonly props?: Readonly<Record<string, ApiProp>>;
  /**
   * Classes: every public member, own and inherited from classes of ours, sorted; static ones as `static name`.
   * @default - not a class
   */
  readonly members?: readonly string[];
}

/**
 * The public API of the package at one commit: per entry point, every exported name. Plain JSON, keys sorted, so
 * two snapshots compare (and diff) as text.
 */
export interface ApiSnapshot {
  /** Entry point (`platform-constructs/aws`) to export name to what it is. */
  readonly entryPoints: Readonly<Record<string, Readonly<Record<string, ApiExport>>>>;
}

/** Options of {@link apiSnapshot}. */
export interface ApiSnapshotOptions {
  /**
   * The entry points to read, by name, each a source file relative to the root; one whose file is missing is left
   * out of the snapshot.
   * @default ENTRY_POINTS
   */
  readonly entryPoints?: Readonly<Record<string, string>>;
}

/** Base classes (by their last name, as written) that make a class a construct. */
const CONSTRUCT_BASES = new Set(['Construct', 'Stack', 'NestedStack', 'Stage', 'TerraformStack', 'Resource']);

let loaded: typeof TypeScript | undefined;

/** The TypeScript compiler, loaded on first use: a review that needs no API snapshot never pays for it. */
function typescript(): typeof TypeScript {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily, see above
  loaded ??= require('typescript') as typeof TypeScript;
  return loaded;
}

/**
 * Reads the public API of a checkout (the working tree, or a base's git worktree) with the TypeScript compiler:
 * every name each entry point exports, every property of every exported interface (optional or required, its
 * documented default) and every public member of every exported class.
 *
 * Only the package's own files are read: imports of other packages (aws-cdk-lib, cdktf, zod) are not followed, so
 * it takes a fraction of a second where a full program takes seconds. Types that come from those packages are
 * therefore unknown here, and properties inherited from their interfaces are not listed.
 */
export function apiSnapshot(root: string, options: ApiSnapshotOptions = {}): ApiSnapshot {
  const ts = typescript();
  const entries = options.entryPoints ?? ENTRY_POINTS;
  const compilerOptions: TypeScript.CompilerOptions = {
    noLib: true,
    types: [],
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
  };
  const host = ts.createCompilerHost(compilerOptions, true);
  // Relative imports only: a package import stays unresolved instead of loading its declarations.
  host.resolveModuleNames = (names, containingFile) =>
    names.map((name) =>
      name.startsWith('.')
        ? ts.resolveModuleName(name, containingFile, compilerOptions, host).resolvedModule
        : undefined,
    );
  // An entry point whose file is not there (a base from before it existed) exports nothing.
  const present = sortedEntries(entries).filter(([, file]) => fs.existsSync(path.resolve(root, file)));
  const rootFiles = present.map(([, file]) => path.resolve(root, file));
  const program = ts.createProgram({ rootNames: rootFiles, options: compilerOptions, host });
  const checker = program.getTypeChecker();
  const relative = (file: string): string => path.relative(root, file).split(path.sep).join('/');

  const entryPoints: Record<string, Record<string, ApiExport>> = {};
  for (const [name, file] of present) {
    const source = program.getSourceFile(path.resolve(root, file));
    const moduleSymbol = source && checker.getSymbolAtLocation(source);
    if (!moduleSymbol) throw new Error(`${relative(path.resolve(root, file))}: entry point ${name} not found`);
    const exports: [string, ApiExport][] = checker
      .getExportsOfModule(moduleSymbol)
      .map((symbol) => [symbol.name, describeExport(ts, checker, symbol, relative)]);
    entryPoints[name] = Object.fromEntries(exports.sort(([a], [b]) => compare(a, b)));
  }
  return { entryPoints };
}

function describeExport(
  ts: typeof TypeScript,
  checker: TypeScript.TypeChecker,
  exported: TypeScript.Symbol,
  relative: (file: string) => string,
): ApiExport {
  const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
  const declaration = symbol.declarations?.[0];
  const kinds = kindsOf(ts, symbol);
  const result: {
    -readonly [K in keyof ApiExport]: ApiExport[K];
  } = {
    kinds,
    file: declaration ? relative(declaration.getSourceFile().fileName) : '',
    documented: hasSummary(ts, checker, symbol),
  };
  if (symbol.flags & ts.SymbolFlags.Class) {
    if (isConstruct(ts, checker, symbol, new Set())) result.construct = true;
    result.members = classMembers(ts, checker, symbol);
  }
  if (symbol.flags & ts.SymbolFlags.Interface) {
    const props: [string, ApiProp][] = checker
      .getPropertiesOfType(checker.getDeclaredTypeOfSymbol(symbol))
      .map((prop) => [prop.name, describeProp(ts, checker, prop, relative)]);
    result.props = Object.fromEntries(props.sort(([a], [b]) => compare(a, b)));
  }
  return result;
}

function kindsOf(ts: typeof TypeScript, symbol: TypeScript.Symbol): ApiKind[] {
  const f = symbol.flags;
  const S = ts.SymbolFlags;
  const kinds: ApiKind[] = [];
  if (f & S.Class) kinds.push('class');
  if (f & S.Interface) kinds.push('interface');
  if (f & S.TypeAlias) kinds.push('type');
  if (f & S.Function) kinds.push('function');
  if (f & S.Variable) kinds.push('variable');
  if (f & S.Enum) kinds.push('enum');
  if (f & (S.ValueModule | S.NamespaceModule)) kinds.push('namespace');
  // An alias the compiler could not follow: a name re-exported from another package.
  if (kinds.length === 0) kinds.push('re-export');
  return kinds.sort(compare);
}

function describeProp(
  ts: typeof TypeScript,
  checker: TypeScript.TypeChecker,
  prop: TypeScript.Symbol,
  relative: (file: string) => string,
): ApiProp {
  const declaration = prop.declarations?.[0];
  const owner = declaration?.parent;
  const ownerName = owner && ts.isInterfaceDeclaration(owner) ? owner.name.text : '?';
  const documented = documentedDefault(ts, checker, prop);
  return {
    optional: (prop.flags & ts.SymbolFlags.Optional) !== 0,
    ...(documented !== undefined && { default: documented }),
    documented: hasSummary(ts, checker, prop),
    declaredIn: declaration ? `${relative(declaration.getSourceFile().fileName)}:${ownerName}` : '?',
  };
}

function summaryOf(ts: typeof TypeScript, checker: TypeScript.TypeChecker, symbol: TypeScript.Symbol): string {
  return ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
}

function hasSummary(ts: typeof TypeScript, checker: TypeScript.TypeChecker, symbol: TypeScript.Symbol): boolean {
  return summaryOf(ts, checker, symbol) !== '';
}

/** The `@default` tag's text, or what follows `Default:` / `Defaults to` in the summary. */
function documentedDefault(
  ts: typeof TypeScript,
  checker: TypeScript.TypeChecker,
  symbol: TypeScript.Symbol,
): string | undefined {
  const tag = symbol.getJsDocTags(checker).find((t) => t.name === 'default');
  if (tag) return ts.displayPartsToString(tag.text).replace(/\s+/g, ' ').trim();
  const inSummary = /\bDefault(?::|s to)\s*([^\n]*)/i.exec(summaryOf(ts, checker, symbol));
  return inSummary ? inSummary[1]!.trim() : undefined;
}

/** A class whose chain of base classes ends at a construct base (by name: the base itself is not read). */
function isConstruct(
  ts: typeof TypeScript,
  checker: TypeScript.TypeChecker,
  symbol: TypeScript.Symbol,
  seen: Set<TypeScript.Symbol>,
): boolean {
  if (seen.has(symbol)) return false;
  seen.add(symbol);
  for (const declaration of symbol.declarations ?? []) {
    if (!ts.isClassDeclaration(declaration)) continue;
    for (const clause of declaration.heritageClauses ?? []) {
      if (clause.token !== ts.SyntaxKind.ExtendsKeyword) continue;
      for (const base of clause.types) {
        const written = base.expression.getText().split('.').pop() ?? '';
        let baseSymbol = checker.getSymbolAtLocation(base.expression);
        if (baseSymbol && baseSymbol.flags & ts.SymbolFlags.Alias) baseSymbol = checker.getAliasedSymbol(baseSymbol);
        const ours = baseSymbol?.declarations?.some((d) => ts.isClassDeclaration(d)) ?? false;
        if (ours ? isConstruct(ts, checker, baseSymbol!, seen) : CONSTRUCT_BASES.has(written)) return true;
      }
    }
  }
  return false;
}

function classMembers(ts: typeof TypeScript, checker: TypeScript.TypeChecker, symbol: TypeScript.Symbol): string[] {
  const visible = (member: TypeScript.Symbol): boolean =>
    !member.name.startsWith('#') &&
    !(member.declarations ?? []).some(
      (d) => ts.getCombinedModifierFlags(d) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected),
    );
  const instance = checker
    .getPropertiesOfType(checker.getDeclaredTypeOfSymbol(symbol))
    .filter(visible)
    .map((m) => m.name);
  const statics = checker
    .getPropertiesOfType(checker.getTypeOfSymbol(symbol))
    .filter((m) => m.name !== 'prototype' && visible(m))
    .map((m) => `static ${m.name}`);
  return [...instance, ...statics].sort(compare);
}

function sortedEntries<T>(record: Readonly<Record<string, T>>): [string, T][] {
  return Object.entries(record).sort(([a], [b]) => compare(a, b));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
