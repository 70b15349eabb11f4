import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { environmentTokens } from '../../lib/review/between';
import { readCdkOut, readCdktfOut, type SynthesizedStack } from '../../lib/review/outputs';
import { buildReport, DELIVERY_ENVIRONMENT, type ReportInput } from '../../lib/report/report';
import type { Finding } from '../../lib/report/model';
import { renderSite } from '../../lib/report/site';
import { assertCurrent, type CheckRow } from './check';
import { shownPath, UsageError } from './command';
import { recoverOutputs } from './output-swap';
import { runReview } from './review';
import { SOURCES_FILE } from './sources';
import type { Cloud } from './synth';

/** Usage text of `npm run report`. */
export const REPORT_USAGE =
  'npm run report -- [--env NAME[,NAME...]] [--cloud aws|azure] [--base REF | --base-dir DIR] [--out DIR] [--no-check]';

/** What `npm run report` was asked for. */
export interface ReportArgs {
  /** Only these environments; empty means all (and the delivery pipeline). */
  readonly environments: readonly string[];
  /** Only these clouds. */
  readonly clouds: readonly Cloud[];
  /** Review the output against this git ref (synthesized in a worktree). @default no review */
  readonly base?: string;
  /** Review the output against this already synthesized folder (holding cdk.out/ and cdktf.out/). @default no review */
  readonly baseDir?: string;
  /** Where the site goes. @default 'report' */
  readonly out: string;
  /** Run the guardrails for the findings section. @default true */
  readonly check: boolean;
}

/**
 * Parses the arguments of `npm run report`; every problem is reported at once.
 *
 * @throws UsageError naming each unknown option, missing value, unknown cloud, and `--base` given with `--base-dir`
 */
export function parseReportArgs(argv: readonly string[]): ReportArgs {
  const environments: string[] = [];
  let cloud: Cloud | undefined;
  let base: string | undefined;
  let baseDir: string | undefined;
  let out = 'report';
  let check = true;
  const problems: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    const value = (): string | undefined => inline ?? (argv[i + 1]?.startsWith('--') ? undefined : argv[++i]);
    if (flag === '--env') {
      const v = value();
      if (!v) problems.push('--env needs an environment name');
      else environments.push(...v.split(',').filter(Boolean));
    } else if (flag === '--cloud') {
      const v = value();
      if (v === 'aws' || v === 'azure') cloud = v;
      else problems.push(`--cloud: ${JSON.stringify(v ?? '')} - one of aws, azure`);
    } else if (flag === '--base') {
      const v = value();
      if (!v) problems.push('--base needs a git ref');
      else base = v;
    } else if (flag === '--base-dir') {
      const v = value();
      if (!v) problems.push('--base-dir needs a folder');
      else if (!fs.statSync(v, { throwIfNoEntry: false })?.isDirectory())
        problems.push(`--base-dir: ${JSON.stringify(v)} is not a folder`);
      else baseDir = v;
    } else if (flag === '--out') {
      const v = value();
      if (!v) problems.push('--out needs a folder');
      else out = v;
    } else if (flag === '--no-check') {
      check = false;
    } else {
      problems.push(`${JSON.stringify(arg)} is not an option`);
    }
  }
  if (base !== undefined && baseDir !== undefined) problems.push('--base and --base-dir: give one of them');
  if (problems.length > 0) throw new UsageError(`${problems.join('; ')}\n  ${REPORT_USAGE}`);
  return {
    environments,
    clouds: cloud ? [cloud] : ['aws', 'azure'],
    ...(base !== undefined && { base }),
    ...(baseDir !== undefined && { baseDir }),
    out,
    check,
  };
}

/** Options of {@link runReport} that tests and tools set. */
export interface RunReportOptions {
  /** The repository root: the sources the output must match. @default the current directory */
  readonly root?: string;
  /** The folder holding cdk.out/ and cdktf.out/. @default the root */
  readonly outputs?: string;
  /** Where progress goes. @default stderr */
  readonly log?: (line: string) => void;
}

/** What {@link runReport} wrote. */
export interface ReportResult {
  /** The folder written. */
  readonly out: string;
  /** The files in it. */
  readonly files: readonly string[];
  /** The pages' environments, in order. */
  readonly environments: readonly string[];
}

const FOLDERS = { aws: 'cdk.out', azure: 'cdktf.out' } as const;

/**
 * `npm run report`: draws the synthesized output (cdk.out/ and cdktf.out/ under the root, refused when stale) as a
 * static site: the guardrails run in a child process while the diagrams are laid out; with `--base` or
 * `--base-dir` the review colours the diagrams. The site is written into a folder beside `out` and then moved in,
 * so `out` is never half written.
 *
 * @throws UsageError when the output is missing or an environment is unknown
 * @throws StaleOutputError when the output does not match the sources
 */
