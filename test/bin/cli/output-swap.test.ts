import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  assertReplaceable,
  lockOutputs,
  OutputError,
  recoverOutputs,
  replaceOutputs,
  stagingFolder,
  SWAP_JOURNAL,
} from '../../../bin/cli/output-swap';
import { errorOf } from '../../util/fixtures';
import { outputOf, writeFakeOutput } from '../../util/output';
import { temporaryFolders } from '../../util/temp';

// The swap itself, on small hand-made trees: every step of it, killed (in a child process, by SIGKILL at a named
// step) or failing (in this process), must leave the previous output or the new one, and nothing else once the
// next run has started. test/bin/cli/synth-faults.test.ts does the same through `npm run synth` itself.

const root = path.resolve(__dirname, '../../..');
const tempDir = temporaryFolders('platform-swap-');

/** A folder with the previous output in it, and the new output kept aside to be staged. */
function scene(): {
  dir: string;
  fresh: string;
  before: ReturnType<typeof outputOf>;
  after: ReturnType<typeof outputOf>;
} {
  const dir = tempDir();
  const fresh = tempDir();
  writeFakeOutput(dir, 'previous');
  writeFakeOutput(fresh, 'new');
  return { dir, fresh, before: outputOf(dir), after: outputOf(fresh) };
}

const targetsOf = (dir: string): string[] => [path.join(dir, 'cdk.out'), path.join(dir, 'cdktf.out')];

/**
 * In a child process: stages the new output as a synthesis does, then replaces the outputs with it (or, with
 * `recover`, only starts as the next run does). PLATFORM_TEST_KILL_AT kills it at a step.
 */
function runChild(mode: 'swap' | 'recover', dir: string, fresh: string, killAt?: string): number | null {
  const code = `
    const fs = require('node:fs');
    const path = require('node:path');
    const swap = require(${JSON.stringify(path.join(root, 'bin/cli/output-swap.ts'))});
    const [mode, dir, fresh] = process.argv.slice(1);
    const warn = (m) => process.stderr.write(m + '\\n');
    const targets = ['cdk.out', 'cdktf.out'].map((f) => path.join(dir, f));
    swap.recoverOutputs(targets, warn);
    if (mode === 'swap') {
      const moves = ['aws', 'azure'].map((label, i) => ({ label, target: targets[i], staged: swap.stagingFolder(targets[i]) }));
      for (const m of moves) fs.cpSync(path.join(fresh, path.basename(m.target)), m.staged, { recursive: true });
      swap.testStep('staged');
      swap.replaceOutputs(moves, warn);
    }`;
  const run = spawnSync(process.execPath, ['-r', path.join(root, 'bin/register.js'), '-e', code, mode, dir, fresh], {
    encoding: 'utf8',
    env: { ...process.env, PLATFORM_TEST_KILL_AT: killAt ?? '' },
  });
  if (killAt === undefined && run.status !== 0) throw new Error(run.stderr);
  return run.signal === 'SIGKILL' ? null : run.status;
}

