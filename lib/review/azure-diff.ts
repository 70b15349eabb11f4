/**
 * The Azure side of `npm run review`: what deploying the head's cdk.tf.json over the base's would do, address by
 * address and attribute by attribute, classified as `terraform plan` would classify it, without a provider
 * binary, credentials or state. ForceNew attributes (from the provider schema) replace a resource, and an
 * attribute that references a replaced resource may replace it too; `moved` blocks turn a rename into an update;
 * `lifecycle` decides what is ignored and what cannot deploy.
 */
import {
  CHANGE_ACKNOWLEDGEMENT_KEY,
  changeAcknowledgementProblems,
  type ChangeRisk,
} from '../core/change-acknowledgement';
import { AZURE_STATEFUL_TYPES } from '../core/stateful';
import {
  type AttributeDiff,
  type Attributes,
  blockList,
  canonical,
  diffAttributes,
  isObject,
  joinPath,
  normalizeValue,
  valuesAt,
} from './azure-attributes';
import {
  forceNewBelow,
  isAtOrUnder,
  isForceNewPath,
  isSetPath,
  normalizeAttributePath,
  referencedAddresses,
  renameReferences,
} from './azure-paths';
import { azureSecurityChanges, type SecurityContext } from './azure-security';
import { describeKept, describeLoss } from './consequences';
import type {
  AcknowledgementIndex,
  AppliedAcknowledgement,
  Blocker,
  ChangeAction,
  DiffOptions,
  DraftChange,
  EnvironmentDiff,
  IgnoredChange,
  PropertyChange,
  SecurityChange,
  StackStatus,
  TemplateChange,
} from './model';
import type { SynthesizedStack } from './outputs';

/** The note on a replaced resource that `lifecycle.prevent_destroy` protects. */
export const PREVENT_DESTROY_NOTE =
  "lifecycle.prevent_destroy is set: terraform apply will fail with 'Instance cannot be destroyed'; nothing is lost, but nothing deploys until the change is undone or prevent_destroy is lifted, which loses the data";

/** The note on a destroyed resource whose base configuration had `lifecycle.prevent_destroy`. */
export const PREVENT_DESTROY_GONE_NOTE =
  'lifecycle.prevent_destroy was set, but it left with the resource’s configuration: Terraform destroys it without objection';

/** Top-level keys of cdk.tf.json that are not compared as template entries. */
const NOT_ENTRIES = new Set(['resource', 'moved', 'removed', 'import', '//']);

/** Resource keys that are Terraform meta-arguments or comments, not attributes the provider sees. */
const META_ARGUMENTS = new Set(['//', 'depends_on', 'lifecycle', 'provider', 'provisioner', 'connection']);

type Side = 'base' | 'head';

interface Lifecycle {
  readonly preventDestroy: boolean;
  readonly createBeforeDestroy: boolean;
  /** `all`, or attribute paths in the review's form. */
  readonly ignoreChanges: 'all' | readonly string[];
}

interface TfResource {
  readonly address: string;
  readonly type: string;
  /** The attributes, normalized (no comments, no meta-arguments). */
  readonly body: Attributes;
  /** The construct path cdktf recorded. */
  readonly path?: string;
  readonly lifecycle: Lifecycle;
  readonly acknowledgements: readonly AppliedAcknowledgement[];
}

interface TemplateEntry {
  readonly section: string;
  readonly id: string;
  readonly value: unknown;
}

interface TfStack {
  readonly name: string;
  readonly resources: ReadonlyMap<string, TfResource>;
  /** `moved` blocks: from-address to to-address. */
  readonly moved: ReadonlyMap<string, string>;
  /** `removed` blocks: address to whether Terraform destroys it (`lifecycle.destroy`, default true). */
  readonly removed: ReadonlyMap<string, boolean>;
  /** `import` blocks: target address to the imported ID. */
  readonly imports: ReadonlyMap<string, string>;
  /** Every entry outside `resource`, by `section` + NUL + `id`. */
  readonly entries: ReadonlyMap<string, TemplateEntry>;
  /** Where the state lives: `terraform.backend` (or `terraform.cloud`), normalized. */
  readonly stateLocation: unknown;
  /** Acknowledgements in the stack's own `"//"` block, by the address they name. */
  readonly stackAcknowledgements: ReadonlyMap<string, readonly AppliedAcknowledgement[]>;
}

// ---------------------------------------------------------------------------------------------------------------
// Reading cdk.tf.json