export async function runReport(args: ReportArgs, options: RunReportOptions = {}): Promise<ReportResult> {
  const root = path.resolve(options.root ?? '.');
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const outputs = path.resolve(options.outputs ?? root);
  const folders = args.clouds.map((cloud) => path.join(outputs, FOLDERS[cloud]));
  for (const note of recoverOutputs(folders, log)) log(note);
  const missing = folders.filter((f) => !fs.existsSync(path.join(f, 'manifest.json')));
  if (missing.length > 0) {
    throw new UsageError(
      `${missing.map((f) => `${shownPath(f)}/ holds no synthesized output`).join('; ')}: run npm run synth first.\n  ${REPORT_USAGE}`,
    );
  }
  assertCurrent(
    folders.filter((f) => fs.existsSync(path.join(f, SOURCES_FILE))),
    root,
  );
  const { loadEnvironments } = await import('../../stacks/environments');
  const all = loadEnvironments();
  const known = [...all.map((e) => e.name), DELIVERY_ENVIRONMENT];
  const unknown = args.environments.filter((name) => !known.includes(name));
  const problems = [
    ...(unknown.length > 0
      ? [`--env: ${unknown.map((n) => JSON.stringify(n)).join(', ')} - not an environment; use ${known.join(', ')}`]
      : []),
    // The pipeline is on AWS alone: asked for by itself on Azure, the report would have no page.
    ...(args.environments.length > 0 &&
    args.environments.every((name) => name === DELIVERY_ENVIRONMENT) &&
    !args.clouds.includes('aws')
      ? [`--env ${DELIVERY_ENVIRONMENT} with --cloud azure: the delivery pipeline is on AWS only`]
      : []),
  ];
  if (problems.length > 0) throw new UsageError(`${problems.join('; ')}\n  ${REPORT_USAGE}`);
  const wanted = (name: string): boolean => args.environments.length === 0 || args.environments.includes(name);
  // The guardrails take longest: started first, in a process of their own, while this one lays out the diagrams.
  const findings = args.check ? guardrailFindings(root, outputs, args) : undefined;
  findings?.catch(() => undefined);
  try {
    const stacks: SynthesizedStack[] = [
      ...(args.clouds.includes('aws') ? readCdkOut(path.join(outputs, FOLDERS.aws)) : []),
      ...(args.clouds.includes('azure') ? readCdktfOut(path.join(outputs, FOLDERS.azure)) : []),
    ];
    let change: ReportInput['change'];
    if (args.base !== undefined || args.baseDir !== undefined) {
      const result = await runReview(
        {
          ...(args.base !== undefined && { base: args.base }),
          ...(args.baseDir !== undefined && { baseDir: args.baseDir }),
          headDir: outputs,
          environments: args.environments.filter((n) => n !== DELIVERY_ENVIRONMENT),
          clouds: args.clouds,
          format: 'json',
        },
        { root },
      );
      change = { review: result.review, baseStacks: result.sides?.base ?? [] };
    }
    const environments = all
      .filter((e) => wanted(e.name) || (args.environments.length > 0 && isPrevious(all, e.name, args.environments)))
      .map((e) => ({ name: e.name, tier: e.tier, tokens: environmentTokens(e) }));
    const report = await buildReport({
      stacks: stacks.filter((s) => wanted(s.environment) || environments.some((e) => e.name === s.environment)),
      environments,
      clouds: args.clouds,
      // The promise: buildReport awaits it after the diagrams and differences, while the guardrails run.
      ...(findings ? { findings } : {}),
      ...(change ? { change } : {}),
      head: 'the working tree',
    });
    const pages = { ...report, environments: report.environments.filter((e) => wanted(e.environment)) };
    const files = renderSite(pages);
    const out = path.resolve(root, args.out);
    writeAtomically(out, files);
    return { out, files: [...files.keys()], environments: pages.environments.map((e) => e.environment) };
  } finally {
    await findings?.catch(() => undefined);
  }
}

/** An environment drawn only as the previous of one asked for (its differences need it). */
function isPrevious(all: readonly { name: string }[], name: string, asked: readonly string[]): boolean {
  const index = all.findIndex((e) => e.name === name);
  return asked.some((a) => all.findIndex((e) => e.name === a) === index + 1);
}

/** Runs `checkReport` (without cfn-lint) in a child process and returns its rows. */
function guardrailFindings(root: string, outputs: string, args: ReportArgs): Promise<Finding[]> {
  return new Promise((resolve, reject) => {
    const request = JSON.stringify({
      clouds: args.clouds,
      ...(args.environments.length > 0 && { environments: args.environments }),
      cdkOut: path.join(outputs, FOLDERS.aws),
      cdktfOut: path.join(outputs, FOLDERS.azure),
      root,
    });
    const child = spawn(
      process.execPath,
      ['-r', path.join(root, 'bin/register.js'), path.join(__dirname, 'report-check.ts'), request],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`the guardrails could not run (exit ${code}):\n${stderr.trim()}`));
        return;
      }
      const rows = JSON.parse(stdout) as CheckRow[];
      resolve(rows.map((row) => ({ ...row })));
    });
  });
}

/** Writes the files into a new folder beside `out`, then swaps it in: `out` is never half written. */
export function writeAtomically(out: string, files: ReadonlyMap<string, string>): void {
  const parent = path.dirname(out);
  fs.mkdirSync(parent, { recursive: true });
  const fresh = fs.mkdtempSync(path.join(parent, `.${path.basename(out)}-new-`));
  fs.chmodSync(fresh, 0o755);
  try {
    for (const [name, content] of files) fs.writeFileSync(path.join(fresh, name), content);
    const old = fs.existsSync(out) ? `${fresh.replace(/-new-/, '-old-')}` : undefined;
    if (old) fs.renameSync(out, old);
    fs.renameSync(fresh, out);
    if (old) fs.rmSync(old, { recursive: true, force: true });
  } catch (error) {
    fs.rmSync(fresh, { recursive: true, force: true });
    throw error;
  }
}
