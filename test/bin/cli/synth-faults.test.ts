import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SWAP_JOURNAL } from '../../../bin/cli/output-swap';
import { outputOf, writeFakeOutput, type OutputState } from '../../util/output';
import { temporaryFolders } from '../../util/temp';

// `npm run synth` (bin/platform.ts) in its own process, killed, stopped or failing at named steps
// (PLATFORM_TEST_KILL_AT, PLATFORM_TEST_PAUSE_AT and PLATFORM_TEST_FAIL_AT, read by bin/cli/output-swap.ts): the
// folder must then hold the previous output or the new one, whole, and nothing else once the next run started.
// Every run synthesizes dev on both clouds, validation off, into a folder of its own, several at a time, in worker
// processes (one per core), with a cache of this file's own: the first run fills it, and the runs after it take
// dev from it unless they say --force.

const root = path.resolve(__dirname, '../../..');
const tempDir = temporaryFolders('platform-faults-');
const cache = path.join(tempDir(), 'cache');

interface Run {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
  readonly stdout: string;
}

interface Started {
  /** Settles when the process and every process holding its stderr (npm's shell) are gone. */
  readonly done: Promise<Run>;
  /** Resolves with the pid of the process that says it paused: the synthesis, or one of its workers. */
  readonly paused: Promise<number>;
  /** The pid of the process started: node, or npm. */
  readonly pid: number;
  /** What it printed on stderr so far. */
  readonly stderr: () => string;
}

interface StartOptions {
  /** Through `npm run synth`. */
  readonly npm?: boolean;
  /** As this user. */
  readonly uid?: number;
  /** More arguments (--jobs, --force). */
  readonly args?: readonly string[];
  /** Options of node itself, for the synthesis process only (its workers get NODE_OPTIONS alone). */
  readonly nodeOptions?: readonly string[];
  /** In a process group of its own, as a shell starts a command: a signal to the group reaches every process. */
  readonly detached?: boolean;
}

/** Starts a synthesis of dev into `dir`, by node directly or through `npm run synth`. */
function start(dir: string, env: Record<string, string> = {}, options: StartOptions = {}): Started {
  const args = ['--env', 'dev', '--no-validation', '--out', dir, ...(options.args ?? [])];
  const environment = { ...process.env, CHECKPOINT_DISABLE: '1', PLATFORM_SYNTH_CACHE: cache, ...env };
  const child = options.npm
    ? spawn('npm', ['run', '--silent', 'synth', '--', ...args], { cwd: root, env: environment })
    : spawn(process.execPath, [...(options.nodeOptions ?? []), '-r', './bin/register.js', 'bin/platform.ts', ...args], {
        cwd: root,
        env: environment,
        ...(options.uid !== undefined && { uid: options.uid, gid: options.uid }),
        ...(options.detached && { detached: true }),
      });
  let stderr = '';
  let stdout = '';
  let onPause: (pid: number) => void = () => undefined;
  const paused = new Promise<number>((resolve) => (onPause = resolve));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
    const pause = /PLATFORM_TEST paused at \S+ \(pid (\d+)\)/.exec(stderr);
    if (pause) onPause(Number(pause[1]));
  });
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  const exit = new Promise<{ status: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (status, signal) => resolve({ status, signal })),
  );
  const closed = new Promise<void>((resolve) => child.stderr.on('close', () => resolve()));
  return {
    done: Promise.all([exit, closed]).then(([e]) => ({ ...e, stderr, stdout })),
    paused,
    pid: child.pid!,
    stderr: () => stderr,
  };
}

