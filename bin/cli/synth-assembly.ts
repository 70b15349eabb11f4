import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { violationKey, type ReportedViolation, type UnitResult } from './synth-unit';

/**
 * Joins the folders of units (one environment each, bin/cli/synth-unit.ts) into the cdk.out/ and cdktf.out/ that one
 * App holding every environment writes, byte for byte: each environment's own files are copied as they are, and
 * the files the whole App writes once are rebuilt the way aws-cdk-lib and cdktf build them.
 *
 * cdk.out/: `manifest.json` lists the environments' nested assemblies in environment order, then the App's own
 * artifacts (the tree, the feature flag report); `tree.json` holds the environments' stages in order and the
 * App's `Tree` node, split into `trees-N.json` files past aws-cdk-lib's node limit exactly as it splits them;
 * `validation-report.json` lists each environment's own guardrail packs in order, with the App-wide plugins
 * (CloudFormation Validate after the first environment's packs, Construct Annotations last) merged as their one
 * run over every stack would have reported; the `asset.*` folders are content-addressed and shared.
 * cdktf.out/: `manifest.json` lists every stack (cdktf sorts them by name); `stacks/<name>/` are the units' own.
 *
 * Only this process's Node.js modules are used: assembling loads neither aws-cdk-lib nor cdktf (json-stable-stringify,
 * which cdktf writes its manifest with, is loaded from cdktf's folder on its own).
 */

/** A unit's folder and what it reported, in the order of the environments. */
export interface AssemblyUnit {
  /** The environment's name. */
  readonly environment: string;
  /** The unit's folder: what the environment's own App wrote. */
  readonly dir: string;
  /** What the unit reported. */
  readonly result: UnitResult;
}

/**
 * The units do not fit together as one App's output would: an assumption about what aws-cdk-lib or cdktf write no
 * longer holds (after an upgrade), or two environments wrote the same file differently.
 */
export class AssemblyError extends Error {
  /** @param message what does not fit */
  constructor(message: string) {
    super(
      `${message}. The environments' outputs cannot be joined into one; synthesize with --jobs 1 --force and report this.`,
    );
    this.name = 'AssemblyError';
  }
}

/** The name of aws-cdk-lib's validation report in a cloud assembly. */
export const VALIDATION_REPORT = 'validation-report.json';

const TREE_FILE = 'tree.json';
const FOREST_FILE = /^trees-\d+\.json$/;
/** aws-cdk-lib's default limit of nodes per tree.json file (core/lib/private/tree-metadata.js). */
const DEFAULT_TREE_MAX_NODES = 500_000;
/** The App's own child in tree.json, written once per App. */
const TREE_NODE_ID = 'Tree';
/** The plugins aws-cdk-lib runs once over every stack of the App rather than per stage. */
const CLOUDFORMATION_VALIDATE = 'CloudFormation Validate';
const CONSTRUCT_ANNOTATIONS = 'Construct Annotations';

const readJson = <T>(file: string): T => JSON.parse(fs.readFileSync(file, 'utf8')) as T;

/** A copy of an object without some of its keys, the others in their order. */
function without<T extends object, K extends keyof T>(object: T, ...keys: K[]): Omit<T, K> {
  return Object.fromEntries(Object.entries(object).filter(([key]) => !keys.includes(key as K))) as Omit<T, K>;
}

/** Writes the cloud assembly of every unit's environment into `outdir`, as one App holding them all writes it. */
export function assembleCdkOut(units: readonly AssemblyUnit[], outdir: string): void {
  if (units.length === 0) throw new AssemblyError('There is no environment to assemble');
  fs.mkdirSync(outdir, { recursive: true });
  const rebuilt = (name: string): boolean => name === 'manifest.json' || name === TREE_FILE || FOREST_FILE.test(name);
  copyEntries(units, outdir, (name) => rebuilt(name) || name === VALIDATION_REPORT, /^asset\./);
  fs.writeFileSync(
    path.join(outdir, 'manifest.json'),
    JSON.stringify(mergeAssemblyManifests(units.map((u) => readJson(path.join(u.dir, 'manifest.json')))), undefined, 2),
  );
  for (const [name, content] of Object.entries(mergeTrees(units))) {
    fs.writeFileSync(path.join(outdir, name), content);
  }
  const report = mergeValidationReports(units);
  if (report) fs.writeFileSync(path.join(outdir, VALIDATION_REPORT), JSON.stringify(report, undefined, 2));
}