/** Thrown for input the review cannot read: names the stack, the side and what is wrong. */
class MalformedStackError extends Error {}

function describeType(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value} (${JSON.stringify(value)})`;
}

function stripIndex(address: string): string {
  return address.replace(/\[[^\]]*\]$/, '');
}

function readAcknowledgements(
  comment: unknown,
  on: 'resource' | 'stack',
): { resource?: string; ack: AppliedAcknowledgement }[] {
  const entries = isObject(comment) ? comment[CHANGE_ACKNOWLEDGEMENT_KEY] : undefined;
  if (!Array.isArray(entries)) return [];
  return entries.flatMap((entry: unknown) => {
    if (!isObject(entry)) return [];
    const { risk, reason, resource } = entry;
    if (changeAcknowledgementProblems('', risk, reason).length > 0) return [];
    if (on === 'stack' && (typeof resource !== 'string' || resource === '')) return [];
    const ack: AppliedAcknowledgement = {
      risk: risk as ChangeRisk,
      reason: reason as string,
      ...(on === 'stack' ? { resource: resource as string } : {}),
      on,
    };
    return [{ ...(typeof resource === 'string' ? { resource } : {}), ack }];
  });
}

class StackReader {
  constructor(
    private readonly stack: string,
    private readonly side: Side,
  ) {}

  fail(what: string): never {
    throw new MalformedStackError(`Azure review: stack ${this.stack} (${this.side}): ${what}`);
  }

  /** A top-level block that Terraform JSON allows as an object or a list of objects. */
  blocks(key: string, value: unknown): Attributes[] {
    if (value === undefined) return [];
    if (Array.isArray(value) && value.length === 0) return [];
    const list = blockList(value);
    if (list === undefined) this.fail(`"${key}" is ${describeType(value)}, not an object or a list of objects`);
    return list;
  }

  lifecycle(address: string, value: unknown): Lifecycle {
    const merged: Record<string, unknown> = Object.assign({}, ...this.blocks(`${address}.lifecycle`, value));
    const ignore = merged.ignore_changes;
    let ignoreChanges: Lifecycle['ignoreChanges'] = [];
    if (ignore === 'all' || ignore === '*') ignoreChanges = 'all';
    else if (Array.isArray(ignore)) {
      if (!ignore.every((p): p is string => typeof p === 'string'))
        this.fail(`resource ${address}: lifecycle.ignore_changes holds a non-string; use attribute paths or "all"`);
      ignoreChanges = ignore.some((p) => p === 'all' || p === '*') ? 'all' : ignore.map(normalizeAttributePath);
    } else if (ignore !== undefined && ignore !== null) {
      this.fail(
        `resource ${address}: lifecycle.ignore_changes is ${describeType(ignore)}; use a list of paths or "all"`,
      );
    }
    const flag = (v: unknown): boolean => v === true || v === 'true';
    return {
      preventDestroy: flag(merged.prevent_destroy),
      createBeforeDestroy: flag(merged.create_before_destroy),
      ignoreChanges,
    };
  }

  resources(section: unknown): Map<string, TfResource> {
    const resources = new Map<string, TfResource>();
    if (section === undefined) return resources;
    if (!isObject(section)) this.fail(`"resource" is ${describeType(section)}, not an object of resource types`);
    for (const [type, byName] of Object.entries(section)) {
      if (!isObject(byName)) this.fail(`resource.${type} is ${describeType(byName)}, not an object of resources`);
      for (const [name, raw] of Object.entries(byName)) {
        const address = `${type}.${name}`;
        if (!isObject(raw)) this.fail(`resource ${address} is ${describeType(raw)}, not an object`);
        const attributes = Object.fromEntries(Object.entries(raw).filter(([k]) => !META_ARGUMENTS.has(k)));
        const comment = raw['//'];
        const metadata = isObject(comment) ? comment.metadata : undefined;
        const path = isObject(metadata) && typeof metadata.path === 'string' ? metadata.path : undefined;
        resources.set(address, {
          address,
          type,
          body: (normalizeValue(attributes) ?? {}) as Attributes,
          ...(path === undefined ? {} : { path }),
          lifecycle: this.lifecycle(address, raw.lifecycle),
          acknowledgements: readAcknowledgements(comment, 'resource').map((a) => a.ack),
        });
      }
    }
    return resources;
  }

  /** An address in a `moved`, `removed` or `import` block: a string, or `{ value }` as cdktf's HCL form writes it. */
  address(where: string, value: unknown): string {
    const text = isObject(value) ? value.value : value;
    if (typeof text !== 'string' || !/^[A-Za-z_][\w-]*\.[A-Za-z0-9_][\w-]*(\[[^\]]*\])?$/.test(text))
      this.fail(`${where} is ${describeType(text)}, not a resource address <type>.<name>`);
    return stripIndex(text);
  }

  moved(value: unknown): Map<string, string> {
    const moved = new Map<string, string>();
    this.blocks('moved', value).forEach((block, i) => {
      const from = this.address(`moved[${i}].from`, block.from);
      const to = this.address(`moved[${i}].to`, block.to);
      if (!moved.has(from)) moved.set(from, to);
    });
    return moved;
  }

  removed(value: unknown): Map<string, boolean> {
    const removed = new Map<string, boolean>();
    this.blocks('removed', value).forEach((block, i) => {
      const lifecycle: Record<string, unknown> = Object.assign(
        {},
        ...this.blocks(`removed[${i}].lifecycle`, block.lifecycle),
      );
      removed.set(
        this.address(`removed[${i}].from`, block.from),
        !(lifecycle.destroy === false || lifecycle.destroy === 'false'),
      );
    });
    return removed;
  }

  imports(value: unknown): Map<string, string> {
    const imports = new Map<string, string>();
    this.blocks('import', value).forEach((block, i) => {
      const id = isObject(block.id) ? block.id.value : block.id;
      imports.set(this.address(`import[${i}].to`, block.to), typeof id === 'string' ? id : JSON.stringify(id));
    });
    return imports;
  }

  entries(json: Record<string, unknown>): Map<string, TemplateEntry> {
    const entries = new Map<string, TemplateEntry>();
    for (const [section, value] of Object.entries(json)) {
      if (NOT_ENTRIES.has(section) || value === undefined || value === null) continue;
      const merged: Record<string, unknown> = Object.assign({}, ...this.blocks(section, value));
      for (const [key, inner] of Object.entries(merged)) {
        if (key === '//') continue;
        if (section === 'data') {
          if (!isObject(inner)) this.fail(`data.${key} is ${describeType(inner)}, not an object of data sources`);
          for (const [name, body] of Object.entries(inner)) {
            entries.set(`data\u0000${key}.${name}`, { section, id: `${key}.${name}`, value: normalizeValue(body) });
          }
        } else {
          entries.set(`${section}\u0000${key}`, { section, id: key, value: normalizeValue(inner) });
        }
      }
    }
    return entries;
  }

  read(json: unknown): TfStack {
    if (!isObject(json)) this.fail(`the Terraform JSON is ${describeType(json)}, not an object`);
    const terraform: Record<string, unknown> = Object.assign({}, ...this.blocks('terraform', json.terraform));
    const stackAcknowledgements = new Map<string, AppliedAcknowledgement[]>();
    for (const { resource, ack } of readAcknowledgements(json['//'], 'stack')) {
      stackAcknowledgements.set(resource!, [...(stackAcknowledgements.get(resource!) ?? []), ack]);
    }
    return {
      name: this.stack,
      resources: this.resources(json.resource),
      moved: this.moved(json.moved),
      removed: this.removed(json.removed),
      imports: this.imports(json.import),
      entries: this.entries(json),
      stateLocation: normalizeValue({ backend: terraform.backend, cloud: terraform.cloud }),
      stackAcknowledgements,
    };
  }
}

function readSide(environment: string, stacks: readonly SynthesizedStack[], side: Side): Map<string, TfStack> {
  if (!Array.isArray(stacks)) {
    throw new MalformedStackError(
      `Azure review of ${environment}: the ${side} stacks are ${describeType(stacks)}, not a list`,
    );
  }
  const read = new Map<string, TfStack>();
  stacks.forEach((s: unknown, i) => {
    if (!isObject(s) || typeof s.stack !== 'string') {
      throw new MalformedStackError(`Azure review of ${environment}: ${side} stack #${i} has no stack name`);
    }
    if (read.has(s.stack)) {
      throw new MalformedStackError(
        `Azure review of ${environment}: stack ${s.stack} appears twice on the ${side} side`,
      );
    }
    read.set(s.stack, new StackReader(s.stack, side).read(s.json));
  });
  return read;
}

