import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  apiSnapshot,
  classifyBreaking,
  exitCodeOf,
  loadSpecDefaults,
  readCdkOut,
  readCdktfOut,
  renderJson,
  renderMarkdown,
  renderText,
  reviewBetween,
  resourceGraph,
  reviewChanges,
  renderBreaking,
  environmentTokens,
  type BreakingChange,
  type EnvironmentTokens,
  type Review,
  type ReviewCloud,
  type ReviewGraphs,
  type ReviewInputSide,
  type SynthesizedStack,
} from '../../lib/review';
import { UsageError } from './command';
import { CLOUDS } from './synth';

/** Output formats of `npm run review`. */
export type ReviewFormat = 'text' | 'markdown' | 'json';

/** What `npm run review` was asked for. */
export interface ReviewArgs {
  /** The git ref to compare with; unset: the merge base with `main` (or `origin/main`). */
  readonly base?: string;
  /** An already synthesized base: a folder holding cdk.out/ and cdktf.out/. */
  readonly baseDir?: string;
  /** An already synthesized head (instead of synthesizing the working tree). */
  readonly headDir?: string;
  /** Compare two environments of the working tree instead: `[from, to]`. */
  readonly between?: readonly [string, string];
  /** Only these environments; empty means all. */
  readonly environments: readonly string[];
  /** Only these clouds. */
  readonly clouds: readonly ReviewCloud[];
  /** How to print the review. */
  readonly format: ReviewFormat;
  /** Write the review to this file (markdown parts beyond the first go to FILE-2.md, FILE-3.md ...). */
  readonly out?: string;
  /** The repository named in the markdown comment's marker (`owner/name`). */
  readonly repository?: string;
}

/** Usage text of `npm run review`. */
export const REVIEW_USAGE = [
  'npm run review -- [--base REF | --base-dir DIR | --between ENV ENV] [--head-dir DIR]',
  '                  [--env NAME[,NAME...]] [--cloud aws|azure] [--format text|markdown|json] [--out FILE]',
  '                  [--repository OWNER/NAME]',
].join('\n  ');

/** Parses the arguments of `npm run review`; every problem is reported at once. */
export function parseReviewArgs(argv: readonly string[]): ReviewArgs {
  const problems: string[] = [];
  const environments: string[] = [];
  let clouds: ReviewCloud[] = [...CLOUDS];
  let format: ReviewFormat = 'text';
  let base: string | undefined;
  let baseDir: string | undefined;
  let headDir: string | undefined;
  let between: [string, string] | undefined;
  let out: string | undefined;
  let repository: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    const value = (what: string): string | undefined => {
      const v = inline ?? (argv[i + 1]?.startsWith('--') ? undefined : argv[++i]);
      if (v === undefined || v === '') problems.push(`${flag} needs ${what}`);
      return v || undefined;
    };
    switch (flag) {
      case '--base':
        base = value('a git ref (a branch, tag or commit)');
        break;
      case '--base-dir':
        baseDir = value('a folder holding cdk.out/ and cdktf.out/');
        break;
      case '--head-dir':
        headDir = value('a folder holding cdk.out/ and cdktf.out/');
        break;
      case '--between': {
        const from = value('two environment names');
        const to = from === undefined || argv[i + 1]?.startsWith('--') ? undefined : argv[++i];
        if (from !== undefined && to === undefined) problems.push('--between needs two environment names');
        if (from !== undefined && to !== undefined) between = [from, to];
        break;
      }
      case '--env': {
        const v = value('an environment name');
        if (v) environments.push(...v.split(',').filter(Boolean));
        break;
      }
      case '--cloud': {
        const v = value('aws or azure');
        if (v === 'aws' || v === 'azure') clouds = [v];
        else if (v !== undefined) problems.push(`--cloud: ${JSON.stringify(v)} - use aws or azure`);
        break;
      }
      case '--format': {
        const v = value('text, markdown or json');
        if (v === 'text' || v === 'markdown' || v === 'json') format = v;
        else if (v !== undefined) problems.push(`--format: ${JSON.stringify(v)} - use text, markdown or json`);
        break;
      }
      case '--out':
        out = value('a file');
        break;
      case '--repository': {
        const v = value('OWNER/NAME');
        if (v !== undefined && !/^[\w.-]+\/[\w.-]+$/.test(v)) {
          problems.push(`--repository: ${JSON.stringify(v)} - use OWNER/NAME`);
        } else repository = v;
        break;
      }
      default:
        problems.push(`${JSON.stringify(arg)} is not an option`);
    }
  }
  const sources = [base !== undefined && '--base', baseDir !== undefined && '--base-dir', between && '--between'];
  const given = sources.filter((s): s is string => !!s);
  if (given.length > 1) problems.push(`${given.join(' and ')} each name the base: use one`);
  if (between && headDir !== undefined)
    problems.push('--between compares two environments of the working tree: drop --head-dir');
  if (between && between[0] === between[1]) problems.push(`--between: ${between[0]} twice - name two environments`);
  if (problems.length > 0) throw new UsageError(`${problems.join('; ')}\n  ${REVIEW_USAGE}`);
  return {
    environments,
    clouds,
    format,
    ...(base !== undefined && { base }),
    ...(baseDir !== undefined && { baseDir }),
    ...(headDir !== undefined && { headDir }),
    ...(between && { between }),
    ...(out !== undefined && { out }),
    ...(repository !== undefined && { repository }),
  };
}