describe('replacing cdk.out/ and cdktf.out/ as one', () => {
  test('a complete swap leaves the new output and nothing else', () => {
    const { dir, fresh, after } = scene();
    runChild('swap', dir, fresh);
    expect(outputOf(dir)).toEqual(after);
  });

  // Before the journal nothing is renamed; from the journal on, the next start completes the swap.
  test.each([
    ['staged', 'previous'],
    ['journal', 'new'],
    ['aside:aws', 'new'],
    ['installed:aws', 'new'],
    ['aside:azure', 'new'],
    ['installed:azure', 'new'],
    ['swapped', 'new'],
    ['committed', 'new'],
  ])('killed at %s, the next start finds the %s output complete and no leftovers', (step, expected) => {
    const { dir, fresh, before, after } = scene();
    expect(runChild('swap', dir, fresh, step)).toBeNull();
    // Killed, the folder holds leftovers: staged folders, a journal, folders moved aside.
    expect(outputOf(dir).entries).not.toEqual(['cdk.out', 'cdktf.out']);
    runChild('recover', dir, fresh);
    expect(outputOf(dir)).toEqual(expected === 'new' ? after : before);
  });

  test.each([
    ['journal', 'recovery-aside:aws'],
    ['aside:azure', 'recovery-installed:azure'],
    ['installed:aws', 'recovery-aside:azure'],
  ])('killed at %s and the next start killed at %s, the start after completes the swap', (step, recoveryStep) => {
    const { dir, fresh, after } = scene();
    expect(runChild('swap', dir, fresh, step)).toBeNull();
    expect(runChild('recover', dir, fresh, recoveryStep)).toBeNull();
    runChild('recover', dir, fresh);
    expect(outputOf(dir)).toEqual(after);
  });

  describe('a rename that fails', () => {
    afterEach(() => delete process.env.PLATFORM_TEST_FAIL_AT);

    function stage(dir: string, fresh: string): { label: string; target: string; staged: string }[] {
      return ['aws', 'azure'].map((label, i) => {
        const target = targetsOf(dir)[i]!;
        const staged = stagingFolder(target);
        fs.cpSync(path.join(fresh, path.basename(target)), staged, { recursive: true });
        return { label, target, staged };
      });
    }

    test.each(['journal', 'aside:aws', 'installed:aws', 'aside:azure', 'installed:azure', 'swapped'])(
      'at %s is undone, and the message says nothing was replaced',
      (step) => {
        const { dir, fresh, before, after } = scene();
        const moves = stage(dir, fresh);
        process.env.PLATFORM_TEST_FAIL_AT = step;
        const error = errorOf(() => replaceOutputs(moves, fail));
        expect(error).toBeInstanceOf(OutputError);
        expect(error.message).toBe(
          `replacing the output failed (EIO: i/o error (PLATFORM_TEST_FAIL_AT=${step})); the renames done were undone, so nothing was replaced: ${dir}/cdk.out/ and ${dir}/cdktf.out/ hold the previous output.`,
        );
        expect((error as OutputError).pending).toBe(false);
        expect(outputOf(dir)).toEqual({
          ...before,
          entries: [...before.entries, ...moves.map((m) => path.basename(m.staged))].sort(),
        });
        // The staged folders are back where they were, whole, for synthesize() to remove.
        const back = tempDir();
        for (const m of moves) fs.renameSync(m.staged, path.join(back, path.basename(m.target)));
        expect(outputOf(back)).toEqual(after);
      },
    );

    test('and an undo that fails too say what each folder holds, and the next start completes the swap', () => {
      const { dir, fresh, after } = scene();
      const moves = stage(dir, fresh);
      process.env.PLATFORM_TEST_FAIL_AT = 'aside:azure,undo';
      const error = errorOf(() => replaceOutputs(moves, fail));
      expect(error.message).toBe(
        `replacing the output failed (EIO: i/o error (PLATFORM_TEST_FAIL_AT=aside:azure)), and so did putting the previous output back (EIO: i/o error (PLATFORM_TEST_FAIL_AT=undo)). Now ${dir}/cdk.out/ holds the new output; ${dir}/cdktf.out/ is missing (the previous one is in ${dir}/cdktf.out.old-${process.pid}/, the new one is in ${dir}/cdktf.out.tmp-${process.pid}/). The journal ${dir}/${SWAP_JOURNAL} is kept: the next npm run synth completes the replacement.`,
      );
      expect((error as OutputError).pending).toBe(true);
      delete process.env.PLATFORM_TEST_FAIL_AT;
      // This process wrote the journal, so it cannot be running another swap: the journal is completed.
      expect(recoverOutputs(targetsOf(dir), fail)).toEqual([
        `Completed the replacement of ${dir}/cdk.out/ and ${dir}/cdktf.out/ that an earlier synthesis (pid ${process.pid}) was stopped in the middle of.`,
      ]);
      expect(outputOf(dir)).toEqual(after);
    });
  });

  test('the next start removes only what processes no longer running left, and only beside the output folders', () => {
    const dir = tempDir();
    writeFakeOutput(dir, 'previous');
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const running = process.ppid;
    const names = [
      `cdk.out.tmp-${dead}`,
      `cdktf.out.old-${dead}`,
      `cdk.out.work-${dead}`,
      `cdk.out.lock-${dead}`,
      `cdk.out.unlock-${dead}`,
      `cdk.out.work-${running}`,
      `cdk.out.tmp-${running}`,
      `cdktf.out.old-${running}`,
      `notes.tmp-${dead}`,
      `cdk.out.tmp-${dead}-mine`,
    ];
    for (const name of names) fs.mkdirSync(path.join(dir, name, 'stacks'), { recursive: true });
    expect(recoverOutputs(targetsOf(dir), fail)).toEqual([]);
    expect(fs.readdirSync(dir).sort()).toEqual(
      [
        'cdk.out',
        'cdktf.out',
        `cdk.out.work-${running}`,
        `cdk.out.tmp-${running}`,
        `cdktf.out.old-${running}`,
        `notes.tmp-${dead}`,
        `cdk.out.tmp-${dead}-mine`,
      ].sort(),
    );
  });

  test('a file where the output folders must go is refused before anything is written', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'out'), 'not a folder');
    expect(() => assertReplaceable(targetsOf(path.join(dir, 'out', 'nested')))).toThrow(
      new OutputError(
        `${dir}/out is a file, where the output folders must go. Nothing was written: ${dir}/out/nested/cdk.out/ and ${dir}/out/nested/cdktf.out/ do not exist.`,
      ),
    );
  });

  test('a journal its writer is still acting on is left alone', () => {
    const { dir, before } = scene();
    const journal = path.join(dir, SWAP_JOURNAL);
    fs.writeFileSync(journal, JSON.stringify({ pid: process.ppid, moves: [] }));
    recoverOutputs(targetsOf(dir), fail);
    expect(fs.existsSync(journal)).toBe(true);
    fs.rmSync(journal);
    expect(outputOf(dir)).toEqual(before);
  });

  test('a journal cut short (its writer died writing it, before any rename) is discarded', () => {
    const { dir, before } = scene();
    const journal = path.join(dir, SWAP_JOURNAL);
    fs.writeFileSync(journal, '{"pid": 12');
    const old = new Date(Date.now() - 10_000);
    fs.utimesSync(journal, old, old);
    expect(recoverOutputs(targetsOf(dir), fail)).toEqual([]);
    expect(outputOf(dir)).toEqual(before);
  });
});