function indexAcknowledgements(stacks: ReadonlyMap<string, TfStack>): AcknowledgementIndex {
  const index = new Map<string, Map<string, readonly AppliedAcknowledgement[]>>();
  for (const stack of [...stacks.values()].sort((a, b) => compare(a.name, b.name))) {
    const byAddress = new Map<string, readonly AppliedAcknowledgement[]>();
    for (const r of [...stack.resources.values()].sort((a, b) => compare(a.address, b.address))) {
      if (r.acknowledgements.length > 0) byAddress.set(r.address, r.acknowledgements);
    }
    for (const [address, acks] of [...stack.stackAcknowledgements].sort(([a], [b]) => compare(a, b))) {
      byAddress.set(address, [...(byAddress.get(address) ?? []), ...acks]);
    }
    if (byAddress.size > 0) index.set(stack.name, byAddress);
  }
  return index;
}

// ---------------------------------------------------------------------------------------------------------------
// Comparing one stack

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function literalName(body: Attributes | undefined): string | undefined {
  const name = body?.name;
  return typeof name === 'string' && !name.includes('${') ? name : undefined;
}

function isIgnored(lifecycle: Lifecycle, path: string): boolean {
  return lifecycle.ignoreChanges === 'all' || lifecycle.ignoreChanges.some((ignored) => isAtOrUnder(path, ignored));
}