/** Writes the Terraform output of every unit's environment into `outdir`, as one cdktf App holding them all. */
export function assembleCdktfOut(units: readonly AssemblyUnit[], outdir: string): void {
  if (units.length === 0) throw new AssemblyError('There is no environment to assemble');
  fs.mkdirSync(outdir, { recursive: true });
  copyEntries(units, outdir, (name) => name === 'manifest.json');
  const manifests = units.map((u) => readJson<{ stacks: Record<string, unknown> }>(path.join(u.dir, 'manifest.json')));
  const stacks: Record<string, unknown> = {};
  for (const manifest of manifests) {
    for (const [name, stack] of Object.entries(manifest.stacks)) {
      if (name in stacks) throw new AssemblyError(`The Terraform stack ${name} is in more than one environment`);
      stacks[name] = stack;
    }
  }
  assertSame(
    manifests.map((m) => without(m, 'stacks')),
    'cdktf.out/manifest.json',
  );
  const stringify = createRequire(require.resolve('cdktf/package.json'))('json-stable-stringify') as (
    value: unknown,
    options: { space: number },
  ) => string;
  fs.writeFileSync(path.join(outdir, 'manifest.json'), stringify({ ...manifests[0], stacks }, { space: 2 }));
}

/**
 * Copies every entry of every unit's folder into `outdir` but those `skip` names (rebuilt by the caller). Folders
 * two units both have are joined (cdktf's `stacks/`); files they both have must be equal, except in folders whose
 * names are content hashes (`asset.<hash>`), which are copied once.
 */
function copyEntries(
  units: readonly AssemblyUnit[],
  outdir: string,
  skip: (name: string) => boolean,
  contentAddressed?: RegExp,
): void {
  const copy = (from: string, to: string, shown: string): void => {
    const stat = fs.statSync(from);
    const existing = fs.statSync(to, { throwIfNoEntry: false });
    if (!existing) {
      fs.cpSync(from, to, { recursive: true });
    } else if (stat.isDirectory() && existing.isDirectory()) {
      if (contentAddressed?.test(path.basename(from))) return;
      for (const name of fs.readdirSync(from)) copy(path.join(from, name), path.join(to, name), `${shown}/${name}`);
    } else if (!stat.isFile() || !existing.isFile() || !fs.readFileSync(from).equals(fs.readFileSync(to))) {
      throw new AssemblyError(`${shown} differs between environments`);
    }
  };
  for (const unit of units) {
    for (const name of fs.readdirSync(unit.dir).sort()) {
      if (!skip(name)) copy(path.join(unit.dir, name), path.join(outdir, name), name);
    }
  }
}

function assertSame(values: readonly unknown[], what: string): void {
  const first = JSON.stringify(values[0]);
  if (values.some((v) => JSON.stringify(v) !== first)) {
    throw new AssemblyError(`${what} differs between environments in more than its environments`);
  }
}

/**
 * The keys of several objects in one order that keeps each object's own order: the order one object holding all
 * of them would have.
 */
function unionOfKeys(objects: readonly object[]): string[] {
  const keys: string[] = [];
  for (const object of objects) {
    let at = 0;
    for (const key of Object.keys(object)) {
      const found = keys.indexOf(key);
      if (found >= 0) at = found + 1;
      else keys.splice(at++, 0, key);
    }
  }
  return keys;
}

interface AssemblyManifest {
  readonly artifacts?: Record<string, { readonly type: string }>;
  readonly missing?: readonly { readonly key: string }[];
  readonly [key: string]: unknown;
}

/**
 * The App's manifest.json: the nested assembly of each environment's stage in order, then the App's own artifacts,
 * which every unit writes alike; context lookups reported missing by any stage, once each, in order.
 */
