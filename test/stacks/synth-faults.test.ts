import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SWAP_JOURNAL } from '../../stacks/output-swap';
import { outputOf, writeFakeOutput, type OutputState } from '../util/output';
import { temporaryFolders } from '../util/temp';

// `npm run synth` (bin/platform.ts) in its own process, killed, stopped or failing at named steps
// (PLATFORM_TEST_KILL_AT, PLATFORM_TEST_PAUSE_AT and PLATFORM_TEST_FAIL_AT, read by stacks/output-swap.ts): the
// folder must then hold the previous output or the new one, whole, and nothing else once the next run started.
// Every run synthesizes dev on both clouds, validation off, into a folder of its own, several at a time.

const root = path.resolve(__dirname, '../..');
const tempDir = temporaryFolders('platform-faults-');

interface Run {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
}

interface Started {
  /** Settles when the process and every process holding its stderr (npm's shell) are gone. */
  readonly done: Promise<Run>;
  /** Resolves with the synthesis's pid once it says it paused. */
  readonly paused: Promise<number>;
  /** The pid of the process started: node, or npm. */
  readonly pid: number;
}

/** Starts a synthesis of dev into `dir`, by node directly or through `npm run synth`. */
function start(dir: string, env: Record<string, string> = {}, options: { npm?: boolean; uid?: number } = {}): Started {
  const args = ['--env', 'dev', '--no-validation', '--out', dir];
  const child = options.npm
    ? spawn('npm', ['run', '--silent', 'synth', '--', ...args], { cwd: root, env: { ...process.env, ...env } })
    : spawn(process.execPath, ['-r', './bin/register.js', 'bin/platform.ts', ...args], {
        cwd: root,
        env: { ...process.env, CHECKPOINT_DISABLE: '1', ...env },
        ...(options.uid !== undefined && { uid: options.uid, gid: options.uid }),
      });
  let stderr = '';
  let onPause: (pid: number) => void = () => undefined;
  const paused = new Promise<number>((resolve) => (onPause = resolve));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
    const pause = /PLATFORM_TEST paused at \S+ \(pid (\d+)\)/.exec(stderr);
    if (pause) onPause(Number(pause[1]));
  });
  child.stdout.resume();
  const exit = new Promise<{ status: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (status, signal) => resolve({ status, signal })),
  );
  const closed = new Promise<void>((resolve) => child.stderr.on('close', () => resolve()));
  return { done: Promise.all([exit, closed]).then(([e]) => ({ ...e, stderr })), paused, pid: child.pid! };
}

/** Runs what the next synthesis does first (recover a half-done swap, remove leftovers) and nothing else. */
function recover(dir: string): Promise<Run> {
  const code = `require('./stacks/output-swap').recoverOutputs(['cdk.out', 'cdktf.out'].map((f) => require('node:path').join(process.argv[1], f)), (m) => process.stderr.write(m + '\\n')).forEach((n) => process.stderr.write(n + '\\n'));`;
  const child = spawn(process.execPath, ['-r', './bin/register.js', '-e', code, dir], { cwd: root });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve) => child.on('close', (status, signal) => resolve({ status, signal, stderr })));
}

/** A folder holding a previous output (a small stand-in: it only has to differ from the new one). */
function withPreviousOutput(): { dir: string; before: OutputState } {
  const dir = tempDir();
  writeFakeOutput(dir, 'previous');
  return { dir, before: outputOf(dir) };
}

let fresh: OutputState;

beforeAll(async () => {
  // The new output: what an uninterrupted run writes.
  const dir = tempDir();
  const run = await start(dir).done;
  expect(run).toEqual({ status: 0, signal: null, stderr: '' });
  fresh = outputOf(dir);
  expect(fresh.entries).toEqual(['cdk.out', 'cdktf.out']);
});

test('a synthesis killed before, during and between the swaps leaves the previous or the new output, never a mix, and no leftovers', async () => {
  // During synthesis (between the clouds), before the swap, between the clouds' renames and after them
  // (test/stacks/output-swap.test.ts kills the swap at every one of its steps).
  const cases: [string, 'previous' | 'new'][] = [
    ['staged:aws', 'previous'],
    ['staged', 'previous'],
    ['installed:aws', 'new'],
    ['aside:azure', 'new'],
    ['committed', 'new'],
  ];
  const results = await Promise.all(
    cases.map(async ([step, expected]) => {
      const { dir, before } = withPreviousOutput();
      const run = await start(dir, { PLATFORM_TEST_KILL_AT: step }).done;
      const killed = outputOf(dir);
      const next = await recover(dir);
      return {
        step,
        signal: run.signal,
        leftovers: killed.entries.length > 2,
        after: outputOf(dir),
        before,
        expected,
        next,
      };
    }),
  );
  for (const r of results) {
    expect({ step: r.step, signal: r.signal, leftovers: r.leftovers }).toEqual({
      step: r.step,
      signal: 'SIGKILL',
      leftovers: true,
    });
    expect({ step: r.step, output: r.after }).toEqual({
      step: r.step,
      output: r.expected === 'new' ? fresh : r.before,
    });
    expect(r.next.stderr).toEqual(
      r.expected === 'new' && r.step !== 'committed'
        ? expect.stringMatching(
            /^Completed the replacement of \S+cdk\.out\/ and \S+cdktf\.out\/ that an earlier synthesis \(pid \d+\) was stopped in the middle of\.\n$/,
          )
        : '',
    );
  }
});

