import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compare, isObject, type JsonObject } from './aws-template';
import type { SynthesizedStack } from './outputs';

/** One file or container image asset of a stack, as its asset manifest lists it. */
interface Asset {
  /** The asset hash: the name the template uses for it (S3 key, image tag). */
  readonly hash: string;
  /** What kind, and how it is packaged (`file:zip`, `docker`), with every source setting but the location. */
  readonly recipe: string;
  /** The manifest's display name, to pair assets when several have the same content. */
  readonly displayName: string;
  /** The file or folder, absolute; undefined when the asset is built by a command. */
  readonly location?: string;
}

/** The asset manifest CDK writes beside a template: `<name>.template.json` → `<name>.assets.json`. */
function assetManifestOf(templateFile: string): string {
  const base = path.basename(templateFile).replace(/(\.template)?\.json$/, '');
  return path.join(path.dirname(templateFile), `${base}.assets.json`);
}

function readAssets(stack: SynthesizedStack): Asset[] {
  const file = assetManifestOf(stack.file);
  if (!fs.existsSync(file)) return [];
  let manifest: unknown;
  try {
    manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${stack.stack} (${file}): the asset manifest is not valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(manifest)) throw new Error(`${stack.stack} (${file}): the asset manifest is not a JSON object`);
  const dir = path.dirname(file);
  const assets: Asset[] = [];
  for (const [section, kind, locationKey] of [
    ['files', 'file', 'path'],
    ['dockerImages', 'docker', 'directory'],
  ] as const) {
    const entries = manifest[section];
    if (!isObject(entries)) continue;
    for (const hash of Object.keys(entries).sort(compare)) {
      const entry = entries[hash];
      const source = isObject(entry) && isObject(entry.source) ? entry.source : {};
      const { [locationKey]: location, ...settings } = source;
      assets.push({
        hash,
        recipe: `${kind}\0${canonical(settings)}`,
        displayName: isObject(entry) && typeof entry.displayName === 'string' ? entry.displayName : '',
        ...(typeof location === 'string' && { location: path.resolve(dir, location) }),
      });
    }
  }
  return assets;
}

/** JSON with sorted keys: equal settings give equal text whatever order they were written in. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value)
      .sort(compare)
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

/**
 * A digest of what an asset holds: a file's bytes; a folder's sorted relative paths and their files' bytes, all the
 * way down. Undefined when the source is gone, so that nothing unreadable is ever taken for equal.
 */
function contentDigest(location: string, cache: Map<string, string | undefined> = new Map()): string | undefined {
  if (cache.has(location)) return cache.get(location);
  let digest: string | undefined;
  try {
    const hash = crypto.createHash('sha256');
    if (fs.statSync(location).isDirectory()) {
      hash.update('dir\0');
      const walk = (dir: string): void => {
        for (const name of fs.readdirSync(dir).sort(compare)) {
          const full = path.join(dir, name);
          const relative = path.relative(location, full).split(path.sep).join('/');
          if (fs.statSync(full).isDirectory()) {
            hash.update(`d ${relative}\0`);
            walk(full);
          } else {
            hash.update(`f ${relative}\0${crypto.createHash('sha256').update(fs.readFileSync(full)).digest('hex')}\0`);
          }
        }
      };
      walk(location);
    } else {
      hash.update('file\0').update(fs.readFileSync(location));
    }
    digest = hash.digest('hex');
  } catch {
    digest = undefined;
  }
  cache.set(location, digest);
  return digest;
}

/**
 * The base asset hashes to read as head asset hashes: a base asset the head no longer has, whose content the head
 * has under another hash (a new CDK version or bundling option renamed it, but it deploys the same bytes). The
 * asset folders are read only when some hash differs, so a review of identical output reads no asset.
 */
export function assetRenames(
  base: readonly SynthesizedStack[],
  head: readonly SynthesizedStack[],
): Map<string, string> {
  const renames = new Map<string, string>();
  const baseAssets = unique(base.flatMap(readAssets));
  const headAssets = unique(head.flatMap(readAssets));
  const headHashes = new Set(headAssets.map((a) => a.hash));
  const baseHashes = new Set(baseAssets.map((a) => a.hash));
  const gone = baseAssets.filter((a) => !headHashes.has(a.hash) && a.location !== undefined);
  const arrived = headAssets.filter((a) => !baseHashes.has(a.hash) && a.location !== undefined);
  if (gone.length === 0 || arrived.length === 0) return renames;
  const cache = new Map<string, string | undefined>();
  const key = (asset: Asset): string | undefined => {
    const digest = contentDigest(asset.location!, cache);
    return digest === undefined ? undefined : `${asset.recipe}\0${digest}`;
  };
  const byContent = new Map<string, Asset[]>();
  for (const asset of arrived) {
    const k = key(asset);
    if (k !== undefined) byContent.set(k, [...(byContent.get(k) ?? []), asset]);
  }
  for (const asset of gone) {
    const k = key(asset);
    const candidates = k === undefined ? undefined : byContent.get(k);
    if (!candidates) continue;
    const match = candidates.find((c) => c.displayName === asset.displayName) ?? candidates[0]!;
    renames.set(asset.hash, match.hash);
  }
  return renames;
}

/** The first asset of each hash, in hash order. */
function unique(assets: readonly Asset[]): Asset[] {
  const byHash = new Map<string, Asset>();
  for (const asset of assets) if (!byHash.has(asset.hash)) byHash.set(asset.hash, asset);
  return [...byHash.values()].sort((a, b) => compare(a.hash, b.hash));
}

/** Replaces, in place, every occurrence of each renamed hash in every string of a template copy. */
export function applyRenames(template: JsonObject, renames: ReadonlyMap<string, string>): void {
  if (renames.size === 0) return;
  const pattern = new RegExp([...renames.keys()].map((h) => h.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  const rewrite = (value: unknown): unknown => {
    if (typeof value === 'string') return value.replace(pattern, (hash) => renames.get(hash) ?? hash);
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) value[i] = rewrite(value[i]);
    } else if (isObject(value)) {
      for (const key of Object.keys(value)) value[key] = rewrite(value[key]);
    }
    return value;
  };
  rewrite(template);
}