function mergeAssemblyManifests(manifests: readonly AssemblyManifest[]): AssemblyManifest {
  const isStage = (a: { type: string }): boolean => a.type === 'cdk:cloud-assembly';
  const stages: [string, unknown][] = [];
  for (const manifest of manifests) {
    const artifacts = Object.entries(manifest.artifacts ?? {});
    const firstOwn = artifacts.findIndex(([, a]) => !isStage(a));
    if (firstOwn >= 0 && artifacts.slice(firstOwn).some(([, a]) => isStage(a))) {
      throw new AssemblyError('A stage is listed after the App artifacts in an environment manifest.json');
    }
    for (const [id, artifact] of artifacts.filter(([, a]) => isStage(a))) {
      if (stages.some(([other]) => other === id)) throw new AssemblyError(`${id} is in more than one environment`);
      stages.push([id, artifact]);
    }
  }
  const own = manifests.map((m) => Object.entries(m.artifacts ?? {}).filter(([, a]) => !isStage(a)));
  assertSame(own, 'The App artifacts of manifest.json');
  assertSame(
    manifests.map((m) => without(m, 'artifacts', 'missing')),
    'manifest.json',
  );
  const missing: { key: string }[] = [];
  for (const m of manifests.flatMap((manifest) => manifest.missing ?? [])) {
    if (missing.every((other) => other.key !== m.key)) missing.push(m);
  }
  const merged: Record<string, unknown> = {};
  for (const key of unionOfKeys(manifests)) {
    if (key === 'artifacts') merged[key] = Object.fromEntries([...stages, ...own[0]!]);
    else if (key === 'missing') merged[key] = missing;
    else merged[key] = manifests.find((m) => key in m)![key];
  }
  return merged;
}

interface TreeNode {
  readonly id: string;
  readonly path: string;
  children?: Record<string, TreeNode>;
  fileName?: string;
  treeId?: string;
  readonly [key: string]: unknown;
}

/** A unit's construct tree, with the subtrees aws-cdk-lib moved to `trees-N.json` files put back in place. */
function readTree(dir: string): { version: string; tree: TreeNode } {
  const file = readJson<{ version: string; tree: TreeNode }>(path.join(dir, TREE_FILE));
  const forests = new Map<string, Record<string, TreeNode>>();
  const resolve = (node: TreeNode): TreeNode => {
    if (node.fileName !== undefined && node.treeId !== undefined) {
      if (!forests.has(node.fileName)) {
        forests.set(
          node.fileName,
          readJson<{ forest: Record<string, TreeNode> }>(path.join(dir, node.fileName)).forest,
        );
      }
      const subtree = forests.get(node.fileName)![node.treeId];
      if (!subtree) throw new AssemblyError(`${node.fileName} has no subtree ${node.treeId}`);
      return resolve(subtree);
    }
    if (node.children) {
      for (const [id, child] of Object.entries(node.children)) node.children[id] = resolve(child);
    }
    return node;
  };
  return { version: file.version, tree: resolve(file.tree) };
}

function nodeCount(root: TreeNode): number {
  let count = 0;
  const stack = [root];
  while (stack.length > 0) {
    const current = stack.pop()!;
    count += 1;
    if (current.children) stack.push(...Object.values(current.children));
  }
  return count;
}

/**
 * The App's tree.json (and trees-N.json files): the root of the first unit with each unit's stages in order, then
 * the App's own `Tree` node.
 */
function mergeTrees(units: readonly AssemblyUnit[]): Record<string, string> {
  const trees = units.map((u) => readTree(u.dir));
  const children: Record<string, TreeNode> = {};
  for (const { tree } of trees) {
    for (const [id, child] of Object.entries(tree.children ?? {})) {
      if (id === TREE_NODE_ID) continue;
      if (id in children) throw new AssemblyError(`The construct ${id} is in more than one environment`);
      children[id] = child;
    }
  }
  const ownNodes = trees.map(({ tree }) => tree.children?.[TREE_NODE_ID]);
  assertSame(ownNodes, `The ${TREE_NODE_ID} node of tree.json`);
  assertSame(
    trees.map(({ version, tree }) => ({ version, root: without(tree, 'children') })),
    'The root of tree.json',
  );
  const merged: TreeNode = {
    ...trees[0]!.tree,
    children: { ...children, ...(ownNodes[0] && { [TREE_NODE_ID]: ownNodes[0] }) },
  };
  const maxNodes = units[0]!.result.treeMaxNodes ?? DEFAULT_TREE_MAX_NODES;
  const fragmented = units.some((u) => fs.readdirSync(u.dir).some((name) => FOREST_FILE.test(name)));
  if (!fragmented && nodeCount(merged) < maxNodes) {
    return { [TREE_FILE]: JSON.stringify({ version: trees[0]!.version, tree: merged }) };
  }
  return fragmentTree(merged, trees[0]!.version, maxNodes);
}