/** Rewrites every string of a body with {@link renameReferences}. */
function renameAll(value: unknown, renames: ReadonlyMap<string, string>): unknown {
  if (typeof value === 'string') return renameReferences(value, renames);
  if (Array.isArray(value)) return value.map((v) => renameAll(v, renames));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renameAll(v, renames)]));
  return value;
}

/** A body as Terraform applies it: the ignored attributes keep their base values. */
function withoutIgnored(before: Attributes, after: Attributes, lifecycle: Lifecycle): Attributes {
  if (lifecycle.ignoreChanges === 'all') return before;
  const keep = (b: unknown, a: unknown, path: readonly string[]): unknown => {
    if (path.length === 0) return b;
    const [key, ...rest] = path as [string, ...string[]];
    const bBlocks = blockList(b);
    const aBlocks = blockList(a);
    if (bBlocks === undefined || aBlocks === undefined) return a;
    const merged = aBlocks.map((block, i) => {
      const out: Record<string, unknown> = { ...block, [key]: keep(bBlocks[i]?.[key], block[key], rest) };
      if (out[key] === undefined) delete out[key];
      return out;
    });
    return Array.isArray(a) ? merged : merged[0];
  };
  let result: unknown = after;
  for (const path of lifecycle.ignoreChanges) result = keep(before, result, path.split('.'));
  return result as Attributes;
}

/** One string of a body that references other resources. */
interface Reference {
  readonly path: string;
  readonly value: string;
  readonly addresses: readonly string[];
}

function referencesOf(body: Attributes, self: string, known: (address: string) => boolean): Reference[] {
  const found: Reference[] = [];
  const walk = (value: unknown, path: string): void => {
    if (typeof value === 'string') {
      if (!value.includes('${')) return;
      const addresses = referencedAddresses(value).filter((a) => a !== self && known(a));
      if (addresses.length > 0 && !found.some((f) => f.path === path && f.value === value))
        found.push({ path, value, addresses });
    } else if (Array.isArray(value)) {
      for (const v of value) walk(v, path);
    } else if (isObject(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, joinPath(path, k));
    }
  };
  walk(body, '');
  return found;
}

/** True when a change at `path` replaces a `type` resource, by the ForceNew rules. */
function forcesReplacement(type: string, diff: AttributeDiff): boolean {
  if (isForceNewPath(type, diff.path)) return true;
  const isSet = (p: string): boolean => isSetPath(type, p);
  return forceNewBelow(type, diff.path).some((relative) => {
    const full = joinPath(diff.path, relative);
    const side = (v: unknown): string =>
      valuesAt(v, relative)
        .map((x) => canonical(x, full, isSet))
        .sort()
        .join('|');
    return side(diff.before) !== side(diff.after);
  });
}

/** A resource in both configurations (under the same address, or moved). */
interface Pair {
  readonly address: string;
  readonly before: TfResource;
  readonly beforeBody: Attributes;
  readonly after: TfResource;
  readonly movedFrom?: string;
  properties: PropertyChange[];
}