/** A failure the review reports without a stack trace: which side, and why. */
export class ReviewError extends Error {
  /** @param message what failed and what to do */
  constructor(message: string) {
    super(message);
    this.name = 'ReviewError';
  }
}

/** What a review run produced. */
export interface ReviewResult {
  /** The review. */
  readonly review: Review;
  /** The exit code: 0, or 2 for an unacknowledged risk. */
  readonly exitCode: number;
  /** The rendered text: one string, or (markdown) one per comment. */
  readonly output: readonly string[];
  /**
   * What the change breaks for application teams (docs/versioning.md): stateful IDs that disappear, exports and
   * props removed, tier defaults changed. Only for a review of a base ref against the working tree, where both
   * sides' sources are at hand; undefined for `--between`, `--base-dir` and `--head-dir`.
   */
  readonly breaking?: readonly BreakingChange[];
  /**
   * Both sides' stacks as read (`npm run report --base` draws what the change destroys from the base); undefined for
   * `--between`, where both environments come from one side.
   */
  readonly sides?: { readonly base: readonly SynthesizedStack[]; readonly head: readonly SynthesizedStack[] };
}

/** Options of {@link runReview} that tests and tools set. */
export interface RunReviewOptions {
  /** The repository root. @default the current directory */
  readonly root?: string;
  /** Colour the text output. @default false */
  readonly colour?: boolean;
  /** Where the temporary folders (the base worktree, the head's output) go. @default os.tmpdir() */
  readonly tempDir?: string;
}

/**
 * Runs a review: synthesizes the base (a git worktree of REF that reuses node_modules, removed afterwards) and the
 * working tree in parallel processes, validation off, and compares them. Temporary folders and the worktree are
 * removed however it ends.
 */