interface ForestTree {
  readonly root: TreeNode;
  readonly referencingNode: TreeNode | undefined;
  nodes: number;
}

/**
 * Splits a construct tree into tree.json and trees-N.json files as aws-cdk-lib's FragmentedTreeWriter does
 * (core/lib/private/tree-metadata.js, 2.276): nodes are added breadth first, and a node whose tree is full starts
 * a new tree at its parent, referenced from the grandparent.
 */
function fragmentTree(full: TreeNode, version: string, maxNodes: number): Record<string, string> {
  const forest: ForestTree[] = [];
  const subtreeRoots = new Map<TreeNode, ForestTree>();
  const parents = new Map<TreeNode, TreeNode>();
  const rendered = new Map<TreeNode, TreeNode>();
  const setChild = (parent: TreeNode, node: TreeNode): void => {
    parent.children ??= {};
    parent.children[node.id] = node;
  };
  const addNewTree = (root: TreeNode, referencingNode: TreeNode | undefined): ForestTree => {
    const tree = { root, referencingNode, nodes: nodeCount(root) };
    forest.push(tree);
    subtreeRoots.set(root, tree);
    return tree;
  };
  const treeFor = (node: TreeNode): ForestTree => {
    for (let current: TreeNode | undefined = node; current; current = parents.get(current)) {
      const tree = subtreeRoots.get(current);
      if (tree) return tree;
    }
    throw new AssemblyError(`No tree holds ${node.path}`);
  };
  const queue: [TreeNode, TreeNode | undefined][] = [[full, undefined]];
  for (let i = 0; i < queue.length; i++) {
    const [source, sourceParent] = queue[i]!;
    const { children, ...fields } = source;
    const node: TreeNode = { ...fields };
    if (sourceParent === undefined) {
      addNewTree(node, undefined);
    } else {
      const parent = rendered.get(sourceParent)!;
      let tree = treeFor(parent);
      if (tree.nodes >= maxNodes) {
        const grandParent = parents.get(parent);
        if (!grandParent) throw new AssemblyError(`${parent.path} has no parent to split the tree at`);
        const reference: TreeNode = { id: parent.id, path: parent.path, fileName: 'xxx' };
        tree = addNewTree(parent, reference);
        setChild(grandParent, reference);
      }
      setChild(parent, node);
      parents.set(node, parent);
      tree.nodes += 1;
    }
    rendered.set(source, node);
    for (const child of Object.values(children ?? {})) queue.push([child, source]);
  }
  const files: Record<string, string> = {};
  const forestFiles: { fileName: string; file: { version: string; forest: Record<string, TreeNode> } }[] = [];
  let nodesInLast = 0;
  for (const tree of forest) {
    if (tree.referencingNode === undefined) continue;
    if (forestFiles.length === 0 || nodesInLast + tree.nodes > maxNodes) {
      forestFiles.push({
        fileName: `trees-${forestFiles.length + 1}.json`,
        file: { version: 'forest-0.1', forest: {} },
      });
      nodesInLast = 0;
    }
    const target = forestFiles[forestFiles.length - 1]!;
    const treeId = `t${Object.keys(target.file.forest).length}`;
    target.file.forest[treeId] = tree.root;
    nodesInLast += tree.nodes;
    tree.referencingNode.fileName = target.fileName;
    tree.referencingNode.treeId = treeId;
  }
  const main = forest.find((t) => t.referencingNode === undefined)!;
  files[TREE_FILE] = JSON.stringify({ version, tree: main.root });
  for (const { fileName, file } of forestFiles) files[fileName] = JSON.stringify(file);
  return files;
}

interface ReportViolation extends ReportedViolation {
  readonly violatingConstructs: readonly unknown[];
  readonly acknowledgedAt?: string;
}

interface PluginReport {
  readonly pluginName: string;
  readonly conclusion: string;
  readonly violations: readonly ReportViolation[];
  readonly suppressedViolations?: readonly ReportViolation[];
}