test('the next npm run synth completes a swap that a killed run left half done, then replaces it', async () => {
  const { dir } = withPreviousOutput();
  expect((await start(dir, { PLATFORM_TEST_KILL_AT: 'aside:azure' }).done).signal).toBe('SIGKILL');
  expect(outputOf(dir).entries).toContain(SWAP_JOURNAL);
  const next = await start(dir).done;
  expect(next.status).toBe(0);
  expect(next.stderr).toMatch(
    /^Completed the replacement of .* that an earlier synthesis \(pid \d+\) was stopped in the middle of\.\n$/,
  );
  expect(outputOf(dir)).toEqual(fresh);
});

test('a rename that fails is undone, and the message says the previous output is still there', async () => {
  const { dir, before } = withPreviousOutput();
  const run = await start(dir, { PLATFORM_TEST_FAIL_AT: 'installed:aws' }).done;
  expect(run.status).toBe(1);
  expect(run.stderr).toBe(
    `Output not replaced: replacing the output failed (EIO: i/o error (PLATFORM_TEST_FAIL_AT=installed:aws)); the renames done were undone, so nothing was replaced: ${dir}/cdk.out/ and ${dir}/cdktf.out/ hold the previous output.\n`,
  );
  expect(outputOf(dir)).toEqual(before);
});

describe('a signal stops the synthesis, removes what it wrote and keeps the previous output', () => {
  test.each(['SIGTERM', 'SIGINT'] as const)('%s to the synthesis, while it synthesizes', async (signal) => {
    const { dir, before } = withPreviousOutput();
    const run = start(dir, { PLATFORM_TEST_PAUSE_AT: 'staged:aws' });
    await run.paused;
    process.kill(run.pid, signal);
    const { status, signal: endedBy, stderr } = await run.done;
    // Ended by the signal itself, as a shell expects of a command it interrupted.
    expect({ status, endedBy }).toEqual({ status: null, endedBy: signal });
    expect(stderr).toMatch(
      new RegExp(
        `Synthesis stopped by ${signal}: nothing was replaced and nothing of this run is left; \\S+/cdk\\.out/ and \\S+/cdktf\\.out/ hold the previous output\\.\\n$`,
      ),
    );
    expect(outputOf(dir)).toEqual(before);
  });

  test('SIGINT in the middle of the synchronous synthesis is acted on before the swap', async () => {
    const { dir, before } = withPreviousOutput();
    const run = start(dir);
    // The staging folder appears as aws-cdk-lib starts writing; the synthesis runs on for about a second.
    while (!fs.readdirSync(dir).some((f) => f.startsWith('cdk.out.tmp-'))) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    process.kill(run.pid, 'SIGINT');
    expect((await run.done).signal).toBe('SIGINT');
    expect(outputOf(dir)).toEqual(before);
  });

  // npm runs the command through `sh -c`. On SIGTERM npm ends itself and the shell but not the command; on SIGKILL
  // the shell stays. The synthesis notices that the process that started it is gone and stops before the swap.
  // (A SIGINT npm passes to the shell alone, which waits for the command: only a script that starts with `exec`,
  // so that npm's child is node itself, lets a SIGINT to npm stop the synthesis.)
  test.each(['SIGINT', 'SIGTERM', 'SIGKILL'] as const)('%s to npm alone', async (signal) => {
    const { dir, before } = withPreviousOutput();
    const run = start(dir, { PLATFORM_TEST_PAUSE_AT: 'staged' }, { npm: true });
    await run.paused;
    process.kill(run.pid, signal);
    const { stderr } = await run.done;
    expect(stderr).toMatch(
      /Synthesis stopped (?:because the process that started it \(pid \d+\) exited|by SIG[A-Z]+): nothing was replaced and nothing of this run is left; \S+ and \S+ hold the previous output\.\n$/,
    );
    expect(outputOf(dir)).toEqual(before);
  });
});

// As root, chmod does not stop writes: the synthesis then runs as an unprivileged user (nobody), for whom it does.
test('a read-only output folder is refused before anything is synthesized, and the message says what is kept', async () => {
  const { dir, before } = withPreviousOutput();
  const asRoot = process.getuid?.() === 0;
  const nobody = 65534;
  if (asRoot) {
    for (const f of [
      dir,
      ...fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((f) => path.join(dir, f)),
    ]) {
      fs.chownSync(f, nobody, nobody);
    }
  }
  fs.chmodSync(path.join(dir, 'cdk.out'), 0o555);
  try {
    // Its own home and temporary folder: swc unpacks its native binding under one of them.
    const home = tempDir();
    if (asRoot) fs.chownSync(home, nobody, nobody);
    const run = await start(dir, { HOME: home, TMPDIR: home }, asRoot ? { uid: nobody } : {}).done;
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      `Output not replaced: ${dir}/cdk.out/ is read-only: npm run synth replaces ${dir}/cdk.out/ and ${dir}/cdktf.out/ as a whole and removes the previous output. Make it writable (chmod -R u+w) or write elsewhere with --out DIR. Nothing was written: ${dir}/cdk.out/ and ${dir}/cdktf.out/ hold the previous output.\n`,
    );
  } finally {
    fs.chmodSync(path.join(dir, 'cdk.out'), 0o755);
  }
  expect(outputOf(dir)).toEqual(before);
});
