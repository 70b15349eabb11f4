import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SynthRow } from '../../bin/cli/synth';

/**
 * The example environments (dev, staging, prod) synthesized once per test run on both clouds, for the test files
 * that only read that output: each used to synthesize them itself, 3 to 6 s a file. The first file that asks starts
 * one child process (test/util/synthesize-shared.ts) that writes into the run's temporary folder; every file,
 * in any worker, then waits for the same output. Read-only: a test that edits it works on a copy, and a test that
 * needs a variant of the environments still synthesizes that variant itself.
 */
export interface SharedSynthesis {
  /** The folder holding cdk.out/ and cdktf.out/ (and nothing else), as `npm run synth` writes them. */
  readonly folder: string;
  /** The AWS cloud assembly of every environment. */
  readonly cdkOut: string;
  /** The Terraform output of every environment. */
  readonly cdktfOut: string;
  /** What `synthesize()` returned: every stack of every environment on both clouds. */
  readonly rows: readonly SynthRow[];
}

/**
 * `plain`: with the CloudFormation schema validation off, as unit tests synthesize; `validated`: with it on, as
 * `npm run synth` runs it (a few seconds later: it is synthesized second).
 */
export type SharedKind = 'plain' | 'validated';

/** The status file of one kind: the rows, or the error that synthesis threw. @internal */
export type SharedStatus = { readonly rows: SynthRow[] } | { readonly error: string };

const repositoryRoot = path.resolve(__dirname, '..', '..');
const POLL_MS = 50;

/** The folder of the run's shared output (in the run's TMPDIR, removed by test/util/global-teardown.js). */
export function sharedSynthesisFolder(): string {
  const runDir = process.env.PLATFORM_JEST_TMPDIR;
  if (!runDir) throw new Error('PLATFORM_JEST_TMPDIR is not set: run the tests through jest.config.js');
  return path.join(runDir, 'shared-synthesis');
}

/** Starts the synthesis unless a test file of this run already has; returns the process id of the one that runs. */
function start(root: string): number {
  try {
    fs.mkdirSync(root);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // Another file started it: its process id follows as soon as the spawn returns.
    return readPid(root);
  }
  const log = fs.openSync(path.join(root, 'log'), 'w');
  // Detached: in a process group of its own, which test/util/global-teardown.js ends if the run ends first, and not
  // ended with the worker that happened to start it.
  const child = spawn(
    process.execPath,
    ['-r', path.join(repositoryRoot, 'bin/register.js'), path.join(__dirname, 'synthesize-shared.ts'), root],
    { cwd: repositoryRoot, detached: true, stdio: ['ignore', log, log] },
  );
  child.unref();
  fs.closeSync(log);
  fs.writeFileSync(path.join(root, 'pid.tmp'), String(child.pid));
  fs.renameSync(path.join(root, 'pid.tmp'), path.join(root, 'pid'));
  return child.pid!;
}

/** The process id of the shared synthesis, or 0 while the file that starts it has not written it yet. */
function readPid(root: string): number {
  try {
    return Number(fs.readFileSync(path.join(root, 'pid'), 'utf8')) || 0;
  } catch {
    return 0;
  }
}

function alive(pid: number): boolean {
  if (pid === 0) return true; // not written yet
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The shared output of the example environments; throws what synthesis threw, as synthesizing here would. */
export async function sharedSynthesis(kind: SharedKind): Promise<SharedSynthesis> {
  const root = sharedSynthesisFolder();
  let pid = start(root);
  const statusFile = path.join(root, `${kind}.json`);
  while (!fs.existsSync(statusFile)) {
    if (pid === 0) pid = readPid(root);
    // The status is written before the process ends: read once more before calling the process dead.
    if (!alive(pid) && !fs.existsSync(statusFile)) {
      const log = fs.readFileSync(path.join(root, 'log'), 'utf8');
      throw new Error(`the shared synthesis (test/util/synthesize-shared.ts) ended without a result:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  const status = JSON.parse(fs.readFileSync(statusFile, 'utf8')) as SharedStatus;
  if ('error' in status) throw new Error(`synthesis of the example environments (${kind}) failed:\n${status.error}`);
  const folder = path.join(root, kind);
  return { folder, cdkOut: path.join(folder, 'cdk.out'), cdktfOut: path.join(folder, 'cdktf.out'), rows: status.rows };
}