export async function runReview(args: ReviewArgs, options: RunReviewOptions = {}): Promise<ReviewResult> {
  const root = path.resolve(options.root ?? '.');
  const temp = fs.mkdtempSync(path.join(options.tempDir ?? os.tmpdir(), 'platform-review-'));
  const worktree = path.join(temp, 'base');
  let worktreeAdded = false;
  // Synthesis processes still running when the review ends (an error, a signal) are stopped before their folders go.
  const children = new Set<ChildProcess>();
  const cleanup = (): void => {
    // Only children a failure left running: the others have ended. SIGKILL, since nothing of theirs is kept.
    for (const child of children) child.kill('SIGKILL');
    children.clear();
    if (worktreeAdded) {
      git(root, ['worktree', 'remove', '--force', worktree], { allowFailure: true });
      worktreeAdded = false;
    }
    fs.rmSync(temp, { recursive: true, force: true });
    if (fs.existsSync(path.join(root, '.git'))) git(root, ['worktree', 'prune'], { allowFailure: true });
  };
  // On a signal the synthesis processes are asked to stop first (they remove their own workers and folders), then
  // whatever is left goes, and the signal ends this process as it would have.
  const onSignal = (signal: NodeJS.Signals): void => {
    const running = [...children];
    for (const child of running) child.kill('SIGTERM');
    const deadline = Date.now() + 5000;
    const finish = (): void => {
      if (running.some((c) => c.exitCode === null && c.signalCode === null) && Date.now() < deadline) {
        setTimeout(finish, 50);
        return;
      }
      cleanup();
      process.kill(process.pid, signal);
    };
    finish();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    let review: Review;
    let breaking: BreakingChange[] | undefined;
    let sides: ReviewResult['sides'];
    if (args.between) {
      review = await reviewEnvironments(root, temp, args, children);
    } else {
      // The base ref is resolved before anything starts, so a wrong ref fails at once with nothing running.
      const baseRef = args.baseDir ? undefined : resolveBase(root, args.base);
      const headSide = args.headDir
        ? Promise.resolve().then(() => readSide(args.headDir!, args.clouds, 'head', { label: args.headDir! }))
        : synthesizeHead(root, path.join(temp, 'head'), args.clouds, children);
      let baseSide: Promise<ReviewInputSide>;
      if (baseRef === undefined) {
        baseSide = Promise.resolve().then(() => readSide(args.baseDir!, args.clouds, 'base', { label: args.baseDir! }));
      } else {
        git(root, ['worktree', 'add', '--detach', '--quiet', worktree, baseRef.commit]);
        worktreeAdded = true;
        baseSide = synthesizeBase(
          root,
          worktree,
          args.clouds,
          { label: baseRef.ref, commit: baseRef.commit },
          children,
        );
      }
      const [base, head] = await settleBoth(baseSide, headSide);
      sides = { base: base.stacks, head: head.stacks };
      review = reviewChanges(base, head, {
        clouds: args.clouds,
        ...(args.environments.length > 0 && { environments: args.environments }),
      });
      checkEnvironmentsExist(args.environments, [...base.stacks, ...head.stacks]);
      // What breaks for teams needs both sides' sources: the base's worktree and the working tree.
      if (baseRef !== undefined && args.headDir === undefined) breaking = breakingChanges(review, worktree, root);
    }
    const version = packageVersion(root);
    let output: string[];
    if (args.format === 'json') {
      output = [renderJson(review, breaking && { breaking })];
    } else if (args.format === 'markdown') {
      output = renderMarkdown(review, {
        repository: args.repository ?? repositoryOf(root),
        ...(sides && { graphs: reviewGraphs(review, sides) }),
      });
      if (breaking) output[output.length - 1] += `\n${renderBreaking(breaking, { format: 'markdown', version })}`;
    } else {
      output = [renderText(review, { colour: options.colour ?? false })];
      if (breaking) output[0] += `\n${renderBreaking(breaking, { version })}`;
    }
    return { review, exitCode: exitCodeOf(review), output, ...(breaking && { breaking }), ...(sides && { sides }) };
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    cleanup();
  }
}

/** Each reviewed environment's resource graphs on both sides, for the comment's Mermaid diagrams. */
function reviewGraphs(review: Review, sides: NonNullable<ReviewResult['sides']>): Map<string, ReviewGraphs> {
  const graphs = new Map<string, ReviewGraphs>();
  for (const env of review.environments) {
    if (env.changes.length === 0) continue;
    graphs.set(`${env.environment}/${env.cloud}`, {
      head: resourceGraph(sides.head, env.environment, env.cloud),
      base: resourceGraph(sides.base, env.environment, env.cloud),
    });
  }
  return graphs;
}

/**
 * What a change from the base worktree to the working tree breaks for application teams: the review's stateful IDs,
 * the entry points' exports and props, and the spec's tier defaults (each side's own sources).
 */
function breakingChanges(review: Review, baseRoot: string, headRoot: string): BreakingChange[] {
  const base = loadSpecDefaults(baseRoot);
  const head = loadSpecDefaults(headRoot);
  return classifyBreaking({
    review,
    api: { base: apiSnapshot(baseRoot), head: apiSnapshot(headRoot) },
    ...(base && head && { defaults: { base, head } }),
  });
}

/** The package's version, for the release advice of the breaking section. */
function packageVersion(root: string): string | undefined {
  try {
    const version = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version?: unknown })
      .version;
    return typeof version === 'string' ? version : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the output: to stdout, or to `--out` (markdown parts beyond the first to FILE-2.md ...). */
export function writeReviewOutput(result: ReviewResult, out: string | undefined, write: (text: string) => void): void {
  if (out === undefined) {
    write(result.output.join('\n'));
    return;
  }
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  result.output.forEach((text, i) => {
    const file = i === 0 ? out : partFile(out, i + 1);
    const temp = `${file}.tmp-${process.pid}`;
    fs.writeFileSync(temp, text);
    fs.renameSync(temp, file);
  });
  // Parts left from an earlier, longer review would be posted again.
  for (let i = result.output.length + 1; fs.existsSync(partFile(out, i)); i++) fs.rmSync(partFile(out, i));
}

/** `review.md`, part 2: `review-2.md`. */
export function partFile(file: string, part: number): string {
  const ext = path.extname(file);
  return `${file.slice(0, file.length - ext.length)}-${part}${ext}`;
}