function actionOf(pair: Pair): ChangeAction | undefined {
  const counted = pair.properties.filter((p) => !p.ignored);
  if (counted.some((p) => p.replacement === 'always')) return 'replace';
  if (counted.some((p) => p.replacement === 'maybe')) return 'may-replace';
  if (counted.length > 0 || pair.movedFrom !== undefined) return 'update';
  return undefined;
}

interface StackDiff {
  readonly changes: DraftChange[];
  readonly templateChanges: TemplateChange[];
  readonly blockers: Blocker[];
  readonly ignored: IgnoredChange[];
}

/** Resolves the head's `moved` blocks (chains included) against the base: base address to head address. */
function resolveMoves(base: TfStack, head: TfStack): Map<string, string> {
  const moves = new Map<string, string>();
  const targets = new Set<string>();
  for (const from of [...base.resources.keys()].sort(compare)) {
    if (head.resources.has(from)) continue;
    let at = from;
    const seen = new Set([from]);
    for (let next = head.moved.get(at); next !== undefined && !seen.has(next); next = head.moved.get(at)) {
      seen.add(next);
      at = next;
      if (head.resources.has(at)) break;
    }
    if (at !== from && head.resources.has(at) && !base.resources.has(at) && !targets.has(at)) {
      moves.set(from, at);
      targets.add(at);
    }
  }
  return moves;
}

function templateChanges(stack: string, base: TfStack | undefined, head: TfStack | undefined): TemplateChange[] {
  const empty = new Map<string, TemplateEntry>();
  const b = base?.entries ?? empty;
  const h = head?.entries ?? empty;
  const noSet = (): boolean => false;
  const changes: TemplateChange[] = [];
  for (const key of [...new Set([...b.keys(), ...h.keys()])]) {
    const before = b.get(key);
    const after = h.get(key);
    const entry = (after ?? before)!;
    const action =
      before === undefined
        ? 'create'
        : after === undefined
          ? 'destroy'
          : canonical(before.value, '', noSet) === canonical(after.value, '', noSet)
            ? undefined
            : 'update';
    if (action !== undefined) changes.push({ stack, section: entry.section, id: entry.id, action });
  }
  return changes;
}

function backendWords(location: unknown): string {
  const backend = isObject(location) ? blockList(location.backend)?.[0] : undefined;
  if (backend !== undefined) return Object.keys(backend)[0] ?? 'an unnamed backend';
  if (isObject(location) && location.cloud !== undefined) return 'HCP Terraform (cloud)';
  return 'no backend (local state)';
}

function backendBlocker(stack: string, base: TfStack, head: TfStack): Blocker | undefined {
  const noSet = (): boolean => false;
  if (canonical(base.stateLocation, '', noSet) === canonical(head.stateLocation, '', noSet)) return undefined;
  const from = backendWords(base.stateLocation);
  const to = backendWords(head.stateLocation);
  const what = from === to ? `its ${to} settings change` : `${from} becomes ${to}`;
  return {
    stack,
    message: `The Terraform backend changes (${what}): the state moves, so run terraform init -migrate-state before the next apply, or Terraform finds an empty state and plans to create every resource anew (and fails on those that exist).`,
  };
}

/** What every change of one stack needs to know. */
interface StackScope {
  readonly environment: string;
  readonly stack: string;
  readonly head: TfStack | undefined;
  /** The security findings of a resource (none in a new environment). */
  readonly security: (type: string, before: Attributes | undefined, after: Attributes | undefined) => SecurityChange[];
}

/** The head's resources paired with the base's (by address, or by a `moved` block), and those on one side only. */
function pairResources(
  baseResources: ReadonlyMap<string, TfResource>,
  headResources: ReadonlyMap<string, TfResource>,
  moves: ReadonlyMap<string, string>,
): { pairs: Pair[]; created: TfResource[]; removed: TfResource[] } {
  const movedInto = new Map([...moves].map(([from, to]) => [to, from]));
  const pairs: Pair[] = [];
  const created: TfResource[] = [];
  for (const after of [...headResources.values()].sort((a, b) => compare(a.address, b.address))) {
    const from = movedInto.get(after.address);
    const before = baseResources.get(from ?? after.address);
    if (before === undefined) {
      created.push(after);
      continue;
    }
    // References to moved resources are written under their new address in the head: so are the base's, here.
    const beforeBody = moves.size > 0 ? (renameAll(before.body, moves) as Attributes) : before.body;
    const isSet = (p: string): boolean => isSetPath(after.type, p);
    const properties = diffAttributes(beforeBody, after.body, isSet).map((d): PropertyChange => ({
      path: d.path,
      replacement: forcesReplacement(after.type, d) ? 'always' : 'never',
      ...(d.before === undefined ? {} : { before: d.before }),
      ...(d.after === undefined ? {} : { after: d.after }),
      ...(isIgnored(after.lifecycle, d.path) ? { ignored: true } : {}),
    }));
    pairs.push({
      address: after.address,
      before,
      beforeBody,
      after,
      ...(from === undefined ? {} : { movedFrom: from }),
      properties,
    });
  }
  const removed = [...baseResources.values()]
    .filter((r) => !headResources.has(r.address) && !moves.has(r.address))
    .sort((a, b) => compare(a.address, b.address));
  return { pairs, created, removed };
}