// A run holds `cdk.out.lock` from before it looks at the output until after the swap: a second run for the same
// folders waits, and a lock whose holder is gone is taken over (or removed by the next start).
describe('the lock of a run', () => {
  const options = (onWait: (pid: number) => void = () => undefined, signal?: AbortSignal) => ({
    onWait,
    ...(signal && { signal }),
    stopped: () => new Error('stopped'),
    cannotLock: () => undefined,
  });
  /** A lock as a run writes it, held by `pid` (started at `started`, when given). */
  const lockOf = (dir: string, pid: number, started?: string): string => {
    const lock = path.join(dir, 'cdk.out.lock');
    fs.mkdirSync(lock);
    fs.writeFileSync(path.join(lock, 'holder.json'), JSON.stringify({ pid, ...(started && { started }) }));
    return lock;
  };

  test('a second run waits while the first holds it, and goes on when it is released', async () => {
    const dir = tempDir();
    const target = path.join(dir, 'cdk.out');
    const first = await lockOutputs(target, options());
    const waits: number[] = [];
    let second: { release(): void } | undefined;
    const taking = lockOutputs(
      target,
      options((pid) => waits.push(pid)),
    ).then((l) => (second = l));
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect({ second, waits }).toEqual({ second: undefined, waits: [process.pid] });
    first.release();
    await taking;
    expect(fs.readdirSync(dir)).toEqual(['cdk.out.lock']);
    second!.release();
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('a stop ends the wait', async () => {
    const dir = tempDir();
    const held = await lockOutputs(path.join(dir, 'cdk.out'), options());
    const stop = new AbortController();
    const waiting = lockOutputs(
      path.join(dir, 'cdk.out'),
      options(() => stop.abort(), stop.signal),
    );
    await expect(waiting).rejects.toThrow('stopped');
    held.release();
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test.each([
    ['no longer runs', () => spawnSync(process.execPath, ['-e', '0']).pid!, undefined],
    // A process id is reused: the one holding it now started at another time than the holder.
    ['runs, but is another process than the one that took the lock', () => process.ppid, '1'],
  ])('the lock of a process that %s is taken over', async (_what, pid, started) => {
    const dir = tempDir();
    lockOf(dir, pid(), started);
    const lock = await lockOutputs(
      path.join(dir, 'cdk.out'),
      options((pid) => fail(`waited for ${pid}`)),
    );
    expect(fs.readdirSync(dir)).toEqual(['cdk.out.lock']);
    lock.release();
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('the next start removes the lock of a run that no longer runs, and keeps one that does', () => {
    const dir = tempDir();
    const lock = lockOf(dir, spawnSync(process.execPath, ['-e', '0']).pid!);
    recoverOutputs(targetsOf(dir), fail);
    expect(fs.existsSync(lock)).toBe(false);
    lockOf(dir, process.ppid);
    recoverOutputs(targetsOf(dir), fail);
    expect(fs.existsSync(lock)).toBe(true);
  });

  test('a folder in the way that is no lock is named, and left alone', async () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'cdk.out.lock'));
    fs.writeFileSync(path.join(dir, 'cdk.out.lock', 'notes.txt'), 'mine');
    await expect(
      lockOutputs(
        path.join(dir, 'cdk.out'),
        options((pid) => fail(`waited for ${pid}`)),
      ),
    ).rejects.toThrow(
      new OutputError(
        `${dir}/cdk.out.lock/ is in the way of the lock npm run synth takes while it writes ${dir}/cdk.out/, and it names no running synthesis: remove it. Nothing was written.`,
      ),
    );
    expect(fs.readdirSync(dir)).toEqual(['cdk.out.lock']);
  });
});

function fail(message: string): never {
  throw new Error(`unexpected warning: ${message}`);
}