async function settleBoth<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [ra, rb] = await Promise.allSettled([a, b]);
  const failures = [ra, rb].filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failures.length > 0) {
    throw new ReviewError(
      failures.map((f) => (f.reason instanceof Error ? f.reason.message : String(f.reason))).join('\n\n'),
    );
  }
  return [(ra as PromiseFulfilledResult<A>).value, (rb as PromiseFulfilledResult<B>).value];
}

function checkEnvironmentsExist(names: readonly string[], stacks: readonly SynthesizedStack[]): void {
  const known = [...new Set(stacks.map((s) => s.environment))];
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) {
    throw new UsageError(
      `--env: ${unknown.map((n) => JSON.stringify(n)).join(', ')} - not an environment on either side; use one of ${known.join(', ')}`,
    );
  }
}

/** The base ref and its commit: `--base REF`, or the merge base of HEAD with main (or origin/main). */
function resolveBase(root: string, ref: string | undefined): { ref: string; commit: string } {
  if (!fs.existsSync(path.join(root, '.git'))) {
    throw new ReviewError(`${root} is not a git checkout: pass --base-dir with an already synthesized base instead`);
  }
  if (ref !== undefined) {
    const commit = git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { allowFailure: true });
    if (!commit) {
      throw new ReviewError(
        `--base: ${JSON.stringify(ref)} is not a commit, branch or tag here; fetch it first (git fetch origin ${ref}) or name another`,
      );
    }
    return { ref, commit };
  }
  for (const candidate of ['main', 'origin/main']) {
    const commit = git(root, ['merge-base', 'HEAD', candidate], { allowFailure: true });
    if (commit) return { ref: `merge base with ${candidate}`, commit };
  }
  throw new ReviewError('No base given and no main or origin/main to take the merge base with: pass --base REF');
}

async function synthesizeHead(
  root: string,
  out: string,
  clouds: readonly ReviewCloud[],
  children: Set<ChildProcess>,
): Promise<ReviewInputSide> {
  await runSynth(root, ['--out', out, ...cloudArgs(clouds)], 'head (the working tree)', children);
  // Untracked files count (a new environment file is a change), the node_modules link of a worktree does not.
  const dirty = git(root, ['status', '--porcelain', '--untracked-files=normal', '--', '.', ':!node_modules'], {
    allowFailure: true,
  });
  const commit = git(root, ['rev-parse', 'HEAD'], { allowFailure: true });
  const side =
    dirty || !commit
      ? { label: dirty ? 'working tree (uncommitted changes)' : 'working tree' }
      : { label: branchOf(root) ?? commit, commit };
  return readSide(out, clouds, 'head', side);
}

async function synthesizeBase(
  root: string,
  worktree: string,
  clouds: readonly ReviewCloud[],
  side: { label: string; commit: string },
  children: Set<ChildProcess>,
): Promise<ReviewInputSide> {
  const what = `base ${side.label} (${side.commit.slice(0, 7)})`;
  const has = (file: string): boolean => fs.existsSync(path.join(worktree, file));
  // The base reuses the working tree's dependencies: installing its own would take a minute.
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(worktree, 'node_modules'), 'dir');
  if (has('bin/platform.ts') && has('bin/register.js')) {
    await runSynth(worktree, ['--no-validation', ...cloudArgs(clouds)], what, children);
  } else if (hasSynthScript(worktree)) {
    // An older checkout: its own `npm run synth` knows how to run it.
    await runProcess(
      'npm',
      ['run', '--silent', 'synth', '--', '--no-validation', ...cloudArgs(clouds)],
      worktree,
      what,
      children,
    );
  } else {
    throw new ReviewError(
      `${what} has neither bin/platform.ts nor an npm synth script, so it cannot be synthesized here: synthesize it yourself and pass --base-dir, or review against a later base`,
    );
  }
  return readSide(worktree, clouds, 'base', side);
}

function cloudArgs(clouds: readonly ReviewCloud[]): string[] {
  return clouds.length === 1 ? ['--cloud', clouds[0]!] : [];
}

/** Runs `bin/platform.ts` (validation off) in a checkout, in its own process; fails with what it printed. */
function runSynth(cwd: string, extra: readonly string[], what: string, children: Set<ChildProcess>): Promise<void> {
  const args = [
    '-r',
    './bin/register.js',
    'bin/platform.ts',
    ...(extra.includes('--no-validation') ? [] : ['--no-validation']),
    ...extra,
  ];
  return runProcess(process.execPath, args, cwd, what, children);
}

function hasSynthScript(dir: string): boolean {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
      scripts?: { synth?: unknown };
    };
    return typeof pkg.scripts?.synth === 'string';
  } catch {
    return false;
  }
}