/**
 * Adds to each pair the attributes whose text is unchanged but whose value changes because they reference a
 * replaced resource: a ForceNew one may replace the pair too ('maybe'), to a fixpoint; any other is an update.
 */
function propagateReplacement(pairs: readonly Pair[], known: (address: string) => boolean): void {
  const references = new Map(pairs.map((p) => [p.address, referencesOf(p.after.body, p.address, known)]));
  const replaced = new Map<string, 'replace' | 'may-replace'>();
  for (const p of pairs) if (actionOf(p) === 'replace') replaced.set(p.address, 'replace');
  for (let grew = true; grew;) {
    grew = false;
    for (const p of pairs) {
      if (replaced.has(p.address)) continue;
      const forced = references
        .get(p.address)!
        .some(
          (r) =>
            r.addresses.some((a) => replaced.has(a)) &&
            isForceNewPath(p.after.type, r.path) &&
            !isIgnored(p.after.lifecycle, r.path),
        );
      if (forced) {
        replaced.set(p.address, 'may-replace');
        grew = true;
      }
    }
  }
  for (const p of pairs) {
    const textChanged = (path: string): boolean =>
      p.properties.some((c) => c.cause === undefined && isAtOrUnder(path, c.path));
    for (const r of references.get(p.address)!) {
      const cause = r.addresses.find((a) => replaced.has(a));
      if (cause === undefined || textChanged(r.path)) continue;
      p.properties.push({
        path: r.path,
        replacement: isForceNewPath(p.after.type, r.path) ? 'maybe' : 'never',
        before: r.value,
        after: r.value,
        cause: `references ${cause}, which ${replaced.get(cause) === 'replace' ? 'is replaced' : 'may be replaced'}`,
        ...(isIgnored(p.after.lifecycle, r.path) ? { ignored: true } : {}),
      });
    }
    p.properties = p.properties
      .map((c, i) => [c, i] as const)
      .sort(([a, i], [b, j]) => compare(a.path, b.path) || i - j)
      .map(([c]) => c);
  }
}

/** What a replaced or destroyed resource loses: stateful types lose their data, and say what it is. */
function lossOf(
  scope: StackScope,
  type: string,
  address: string,
  action: 'replace' | 'may-replace' | 'destroy',
  oldBody: Attributes,
): Pick<DraftChange, 'stateful' | 'dataLoss' | 'consequence'> {
  const stateful = AZURE_STATEFUL_TYPES.has(type);
  if (!stateful) return { stateful, dataLoss: false };
  return {
    stateful,
    dataLoss: true,
    consequence: describeLoss(type, literalName(oldBody), address, scope.environment, action),
  };
}

function replacementNotes(
  scope: StackScope,
  p: Pair,
  action: 'replace' | 'may-replace',
  blockers: Blocker[],
): string[] {
  const notes: string[] = [];
  if (p.after.lifecycle.preventDestroy) {
    notes.push(PREVENT_DESTROY_NOTE);
    const forcing = p.properties
      .filter((c) => !c.ignored && c.replacement === (action === 'replace' ? 'always' : 'maybe'))
      .map((c) => c.path);
    const why = [...new Set(forcing)].join(', ');
    const fails = `lifecycle.prevent_destroy is set: ${action === 'replace' ? '' : 'if it is, '}terraform apply fails with 'Instance cannot be destroyed' and nothing in ${scope.stack} deploys. Undo the change, or lift prevent_destroy, which loses the data.`;
    blockers.push({
      stack: scope.stack,
      id: p.address,
      message:
        action === 'replace'
          ? `${p.address} must be replaced (${why}), but ${fails}`
          : `${p.address} may be replaced (${why} references a replaced resource), but ${fails}`,
    });
  }
  if (p.after.lifecycle.createBeforeDestroy) {
    const before = literalName(p.beforeBody);
    const sameName = before !== undefined && before === literalName(p.after.body);
    notes.push(
      `lifecycle.create_before_destroy is set: the new one is created before the old one is destroyed${
        sameName
          ? `; its name ${before} does not change, so creating it fails while the old one still holds the name`
          : ''
      }`,
    );
  }
  return notes;
}

