#!/usr/bin/env node
// `npm run workflows`: writes the GitHub Actions workflows generated from the environment list and the delivery
// (stacks/environments) to .github/workflows; `--check` only compares, and exits 1 naming every stale file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GENERATED_MARKER, renderWorkflows } from '../../stacks/delivery/workflows';
import { runCli, shownPath, UsageError } from './command';
import { importEnvironments } from './load-environments';

/** Usage text of `npm run workflows`. */
export const WORKFLOWS_USAGE = 'npm run workflows -- [--check] [--out DIR]   (DIR: .github/workflows by default)';

/** The options of `npm run workflows`. */
export interface WorkflowsArgs {
  /** Compare the files with what the generator writes, and write nothing. */
  readonly check: boolean;
  /** The folder of the workflow files (absolute). */
  readonly out: string;
}

/**
 * Reads the arguments of `npm run workflows`.
 *
 * @param argv the arguments after the script's name.
 * @param cwd the folder a relative `--out` and the default `.github/workflows` are under.
 * @throws UsageError naming every argument that is not an option, or `--out` without a folder.
 */
export function parseWorkflowsArgs(argv: readonly string[], cwd: string = process.cwd()): WorkflowsArgs {
  let check = false;
  let out: string | undefined;
  const problems: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--check') check = true;
    else if (arg === '--out') {
      const value = argv[++i];
      if (value === undefined || value.startsWith('--')) problems.push('--out: needs a folder');
      else out = value;
    } else problems.push(`${JSON.stringify(arg)} is not an option`);
  }
  if (problems.length > 0) throw new UsageError(`${problems.join('; ')}\n  ${WORKFLOWS_USAGE}`);
  return { check, out: path.resolve(cwd, out ?? path.join('.github', 'workflows')) };
}

/** A workflow file whose text is not what the generator writes. */
export interface StaleWorkflow {
  /** The file's name in the folder. */
  readonly file: string;
  /** `missing`: not written yet; `differs`: another text; `obsolete`: generated once, no longer generated. */
  readonly problem: 'missing' | 'differs' | 'obsolete';
}

/** The generated files a folder holds: those whose first line is the generator's marker. */
function generatedFilesIn(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .filter((f) => fs.readFileSync(path.join(dir, f), 'utf8').startsWith(GENERATED_MARKER))
    .sort();
}

/**
 * Compares a folder with the rendered workflows: every rendered file must be there with exactly that text, and no
 * other file in it may carry the generator's marker (a workflow generated for an environment or cloud since removed).
 * Hand-written workflows next to them are left alone.
 *
 * @param files the rendered workflows by file name (`renderWorkflows`).
 * @param dir the folder of the workflow files.
 */
export function staleWorkflows(files: Readonly<Record<string, string>>, dir: string): StaleWorkflow[] {
  const stale: StaleWorkflow[] = [];
  for (const [file, text] of Object.entries(files)) {
    const target = path.join(dir, file);
    if (!fs.existsSync(target)) stale.push({ file, problem: 'missing' });
    else if (fs.readFileSync(target, 'utf8') !== text) stale.push({ file, problem: 'differs' });
  }
  for (const file of generatedFilesIn(dir)) {
    if (!(file in files)) stale.push({ file, problem: 'obsolete' });
  }
  return stale;
}

/**
 * Brings a folder up to date with the rendered workflows: writes the stale files (each through a temporary file
 * renamed into place, so a reader never sees half a workflow) and removes the obsolete generated ones.
 *
 * @returns what was stale, now written or removed.
 */
export function writeWorkflows(files: Readonly<Record<string, string>>, dir: string): StaleWorkflow[] {
  const stale = staleWorkflows(files, dir);
  fs.mkdirSync(dir, { recursive: true });
  for (const { file, problem } of stale) {
    const target = path.join(dir, file);
    if (problem === 'obsolete') {
      fs.rmSync(target);
      continue;
    }
    const temp = `${target}.${process.pid}.tmp`;
    fs.writeFileSync(temp, files[file]!);
    fs.renameSync(temp, target);
  }
  return stale;
}

/** One line per file, `  .github/workflows/x.yml (differs)`. */
function listed(stale: readonly StaleWorkflow[], dir: string): string {
  return stale.map((s) => `  ${shownPath(path.join(dir, s.file))} (${s.problem})`).join('\n');
}

/**
 * `npm run workflows [--check] [--out DIR]`. The environments and the delivery are validated first: a SpecError is
 * printed like every other command's and nothing is written.
 */
export async function main(argv: readonly string[]): Promise<void> {
  const args = parseWorkflowsArgs(argv);
  const files = renderWorkflows((await importEnvironments()).loadDelivery());
  if (args.check) {
    const stale = staleWorkflows(files, args.out);
    if (stale.length > 0) {
      process.stderr.write(`Stale workflows: run npm run workflows\n${listed(stale, args.out)}\n`);
      process.exitCode = 1;
    } else process.stdout.write(`workflows are up to date (${shownPath(args.out)})\n`);
    return;
  }
  const changed = writeWorkflows(files, args.out);
  process.stdout.write(
    changed.length > 0
      ? `updated:\n${listed(changed, args.out)}\n`
      : `workflows are up to date (${shownPath(args.out)})\n`,
  );
}

if (require.main === module) runCli(() => main(process.argv.slice(2)));