/**
 * Runs one synthesis process; fails with what it printed, without the stack frames of a crash (the message
 * and the file it names are what a reader needs).
 */
function runProcess(
  command: string,
  args: readonly string[],
  cwd: string,
  what: string,
  children: Set<ChildProcess>,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      // Base and head synthesize at once: each gets half the cores for its workers.
      env: {
        ...process.env,
        CHECKPOINT_DISABLE: '1',
        PLATFORM_DEBUG: '',
        PLATFORM_SYNTH_JOBS: String(Math.max(1, Math.floor(os.availableParallelism() / 2))),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.add(child);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', (error) => reject(new ReviewError(`${what} could not be synthesized: ${error.message}`)));
    child.on('close', (code, signal) => {
      children.delete(child);
      if (code === 0) resolve();
      else {
        const printed = stderr
          .split('\n')
          .filter((line) => !/^\s+at /.test(line))
          .join('\n')
          .trim();
        const reason = printed || (signal ? `killed by ${signal}` : `exit code ${String(code)}`);
        const hint = /Cannot find module '[^./]/.test(printed)
          ? "\n(The base is synthesized with the working tree's node_modules, and it needs a package the working tree no longer has: check it out elsewhere, run npm ci and npm run synth there, and pass its folder with --base-dir.)"
          : '';
        reject(new ReviewError(`${what} does not synthesize:\n${indent(reason)}${hint}`));
      }
    });
  });
}

function readSide(
  dir: string,
  clouds: readonly ReviewCloud[],
  which: 'base' | 'head',
  side: { label: string; commit?: string },
): ReviewInputSide {
  const stacks: SynthesizedStack[] = [];
  const problems: string[] = [];
  for (const cloud of clouds) {
    const folder = path.join(dir, cloud === 'aws' ? 'cdk.out' : 'cdktf.out');
    try {
      stacks.push(...(cloud === 'aws' ? readCdkOut(folder) : readCdktfOut(folder)));
    } catch (error) {
      problems.push(`${folder}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (problems.length > 0) {
    throw new ReviewError(
      `The ${which} (${side.label}) cannot be read:\n${problems.map((p) => indent(p)).join('\n')}${clouds.length > 1 ? '\n  (review one cloud with --cloud aws or --cloud azure)' : ''}`,
    );
  }
  return { ...side, stacks };
}

/** `--between A B`: synthesizes the working tree once and compares two of its environments. */
async function reviewEnvironments(
  root: string,
  temp: string,
  args: ReviewArgs,
  children: Set<ChildProcess>,
): Promise<Review> {
  const [from, to] = args.between!;
  const { loadEnvironments } = await import('../../stacks/environments');
  const all = loadEnvironments();
  const tokensOf = (name: string): EnvironmentTokens => {
    const env = all.find((e) => e.name === name);
    if (!env)
      throw new UsageError(
        `--between: ${JSON.stringify(name)} - not an environment; use one of ${all.map((e) => e.name).join(', ')}`,
      );
    return environmentTokens(env);
  };
  const tokens = [tokensOf(from), tokensOf(to)] as const;
  const out = path.join(temp, 'head');
  await runSynth(
    root,
    ['--out', out, '--env', `${from},${to}`, ...cloudArgs(args.clouds)],
    'the working tree',
    children,
  );
  const side = readSide(out, args.clouds, 'head', { label: 'working tree' });
  return reviewBetween(side.stacks, tokens[0], tokens[1], args.clouds);
}

/** The repository for the comment marker: GITHUB_REPOSITORY, else the origin remote, else the folder name. */
export function repositoryOf(root: string): string {
  if (process.env.GITHUB_REPOSITORY) return process.env.GITHUB_REPOSITORY;
  const url = git(root, ['remote', 'get-url', 'origin'], { allowFailure: true });
  const match = url ? /[:/]([\w.-]+\/[\w.-]+?)(?:\.git)?$/.exec(url) : null;
  return match?.[1] ?? `local/${path.basename(root)}`;
}

function branchOf(root: string): string | undefined {
  const branch = git(root, ['symbolic-ref', '--short', '--quiet', 'HEAD'], { allowFailure: true });
  return branch || undefined;
}

/** Runs git; returns its trimmed output, or '' when it fails and failure is allowed. */
function git(cwd: string, args: readonly string[], options: { allowFailure?: boolean } = {}): string {
  const run = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (run.status !== 0) {
    if (options.allowFailure) return '';
    throw new ReviewError(`git ${args.join(' ')} failed: ${(run.stderr || run.error?.message || '').trim()}`);
  }
  return run.stdout.trim();
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