function pairChange(
  scope: StackScope,
  p: Pair,
  blockers: Blocker[],
  ignored: IgnoredChange[],
): DraftChange | undefined {
  const action = actionOf(p);
  if (action === undefined) {
    const paths = [...new Set(p.properties.map((c) => c.path))].sort(compare);
    if (paths.length > 0) ignored.push({ stack: scope.stack, id: p.address, paths });
    return undefined;
  }
  const notes: string[] = [];
  if (p.movedFrom !== undefined) {
    notes.push(
      p.before.type === p.after.type
        ? `moved from ${p.movedFrom}`
        : `moved from ${p.movedFrom}, a ${p.before.type}: Terraform accepts a move between resource types only where the provider supports it`,
    );
  }
  const replacing = action === 'replace' || action === 'may-replace';
  if (replacing) notes.push(...replacementNotes(scope, p, action, blockers));
  return {
    stack: scope.stack,
    id: p.address,
    type: p.after.type,
    ...pathOf(p.after, p.before),
    action,
    ...(replacing
      ? lossOf(scope, p.after.type, p.address, action, p.beforeBody)
      : { stateful: AZURE_STATEFUL_TYPES.has(p.after.type), dataLoss: false }),
    properties: p.properties,
    // Security is judged on what Terraform applies: ignored attributes keep their base values.
    security: scope.security(p.after.type, p.beforeBody, withoutIgnored(p.beforeBody, p.after.body, p.after.lifecycle)),
    notes,
  };
}

function createdChange(scope: StackScope, r: TfResource): DraftChange {
  const imported = scope.head?.imports.get(r.address);
  return {
    stack: scope.stack,
    id: r.address,
    type: r.type,
    ...pathOf(r, undefined),
    action: 'create',
    stateful: AZURE_STATEFUL_TYPES.has(r.type),
    dataLoss: false,
    properties: [],
    security: scope.security(r.type, undefined, r.body),
    notes:
      imported === undefined
        ? []
        : [`imported from ${imported}: Terraform adopts the existing resource rather than creating an empty one`],
  };
}

function removedChange(scope: StackScope, r: TfResource): DraftChange {
  const common = { stack: scope.stack, id: r.address, type: r.type, ...pathOf(undefined, r), properties: [] };
  if (scope.head?.removed.get(r.address) === false) {
    return {
      ...common,
      action: 'orphan',
      stateful: AZURE_STATEFUL_TYPES.has(r.type),
      dataLoss: false,
      consequence: describeKept(r.type, literalName(r.body), r.address, scope.environment),
      security: [],
      notes: ['a removed block with lifecycle.destroy = false: Terraform forgets it without destroying it'],
    };
  }
  return {
    ...common,
    action: 'destroy',
    ...lossOf(scope, r.type, r.address, 'destroy', r.body),
    security: scope.security(r.type, r.body, undefined),
    notes: r.lifecycle.preventDestroy ? [PREVENT_DESTROY_GONE_NOTE] : [],
  };
}

/** Blockers of a head configuration that Terraform refuses to plan: a move whose source is still declared. */
function movedBlockers(stack: string, head: TfStack | undefined): Blocker[] {
  return [...(head?.moved ?? [])]
    .filter(([from]) => head!.resources.has(from))
    .map(([from, to]) => ({
      stack,
      id: from,
      message: `A moved block moves ${from} to ${to}, but ${from} is still in the configuration: terraform plan fails with 'Moved object still exists'. Remove ${from} (cdktf: moveToId/moveTo removes it) or the moved block.`,
    }));
}

