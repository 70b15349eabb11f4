import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DELIVERY_PIPELINE_NAME } from '../../lib/core';
import { REPOSITORY_ROOT, type SourceDigests } from './sources';
import type { Cloud, UnitResult, UnitSubject } from './synth-unit';

/**
 * The units `npm run synth` synthesized before (one environment on one cloud each, bin/cli/synth-unit.ts), kept
 * under a key of everything their output follows from, so that an environment whose inputs did not change is
 * copied instead of synthesized again.
 *
 * The key is made of content only, never of a path: the environment's resolved spec, a digest of every source file
 * (lib/, stacks/ but the environment definitions, which reach the output only through the specs, bin/, cdk.json,
 * cdktf.json, package-lock.json), the cloud, the validation setting, the Node.js version and platform, and the
 * CDK_* and CDKTF_* variables that aws-cdk-lib and cdktf read. So a git worktree of another commit, whose
 * node_modules is a link to this one's (the review's base), finds and adds entries of its own in the same folder.
 *
 * An entry is written into a temporary folder and renamed into place whole, so several processes may share the
 * cache: a reader sees an entry complete or not at all, and of two writers of one key the second drops its copy.
 * Entries are never changed; each records a digest of every file, checked when it is copied out. Only the few most
 * recently used entries of each environment and cloud are kept.
 *
 * Checking the cache loads neither aws-cdk-lib nor cdktf: that is what makes an unchanged second synthesis quick.
 */

/** Bumped whenever what a unit's folder or record holds changes, which makes every earlier entry a miss. */
const CACHE_FORMAT = 1;
/** Entries kept per environment and cloud: the working tree's latest, a review base's, and some history. */
const KEEP_PER_UNIT = 6;
const RECORD = 'unit.json';

/**
 * The cache of `npm run synth`: PLATFORM_SYNTH_CACHE when set, else node_modules/.cache/platform-synth of this
 * repository (shared with the git worktrees whose node_modules link to it).
 */
export function defaultCacheFolder(): string {
  return process.env.PLATFORM_SYNTH_CACHE || path.join(REPOSITORY_ROOT, 'node_modules', '.cache', 'platform-synth');
}

/**
 * What decides a unit's output: the cloud, the environment resolved (or the delivery resolved, which holds every
 * environment), the validation setting and the sources.
 */
export type UnitKeyInput = UnitSubject & {
  /** The cloud. */
  readonly cloud: Cloud;
  /** Whether the templates are validated against the CloudFormation schemas. */
  readonly validation: boolean;
  /** The digest of every source file (bin/cli/sources.ts). */
  readonly sources: SourceDigests;
};

/**
 * The name of a unit's entry: its cloud and environment (`aws-platform-delivery` for the delivery unit), for pruning
 * and for people, then its key.
 */
export function unitEntryName(input: UnitKeyInput): string {
  const sources = Object.entries(input.sources)
    .filter(([file]) => !file.startsWith('stacks/environments/'))
    .sort(([a], [b]) => (a < b ? -1 : 1));
  const variables = Object.entries(process.env)
    .filter(([name]) => /^CDK(?:TF)?_/.test(name) && !['CDK_APP_MODE', 'CDK_OUTDIR', 'CDKTF_OUTDIR'].includes(name))
    .sort(([a], [b]) => (a < b ? -1 : 1));
  const key = crypto
    .createHash('sha256')
    .update(
      JSON.stringify({
        format: CACHE_FORMAT,
        cloud: input.cloud,
        // An environment's key is what it always was, so the entries an earlier version stored are still found.
        ...(input.delivery ? { delivery: input.delivery } : { environment: input.environment }),
        // What an environment lends the pipeline depends on the delivery account and the pipeline's name only.
        ...(!input.delivery &&
          input.deliveredBy?.aws && { deliveredBy: [input.deliveredBy.aws.account, DELIVERY_PIPELINE_NAME] }),
        validation: input.validation,
        sources,
        node: process.version,
        platform: process.platform,
        variables,
      }),
    )
    .digest('hex')
    .slice(0, 40);
  const name = input.delivery ? DELIVERY_PIPELINE_NAME : input.environment.name;
  return `${input.cloud}-${name.replace(/[^\w.-]/g, '_')}-${key}`;
}

