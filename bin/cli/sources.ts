import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The record of the sources an output folder was synthesized from, so that `npm run check` can refuse output that
 * no longer matches the code it would be judging. A content digest per file rather than timestamps: a checkout,
 * `touch` or a reverted edit changes timestamps but not what synthesizes, and a copied or unpacked tree can carry
 * timestamps older than its output.
 */

/** The file in cdk.out/ and cdktf.out/ that records the sources they were synthesized from. */
export const SOURCES_FILE = 'platform-sources.json';

/** The folders and files whose content decides what synthesizes, relative to the repository root. */
export const SOURCE_PATHS: readonly string[] = ['lib', 'stacks', 'bin', 'cdk.json', 'cdktf.json', 'package-lock.json'];

/**
 * Paths under {@link SOURCE_PATHS} that only read synthesized output and never synthesize (no stack or construct
 * imports them: test/repo/boundaries.test.ts): editing the review or the report leaves the output current.
 */
export const NOT_SOURCES: readonly string[] = [
  'lib/review',
  'lib/report',
  'bin/report.ts',
  'bin/cli/report.ts',
  'bin/cli/report-check.ts',
];

/** The repository this file belongs to, whose sources `npm run synth` synthesizes. */
export const REPOSITORY_ROOT = path.resolve(__dirname, '..', '..');

/** A digest per source file, by path relative to the repository root with `/` separators. */
export type SourceDigests = Readonly<Record<string, string>>;

const memo = new Map<string, SourceDigests>();

/**
 * Digests every source file under `root` (hidden files such as editor swap files excepted). Once per process and
 * root: the code a process synthesizes with is the code it loaded, and about 10 ms is spent once.
 */
export function sourceDigests(root: string = REPOSITORY_ROOT, options: { fresh?: boolean } = {}): SourceDigests {
  const cached = memo.get(root);
  if (cached && !options.fresh) return cached;
  const digests: Record<string, string> = {};
  const add = (relative: string): void => {
    if (NOT_SOURCES.includes(relative.split(path.sep).join('/'))) return;
    const full = path.join(root, relative);
    const stat = fs.statSync(full, { throwIfNoEntry: false });
    if (stat?.isDirectory()) {
      for (const name of fs.readdirSync(full).sort()) {
        if (!name.startsWith('.') && !name.endsWith('~')) add(path.join(relative, name));
      }
    } else if (stat?.isFile()) {
      digests[relative.split(path.sep).join('/')] = crypto
        .createHash('sha1')
        .update(fs.readFileSync(full))
        .digest('hex');
    }
  };
  for (const p of SOURCE_PATHS) add(p);
  memo.set(root, digests);
  return digests;
}

/** Writes the record into a synthesized folder. */
export function writeSourceRecord(outdir: string, digests: SourceDigests): void {
  const record = {
    '//': 'The sources this folder was synthesized from (sha1 per file). npm run check refuses the folder when they have changed.',
    files: digests,
  };
  fs.writeFileSync(path.join(outdir, SOURCES_FILE), `${JSON.stringify(record, null, 1)}\n`);
}

/**
 * Why an output folder does not match the sources under `root`, or `undefined` when it does: the files changed,
 * added or removed since it was synthesized, or that it records no sources at all.
 */
export function staleness(outdir: string, root: string): string | undefined {
  let recorded: SourceDigests;
  try {
    recorded = (JSON.parse(fs.readFileSync(path.join(outdir, SOURCES_FILE), 'utf8')) as { files: SourceDigests }).files;
    if (typeof recorded !== 'object' || recorded === null) throw new Error('no files');
  } catch {
    return `it records no sources (${SOURCES_FILE} is missing or unreadable), so it was not written by this version of npm run synth`;
  }
  const current = sourceDigests(root, { fresh: true });
  const changes = [
    ...Object.keys(current)
      .filter((f) => recorded[f] !== current[f])
      .map((f) => (f in recorded ? f : `${f} (added)`)),
    ...Object.keys(recorded)
      .filter((f) => !(f in current))
      .map((f) => `${f} (removed)`),
  ].sort();
  if (changes.length === 0) return undefined;
  const listed = changes.slice(0, 5).join(', ');
  const more = changes.length > 5 ? ` and ${changes.length - 5} more` : '';
  return `${listed}${more} changed since it was synthesized`;
}