/** Whether a process runs (a zombie that nobody reaped yet counts as gone). */
function running(pid: number): boolean {
  try {
    return !/^\S+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Waits until a process is gone, for at most `ms`; whether it is. */
async function gone(pid: number, ms = 2_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (running(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  return !running(pid);
}

/** Runs what the next synthesis does first (recover a half-done swap, remove leftovers) and nothing else. */
function recover(dir: string): Promise<Run> {
  const code = `require('./bin/cli/output-swap').recoverOutputs(['cdk.out', 'cdktf.out'].map((f) => require('node:path').join(process.argv[1], f)), (m) => process.stderr.write(m + '\\n')).forEach((n) => process.stderr.write(n + '\\n'));`;
  const child = spawn(process.execPath, ['-r', './bin/register.js', '-e', code, dir], { cwd: root });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve) =>
    child.on('close', (status, signal) => resolve({ status, signal, stderr, stdout: '' })),
  );
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
  expect({ status: run.status, signal: run.signal, stderr: run.stderr }).toEqual({
    status: 0,
    signal: null,
    stderr: '',
  });
  fresh = outputOf(dir);
  expect(fresh.entries).toEqual(['cdk.out', 'cdktf.out']);
});

test('a synthesis killed before, during and between the swaps leaves the previous or the new output, never a mix, and no leftovers', async () => {
  // During synthesis (between the clouds), before the swap, between the clouds' renames and after them
  // (test/bin/cli/output-swap.test.ts kills the swap at every one of its steps).
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

  test('SIGINT in the middle of a synchronous synthesis in the process itself (--jobs 1) is acted on before the swap', async () => {
    const { dir, before } = withPreviousOutput();
    const run = start(dir, {}, { args: ['--jobs', '1', '--force'] });
    // The unit's folder appears as aws-cdk-lib starts writing; the synthesis runs on for about a second.
    const writing = (): boolean =>
      fs.readdirSync(dir).some((f) => f.startsWith('cdk.out.work-') && fs.readdirSync(path.join(dir, f)).length > 0);
    while (!writing()) await new Promise((resolve) => setTimeout(resolve, 10));
    process.kill(run.pid, 'SIGINT');
    expect((await run.done).signal).toBe('SIGINT');
    expect(outputOf(dir)).toEqual(before);
  });

  test('SIGTERM to the synthesis stops its worker processes at once', async () => {
    const { dir, before } = withPreviousOutput();
    // The worker holds, as if it synthesized a large environment.
    const run = start(dir, { PLATFORM_TEST_PAUSE_AT: 'unit:aws:dev' }, { args: ['--jobs', '2', '--force'] });
    const worker = await run.paused;
    expect(worker).not.toBe(run.pid);
    process.kill(run.pid, 'SIGTERM');
    const { signal, stderr } = await run.done;
    expect(signal).toBe('SIGTERM');
    expect(stderr).toMatch(/Synthesis stopped by SIGTERM: nothing was replaced and nothing of this run is left; /);
    expect(await gone(worker)).toBe(true);
    expect(outputOf(dir)).toEqual(before);
  });

  test('Ctrl-C, which reaches every process of the group, stops the synthesis and its workers as one', async () => {
    const { dir, before } = withPreviousOutput();
    const run = start(
      dir,
      { PLATFORM_TEST_PAUSE_AT: 'unit:aws:dev' },
      { args: ['--jobs', '2', '--force', '--cloud', 'aws'], detached: true },
    );
    const worker = await run.paused;
    process.kill(-run.pid, 'SIGINT');
    const { signal, stderr } = await run.done;
    expect(signal).toBe('SIGINT');
    expect(stderr).toMatch(/Synthesis stopped by SIGINT: nothing was replaced/);
    expect(await gone(worker)).toBe(true);
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

describe('worker processes', () => {
  test('a worker that crashes stops the run with its error, and nothing is written or left', async () => {
    const { dir, before } = withPreviousOutput();
    const run = await start(dir, { PLATFORM_TEST_KILL_AT: 'unit:aws:dev' }, { args: ['--jobs', '2', '--force'] }).done;
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /^Synthesis failed on aws: the worker process synthesizing aws for dev was killed by SIGKILL \(the system may have run out of memory\); dev was not synthesized\.\n\nazure synthesized without errors, but nothing was written \(all clouds or none\): \S+ and \S+ hold the previous output\.\n$/,
    );
    expect(outputOf(dir)).toEqual(before);
  });

  test('a worker that runs out of memory stops the run and says so', async () => {
    const { dir, before } = withPreviousOutput();
    // A heap too small for aws-cdk-lib in the workers (NODE_OPTIONS, which they inherit); the synthesis that starts
    // them keeps a heap of its own (a flag on its command line wins over NODE_OPTIONS), or it would sometimes run out
    // itself first.
    const run = await start(
      dir,
      { NODE_OPTIONS: '--max-old-space-size=48' },
      { args: ['--jobs', '2', '--force', '--cloud', 'aws'], nodeOptions: ['--max-old-space-size=1024'] },
    ).done;
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      'Synthesis failed on aws: the worker process synthesizing aws for dev ran out of memory: synthesize with fewer workers (--jobs 1 uses this process alone) or give Node.js more memory (NODE_OPTIONS=--max-old-space-size=<MiB>); dev was not synthesized.',
    );
    expect(outputOf(dir)).toEqual(before);
  });

  // npm passes the SIGTERM on to node (the script starts with `exec`), which stops its workers.
  test('SIGTERM to npm alone stops the synthesis and its workers', async () => {
    const { dir, before } = withPreviousOutput();
    const run = start(
      dir,
      { PLATFORM_TEST_PAUSE_AT: 'unit:aws:dev' },
      { npm: true, args: ['--jobs', '2', '--force', '--cloud', 'aws'] },
    );
    const worker = await run.paused;
    process.kill(run.pid, 'SIGTERM');
    const { stderr } = await run.done;
    expect(stderr).toMatch(
      /Synthesis stopped (?:because the process that started it \(pid \d+\) exited|by SIGTERM): nothing was replaced and nothing of this run is left; /,
    );
    expect(await gone(worker)).toBe(true);
    expect(outputOf(dir)).toEqual(before);
  });

  test('a worker whose synthesis was killed ends at once, and the next run removes what they left', async () => {
    const { dir, before } = withPreviousOutput();
    const run = start(
      dir,
      { PLATFORM_TEST_PAUSE_AT: 'unit:aws:dev' },
      { args: ['--jobs', '2', '--force', '--cloud', 'aws'] },
    );
    const worker = await run.paused;
    process.kill(run.pid, 'SIGKILL');
    await run.done;
    expect(await gone(worker)).toBe(true);
    expect(outputOf(dir).entries).toEqual(
      expect.arrayContaining(['cdk.out.lock', expect.stringMatching(/^cdk\.out\.work-/)]),
    );
    expect((await recover(dir)).stderr).toBe('');
    expect(outputOf(dir)).toEqual(before);
  });

  test('an unchanged second synthesis takes every environment from the cache, says so, and loads no cloud library', async () => {
    const dir = tempDir();
    // Every module the synthesis loads, written when it exits.
    const loaded = path.join(tempDir(), 'loaded.json');
    const preload = path.join(tempDir(), 'loaded.js');
    fs.writeFileSync(
      preload,
      `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(loaded)}, JSON.stringify(Object.keys(require.cache))));`,
    );
    const run = await start(dir, { NODE_OPTIONS: `--require ${preload}` }).done;
    expect(run.stdout).toMatch(
      /^dev: unchanged since it was last synthesized, aws and azure reused; --force synthesizes it again\nenvironment /,
    );
    expect(outputOf(dir)).toEqual(fresh);
    const libraries = (JSON.parse(fs.readFileSync(loaded, 'utf8')) as string[]).filter((file) =>
      /\/node_modules\/(?:aws-cdk-lib|cdktf|constructs|cdk-nag|@cdktf\/provider-azurerm)\/(?!node_modules\/)/.test(
        file,
      ),
    );
    expect(libraries).toEqual([]);
  });
});

describe('two synthesis runs for the same folder', () => {
  test('the second waits for the first, and takes over the lock of one that was killed', async () => {
    const { dir } = withPreviousOutput();
    const first = start(dir, { PLATFORM_TEST_PAUSE_AT: 'staged' });
    const holder = await first.paused;
    const second = start(dir);
    // The second says it waits once it finds the lock held.
    while (!second.stderr().includes('Waiting for another synthesis')) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    process.kill(holder, 'SIGKILL');
    const run = await second.done;
    expect(run.stderr).toBe(
      `Waiting for another synthesis (pid ${holder}) that is writing ${dir}/cdk.out/ and ${dir}/cdktf.out/ to finish.\n`,
    );
    expect(run.status).toBe(0);
    expect(outputOf(dir)).toEqual(fresh);
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