interface UnitRecord {
  readonly format: number;
  readonly result: UnitResult;
  /** A sha1 of every file of the unit's folder, by path relative to it with `/` separators. */
  readonly files: Readonly<Record<string, string>>;
}

const sha1 = (data: Buffer): string => crypto.createHash('sha1').update(data).digest('hex');

/**
 * Copies a cached unit into `outdir` (which must not exist), checking every file against its digest; returns what
 * the unit reported, or undefined when there is no such entry or it is damaged (then `outdir` is removed again).
 */
export function restoreUnit(cache: string, entry: string, outdir: string): UnitResult | undefined {
  const folder = path.join(cache, entry);
  let record: UnitRecord;
  try {
    record = JSON.parse(fs.readFileSync(path.join(folder, RECORD), 'utf8')) as UnitRecord;
    if (record.format !== CACHE_FORMAT) return undefined;
  } catch {
    return undefined; // no entry, or one a newer or older version wrote
  }
  try {
    for (const [file, digest] of Object.entries(record.files)) {
      const from = path.join(folder, 'out', file);
      const data = fs.readFileSync(from);
      if (sha1(data) !== digest) throw new Error(`${file} does not match its digest`);
      const to = path.join(outdir, file);
      fs.mkdirSync(path.dirname(to), { recursive: true });
      fs.writeFileSync(to, data);
      fs.chmodSync(to, fs.statSync(from).mode & 0o7777);
    }
    const now = new Date();
    fs.utimesSync(folder, now, now); // most recently used: kept longest
    return record.result;
  } catch {
    fs.rmSync(outdir, { recursive: true, force: true });
    return undefined;
  }
}

/**
 * Moves a unit's folder (`<unit>/out`, what its App wrote) into the cache under `entry`, whole or not at all; an
 * entry another process stored first is kept. Returns false when it could not be stored (nothing is left then).
 */
export function storeUnit(cache: string, entry: string, unit: string, result: UnitResult): boolean {
  const staging = path.join(cache, `tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
  try {
    fs.mkdirSync(cache, { recursive: true });
    try {
      fs.renameSync(unit, staging);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      fs.cpSync(unit, staging, { recursive: true }); // the output is on another file system than the cache
    }
    const out = path.join(staging, 'out');
    const files: Record<string, string> = {};
    for (const file of fs.readdirSync(out, { recursive: true, encoding: 'utf8' }).sort()) {
      const full = path.join(out, file);
      if (fs.statSync(full).isFile()) files[file.split(path.sep).join('/')] = sha1(fs.readFileSync(full));
    }
    const record: UnitRecord = { format: CACHE_FORMAT, result, files };
    fs.writeFileSync(path.join(staging, RECORD), JSON.stringify(record));
    try {
      fs.renameSync(staging, path.join(cache, entry));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
    }
    return true;
  } catch {
    return false;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Keeps the cache small: removes all but the most recently used entries of each environment and cloud, and the
 * temporary folders of processes that no longer run.
 */
export function pruneCache(cache: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(cache);
  } catch {
    return;
  }
  const groups = new Map<string, { name: string; used: number }[]>();
  for (const name of names) {
    const temporary = /^tmp-(\d+)-/.exec(name);
    if (temporary) {
      if (!isRunning(Number(temporary[1]))) fs.rmSync(path.join(cache, name), { recursive: true, force: true });
      continue;
    }
    const entry = /^(.+)-[0-9a-f]{40}$/.exec(name);
    if (!entry) continue;
    const used = fs.statSync(path.join(cache, name), { throwIfNoEntry: false })?.mtimeMs ?? 0;
    groups.set(entry[1]!, [...(groups.get(entry[1]!) ?? []), { name, used }]);
  }
  for (const entries of groups.values()) {
    for (const { name } of entries.sort((a, b) => b.used - a.used).slice(KEEP_PER_UNIT)) {
      // Renamed first, so that a reader finds the entry whole or not at all.
      const doomed = path.join(cache, `tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
      try {
        fs.renameSync(path.join(cache, name), doomed);
        fs.rmSync(doomed, { recursive: true, force: true });
      } catch {
        // Another process pruned it first.
      }
    }
  }
}

function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
