/**
 * What the Azure review knows about azurerm attribute paths without a provider binary: which paths force a
 * replacement, which are sets (order carries no meaning), and which resources a Terraform expression references.
 * The two data files (lib/review/data) are read once per process, on first use.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Resource type to attribute paths, as the data files list them. */
type PathTable = ReadonlyMap<string, readonly string[]>;

const FORCE_NEW_FILE = 'azurerm-4.55-forcenew.json';
const SETS_FILE = 'azurerm-4.55-sets.json';

let forceNewTable: PathTable | undefined;
let setTable: ReadonlyMap<string, ReadonlySet<string>> | undefined;

function readTable(file: string): PathTable {
  const full = path.join(__dirname, 'data', file);
  const parsed: unknown = JSON.parse(fs.readFileSync(full, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${full}: expected an object of resource type to attribute paths`);
  }
  const table = new Map<string, readonly string[]>();
  for (const [type, paths] of Object.entries(parsed)) {
    if (!Array.isArray(paths) || !paths.every((p): p is string => typeof p === 'string')) {
      throw new Error(`${full}: ${type} is not a list of attribute paths`);
    }
    table.set(type, paths);
  }
  return table;
}

/** The ForceNew attribute paths of a resource type (nested blocks as `block.attribute`); empty when unknown. */
export function forceNewPaths(type: string): readonly string[] {
  forceNewTable ??= readTable(FORCE_NEW_FILE);
  return forceNewTable.get(type) ?? [];
}

/** True when the attribute or nested block at `attributePath` of `type` is a set (compared without order). */
export function isSetPath(type: string, attributePath: string): boolean {
  setTable ??= new Map([...readTable(SETS_FILE)].map(([t, paths]) => [t, new Set(paths)]));
  return setTable.get(type)?.has(attributePath) ?? false;
}

/** True when `inner` is `outer` or lies beneath it (`admin_ssh_key.public_key` under `admin_ssh_key`). */
export function isAtOrUnder(inner: string, outer: string): boolean {
  return inner === outer || inner.startsWith(`${outer}.`);
}

/**
 * True when changing the value at `attributePath` replaces a `type` resource: the path is listed as ForceNew, or
 * lies under a listed block (a listed `admin_ssh_key` covers `admin_ssh_key.public_key`).
 */
export function isForceNewPath(type: string, attributePath: string): boolean {
  return forceNewPaths(type).some((listed) => isAtOrUnder(attributePath, listed));
}

/** The ForceNew paths strictly beneath `attributePath`, relative to it (`version` under `source_image_reference`). */
export function forceNewBelow(type: string, attributePath: string): string[] {
  const prefix = `${attributePath}.`;
  return forceNewPaths(type)
    .filter((listed) => listed.startsWith(prefix))
    .map((listed) => listed.slice(prefix.length));
}

/**
 * An attribute path as `lifecycle.ignore_changes` may write it (`os_disk[0].name`, `tags["owner"]`), in the
 * review's form: blocks joined with dots, list indices dropped (`os_disk.name`, `tags.owner`).
 */
export function normalizeAttributePath(written: string): string {
  return written
    .replace(/\[\s*"([^"]*)"\s*\]/g, '.$1')
    .replace(/\[\s*'([^']*)'\s*\]/g, '.$1')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\s+/g, '')
    .replace(/\.{2,}/g, '.')
    .replace(/^\.|\.$/g, '');
}

/** True when `value` holds a Terraform expression (`${...}`), whose value is known only at apply time. */
export function isExpression(value: unknown): boolean {
  return typeof value === 'string' && value.includes('${');
}

/** The `${...}` interpolations of a string, as [start, end) offsets of their contents; nested braces included. */
function interpolations(value: string): [number, number][] {
  const found: [number, number][] = [];
  let from = 0;
  for (;;) {
    const open = value.indexOf('${', from);
    if (open < 0) return found;
    let depth = 1;
    let i = open + 2;
    for (; i < value.length && depth > 0; i++) {
      if (value[i] === '{') depth++;
      else if (value[i] === '}') depth--;
    }
    // An unterminated interpolation is read to the end of the string.
    found.push([open + 2, depth === 0 ? i - 1 : value.length]);
    from = i;
  }
}

// `<type>.<name>` at the start of a traversal: not preceded by a name character or a dot, so the `azurerm_x.y` of
// `data.azurerm_x.y.id` is not read as a resource. cdktf's names carry dashes (`network_Subnet-apps_78D6C6EB`).
const TRAVERSAL = /(?<![\w.-])([a-z][a-z0-9_]*)\.([A-Za-z0-9_][\w-]*)/g;

/**
 * The `<type>.<name>` traversals inside the `${...}` interpolations of a string, in order of appearance, without
 * repeats: `${azurerm_subnet.apps.id}` and `${element(azurerm_subnet.apps.*.id, 0)}` both give
 * `azurerm_subnet.apps`. Also `var.x`, `local.y` and `data.<type>`: callers keep the addresses they know.
 */
export function referencedAddresses(value: string): string[] {
  const found: string[] = [];
  for (const [start, end] of interpolations(value)) {
    for (const match of value.slice(start, end).matchAll(TRAVERSAL)) {
      const address = `${match[1]}.${match[2]}`;
      if (!found.includes(address)) found.push(address);
    }
  }
  return found;
}

/** Rewrites the references to renamed addresses inside a string's interpolations (`moved` blocks: from -> to). */
export function renameReferences(value: string, renames: ReadonlyMap<string, string>): string {
  if (renames.size === 0 || !value.includes('${')) return value;
  let out = '';
  let last = 0;
  for (const [start, end] of interpolations(value)) {
    const inner = value
      .slice(start, end)
      .replace(TRAVERSAL, (whole, type: string, name: string) => renames.get(`${type}.${name}`) ?? whole);
    out += value.slice(last, start) + inner;
    last = end;
  }
  return out + value.slice(last);
}