interface ValidationReport {
  readonly pluginReports: readonly PluginReport[];
}

/**
 * The App's validation-report.json from the units' reports, or undefined when no unit wrote one: each stage's own
 * plugins (the guardrail packs) in environment order, CloudFormation Validate where the first stage put it, the
 * construct annotations last.
 */
export function mergeValidationReports(units: readonly AssemblyUnit[]): object | undefined {
  const reports = units.map((u) => {
    const file = path.join(u.dir, VALIDATION_REPORT);
    return fs.existsSync(file) ? readJson<ValidationReport>(file) : undefined;
  });
  const first = reports.find((r) => r !== undefined);
  if (!first) return undefined;
  const shared = (r: PluginReport): boolean =>
    r.pluginName === CLOUDFORMATION_VALIDATE || r.pluginName === CONSTRUCT_ANNOTATIONS;
  const pluginReports: PluginReport[] = [];
  reports.forEach((report, i) => {
    pluginReports.push(...(report?.pluginReports.filter((r) => !shared(r)) ?? []));
    if (i === 0) {
      const validate = mergePluginReports(units, reports, CLOUDFORMATION_VALIDATE);
      if (validate) pluginReports.push(validate);
    }
  });
  const annotations = mergePluginReports(units, reports, CONSTRUCT_ANNOTATIONS);
  if (annotations) pluginReports.push(annotations);
  return { ...first, pluginReports };
}

/**
 * One App-wide plugin's entry, as its one run over every stack reports it: one violation per rule, severity and
 * description, in the order first found (environment after environment), listing the resources of every
 * environment; the acknowledged ones grouped by where they were acknowledged, within the same order.
 */
function mergePluginReports(
  units: readonly AssemblyUnit[],
  reports: readonly (ValidationReport | undefined)[],
  pluginName: string,
): PluginReport | undefined {
  const parts = reports.flatMap((report, i) => {
    const entry = report?.pluginReports.find((r) => r.pluginName === pluginName);
    if (!entry) return [];
    const recorded = pluginName === CLOUDFORMATION_VALIDATE ? units[i]!.result.validationOrder : undefined;
    return [{ entry, order: recorded ?? foundOrder(entry) }];
  });
  if (parts.length === 0) return undefined;
  const order: string[] = [];
  for (const key of parts.flatMap((p) => p.order)) if (!order.includes(key)) order.push(key);
  const violations: ReportViolation[] = [];
  const suppressed: ReportViolation[] = [];
  for (const key of order) {
    const open = parts.flatMap((p) => p.entry.violations.filter((v) => violationKey(v) === key));
    if (open.length > 0) {
      violations.push({ ...open[0]!, violatingConstructs: open.flatMap((v) => v.violatingConstructs) });
    }
    const groups = new Map<string | undefined, ReportViolation>();
    for (const v of parts.flatMap((p) => (p.entry.suppressedViolations ?? []).filter((s) => violationKey(s) === key))) {
      const group = groups.get(v.acknowledgedAt);
      groups.set(
        v.acknowledgedAt,
        group ? { ...group, violatingConstructs: [...group.violatingConstructs, ...v.violatingConstructs] } : v,
      );
    }
    suppressed.push(...groups.values());
  }
  const entry = without(parts[0]!.entry, 'suppressedViolations');
  return {
    ...entry,
    conclusion: parts.some((p) => p.entry.conclusion === 'failure') ? 'failure' : 'success',
    violations,
    ...(suppressed.length > 0 && { suppressedViolations: suppressed }),
  };
}

/**
 * The order a plugin found its violations in, when no unit recorded it: its open and its acknowledged violations
 * each keep that order, and a rule in both places ties them together.
 */
function foundOrder(entry: PluginReport): string[] {
  const open = entry.violations.map(violationKey);
  const acknowledged = [...new Set((entry.suppressedViolations ?? []).map(violationKey))];
  const order: string[] = [];
  let next = 0;
  for (const key of open) {
    const at = acknowledged.indexOf(key, next);
    if (at >= 0) {
      order.push(...acknowledged.slice(next, at));
      next = at + 1;
    }
    order.push(key);
  }
  order.push(...acknowledged.slice(next));
  return order;
}