function diffStack(
  environment: string,
  stack: string,
  base: TfStack | undefined,
  head: TfStack | undefined,
  options: DiffOptions,
): StackDiff {
  const none = new Map<string, TfResource>();
  const baseResources = base?.resources ?? none;
  const headResources = head?.resources ?? none;
  const moves = base !== undefined && head !== undefined ? resolveMoves(base, head) : new Map<string, string>();
  const movedTargets = new Set(moves.values());
  const existedBefore = (address: string): boolean => baseResources.has(address) || movedTargets.has(address);
  const context: SecurityContext = {
    existedBefore,
    createdNow: (address) => headResources.has(address) && !existedBefore(address),
  };
  const scope: StackScope = {
    environment,
    stack,
    head,
    security: (type, before, after) =>
      options.newEnvironment ? [] : azureSecurityChanges(type, before, after, context),
  };

  const { pairs, created, removed } = pairResources(baseResources, headResources, moves);
  propagateReplacement(pairs, (address) => headResources.has(address));

  const blockers: Blocker[] = [];
  const ignored: IgnoredChange[] = [];
  const changes = [
    ...pairs.flatMap((p) => pairChange(scope, p, blockers, ignored) ?? []),
    ...created.map((r) => createdChange(scope, r)),
    ...removed.map((r) => removedChange(scope, r)),
  ];
  blockers.push(...movedBlockers(stack, head));
  const backend = base !== undefined && head !== undefined ? backendBlocker(stack, base, head) : undefined;
  if (backend !== undefined) blockers.push(backend);
  return { changes, templateChanges: templateChanges(stack, base, head), blockers, ignored };
}

function pathOf(head: TfResource | undefined, base: TfResource | undefined): { path?: string } {
  const path = head?.path ?? base?.path;
  return path === undefined ? {} : { path };
}

/**
 * Reviews one environment's Terraform stacks: what applying the head's cdk.tf.json over the base's would do, as
 * `terraform plan` would classify it (create, update, replace, may-replace, destroy; `orphan` for a `removed` block
 * that keeps the resource), with the attribute paths that changed, the data each replacement or destruction loses,
 * the access each change widens or narrows, the acknowledgements each side carries, and what would make the apply
 * fail (prevent_destroy on a replaced resource, a moved backend).
 *
 * @param environment the environment's name, for the consequences' wording
 * @param base the environment's Terraform stacks on the base side (empty for a new environment)
 * @param head the environment's Terraform stacks on the head side (empty for a removed environment)
 * @param options see {@link DiffOptions}
 * @throws Error naming the stack, the side and what is wrong when a cdk.tf.json cannot be read
 */
export function diffAzureEnvironment(
  environment: string,
  base: readonly SynthesizedStack[],
  head: readonly SynthesizedStack[],
  options: DiffOptions,
): EnvironmentDiff {
  const baseStacks = readSide(environment, base, 'base');
  const headStacks = readSide(environment, head, 'head');
  const names = [...new Set([...baseStacks.keys(), ...headStacks.keys()])].sort(compare);
  const stacks: StackStatus[] = [];
  const changes: DraftChange[] = [];
  const templates: TemplateChange[] = [];
  const blockers: Blocker[] = [];
  const ignored: IgnoredChange[] = [];
  for (const name of names) {
    const b = baseStacks.get(name);
    const h = headStacks.get(name);
    let diff: StackDiff;
    try {
      diff = diffStack(environment, name, b, h, options);
    } catch (error) {
      if (error instanceof MalformedStackError) throw error;
      throw new Error(
        `Azure review of ${environment}: stack ${name} could not be compared: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    changes.push(...diff.changes);
    templates.push(...diff.templateChanges);
    blockers.push(...diff.blockers);
    ignored.push(...diff.ignored);
    const status =
      b === undefined
        ? 'added'
        : h === undefined
          ? 'removed'
          : diff.changes.length > 0 || diff.templateChanges.length > 0
            ? 'changed'
            : 'unchanged';
    stacks.push({ stack: name, status });
  }
  return {
    stacks,
    changes: changes.sort((a, b) => compare(a.stack, b.stack) || compare(a.id, b.id)),
    templateChanges: templates.sort(
      (a, b) => compare(a.stack, b.stack) || compare(a.section, b.section) || compare(a.id, b.id),
    ),
    blockers: blockers.sort((a, b) => compare(a.stack, b.stack) || compare(a.id ?? '', b.id ?? '')),
    ignored: ignored.sort((a, b) => compare(a.stack, b.stack) || compare(a.id, b.id)),
    headAcknowledgements: indexAcknowledgements(headStacks),
    baseAcknowledgements: indexAcknowledgements(baseStacks),
  };
}
