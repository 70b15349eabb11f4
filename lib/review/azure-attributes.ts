/**
 * Attribute-level comparison of two azurerm resource bodies as cdk.tf.json writes them, the way `terraform plan`
 * sees them: `"//"` comments are no part of the configuration, a nested block is the same whether written as an
 * object or as a list of objects, null and an empty list mean "not set", and a set compares without order.
 */

/** A resource body (or nested block) after {@link normalizeValue}. */
export type Attributes = Readonly<Record<string, unknown>>;

/** Tells whether the attribute or block at a path (dot-joined, list indices dropped) is a set. */
export type SetLookup = (attributePath: string) => boolean;

/** One difference between two bodies, at one path. */
export interface AttributeDiff {
  /** The path: nested blocks joined with dots, list indices dropped (`template.container.image`). */
  readonly path: string;
  /** The old value; absent when the attribute or block is new. */
  readonly before?: unknown;
  /** The new value; absent when the attribute or block is removed. */
  readonly after?: unknown;
}

/** Joins a path and a key. */
export function joinPath(prefix: string, key: string): string {
  return prefix === '' ? key : `${prefix}.${key}`;
}

/** True for a plain JSON object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A value as Terraform reads it: `"//"` keys dropped at every depth, null and empty lists dropped (not set), key
 * order sorted. Returns undefined for "not set".
 */
export function normalizeValue(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) {
    const items = value.map(normalizeValue).filter((v) => v !== undefined);
    return items.length === 0 ? undefined : items;
  }
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      if (key === '//') continue;
      const v = normalizeValue(value[key]);
      if (v !== undefined) out[key] = v;
    }
    return out;
  }
  return value;
}

/** The blocks of a value: one object is one block, a list of objects is several; anything else is no block. */
export function blockList(value: unknown): Attributes[] | undefined {
  if (isObject(value)) return [value];
  if (Array.isArray(value) && value.length > 0 && value.every(isObject)) return value;
  return undefined;
}

function canonicalObject(value: Attributes, prefix: string, isSet: SetLookup): string {
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k], joinPath(prefix, k), isSet)}`).join(',')}}`;
}

/**
 * A string that is equal for two normalized values exactly when Terraform sees them as equal: a block written as
 * an object equals the same block in a one-element list, sets compare without order, and `1` equals `"1"` (the
 * provider converts a literal to the attribute's type).
 */
export function canonical(value: unknown, attributePath: string, isSet: SetLookup): string {
  if (value === undefined) return '-';
  if (Array.isArray(value)) {
    const items = value.map((v) =>
      isObject(v) ? canonicalObject(v, attributePath, isSet) : canonical(v, attributePath, isSet),
    );
    if (isSet(attributePath)) items.sort();
    return `[${items.join(',')}]`;
  }
  if (isObject(value)) return `[${canonicalObject(value, attributePath, isSet)}]`;
  return JSON.stringify(String(value));
}

function change(attributePath: string, before: unknown, after: unknown): AttributeDiff {
  return {
    path: attributePath,
    ...(before === undefined ? {} : { before }),
    ...(after === undefined ? {} : { after }),
  };
}

/**
 * Pairs the blocks of two sides: in a set, equal blocks first (they are no change), then blocks of the same `name`,
 * then the rest in order; in a list, by position.
 */
function pairBlocks(
  before: readonly Attributes[],
  after: readonly Attributes[],
  attributePath: string,
  isSet: SetLookup,
): { pairs: [Attributes, Attributes][]; removed: Attributes[]; added: Attributes[] } {
  if (!isSet(attributePath)) {
    const n = Math.min(before.length, after.length);
    return {
      pairs: before.slice(0, n).map((b, i) => [b, after[i]!]),
      removed: before.slice(n),
      added: after.slice(n),
    };
  }
  const key = (b: Attributes): string => canonicalObject(b, attributePath, isSet);
  let restBefore = [...before];
  let restAfter = [...after];
  const take = (match: (b: Attributes, a: Attributes) => boolean): [Attributes, Attributes][] => {
    const pairs: [Attributes, Attributes][] = [];
    const leftBefore: Attributes[] = [];
    for (const b of restBefore) {
      const index = restAfter.findIndex((a) => match(b, a));
      if (index < 0) {
        leftBefore.push(b);
        continue;
      }
      pairs.push([b, restAfter[index]!]);
      restAfter = [...restAfter.slice(0, index), ...restAfter.slice(index + 1)];
    }
    restBefore = leftBefore;
    return pairs;
  };
  take((b, a) => key(b) === key(a));
  const named = take((b, a) => b.name !== undefined && canonical(b.name, '', isSet) === canonical(a.name, '', isSet));
  const n = Math.min(restBefore.length, restAfter.length);
  return {
    pairs: [...named, ...restBefore.slice(0, n).map((b, i): [Attributes, Attributes] => [b, restAfter[i]!])],
    removed: restBefore.slice(n),
    added: restAfter.slice(n),
  };
}

function diffValue(attributePath: string, before: unknown, after: unknown, isSet: SetLookup, out: AttributeDiff[]) {
  if (canonical(before, attributePath, isSet) === canonical(after, attributePath, isSet)) return;
  const beforeBlocks = before === undefined ? [] : blockList(before);
  const afterBlocks = after === undefined ? [] : blockList(after);
  if (beforeBlocks === undefined || afterBlocks === undefined) {
    out.push(change(attributePath, before, after));
    return;
  }
  const { pairs, removed, added } = pairBlocks(beforeBlocks, afterBlocks, attributePath, isSet);
  for (const [b, a] of pairs) diffObject(attributePath, b, a, isSet, out);
  for (const b of removed) out.push(change(attributePath, b, undefined));
  for (const a of added) out.push(change(attributePath, undefined, a));
}

function diffObject(prefix: string, before: Attributes, after: Attributes, isSet: SetLookup, out: AttributeDiff[]) {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  for (const key of keys) diffValue(joinPath(prefix, key), before[key], after[key], isSet, out);
}

/**
 * The differences between two normalized bodies: one per changed leaf attribute, and one per nested block that
 * appears or disappears as a whole (its path, with the block as `before` or `after`). A changed list of plain values
 * is one leaf. Blocks of a list pair by position, blocks of a set as {@link pairBlocks} says. Sorted by path, blocks
 * in their order.
 */
export function diffAttributes(before: Attributes, after: Attributes, isSet: SetLookup): AttributeDiff[] {
  const out: AttributeDiff[] = [];
  diffObject('', before, after, isSet, out);
  return out
    .map((d, i) => [d, i] as const)
    .sort(([a, i], [b, j]) => (a.path < b.path ? -1 : a.path > b.path ? 1 : i - j))
    .map(([d]) => d);
}

/** Every value at a relative path beneath a value (through blocks written as objects or lists); [] when none. */
export function valuesAt(value: unknown, relativePath: string): unknown[] {
  let current: unknown[] = value === undefined ? [] : [value];
  for (const key of relativePath.split('.')) {
    current = current.flatMap((v) => blockList(v) ?? []).flatMap((b) => (b[key] === undefined ? [] : [b[key]]));
  }
  return current;
}
