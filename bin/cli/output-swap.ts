import * as fs from 'node:fs';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { shownPath as shown } from './command';

/**
 * Replacing cdk.out/ and cdktf.out/ as one, so that a run that fails, is stopped or is killed leaves either the
 * previous output or the new one, never one cloud of each.
 *
 * cdk.json, cdktf.json, both CLIs and the README expect cdk.out/ and cdktf.out/ as real folders at the top level,
 * so the two cannot be swapped by one rename (of a parent folder or a symlink). Instead each cloud is synthesized
 * into `<folder>.tmp-<pid>` beside its folder, and once every cloud is finished a journal listing the renames is
 * written beside them before the first one. The journal is the commit point: the staged folders are complete
 * when it exists, so a run killed between two renames is completed (rolled forward) by the next run, which finds
 * the journal of a process that is no longer running. Before the journal nothing was renamed, and the staged
 * folders of a dead process are removed as leftovers. A rename that fails in a running process is undone at once.
 *
 * A whole run holds `<cdk.out>.lock` (a folder naming its process), from before it looks at the output until after
 * the swap: a second synthesis of the same folders waits for the first to finish, so two runs never write into one
 * output at the same time. The units a run synthesizes (bin/cli/synth-unit.ts) go to `<cdk.out>.work-<pid>`.
 */

/** The journal beside the output folders; it exists only while a swap is under way (milliseconds). */
export const SWAP_JOURNAL = '.platform-synth-swap.json';

/** One output folder replaced by a finished one. */
export interface OutputMove {
  /** What the folder holds, in messages and step names: `aws` or `azure`. */
  readonly label: string;
  /** The folder being replaced: `cdk.out`. */
  readonly target: string;
  /** The finished folder that replaces it: `cdk.out.tmp-<pid>`. */
  readonly staged: string;
}

interface PlannedMove extends OutputMove {
  /** Where the previous folder waits until the swap is complete: `cdk.out.old-<pid>`. */
  readonly aside: string;
}

interface Journal {
  readonly pid: number;
  readonly moves: readonly PlannedMove[];
}

/**
 * The output could not be replaced, or a half-done replacement could not be completed. The message says what
 * each output folder holds now.
 */
export class OutputError extends Error {
  /**
   * @param message what failed and what state the output is in
   * @param pending true when this run's journal is kept for the next run to complete the swap: the staged folders
   * it names must stay
   */
  constructor(
    message: string,
    public readonly pending = false,
  ) {
    super(message);
    this.name = 'OutputError';
  }
}

/** Where a run synthesizes a folder before it replaces it. */
export function stagingFolder(target: string): string {
  return `${target}.tmp-${process.pid}`;
}

/** Where a run synthesizes its units (one environment on one cloud each) before it assembles the output. */
export function workFolder(target: string): string {
  return `${target}.work-${process.pid}`;
}

/**
 * A named step of `npm run synth`, where a test can make the process die as a crash or a `kill -9` would
 * (PLATFORM_TEST_KILL_AT=<step>) or make a file operation fail (PLATFORM_TEST_FAIL_AT=<step>[,<step>...]). Reading two
 * environment variables is all it costs a run that sets neither.
 */
export function testStep(name: string): void {
  if (process.env.PLATFORM_TEST_KILL_AT === name) {
    process.kill(process.pid, 'SIGKILL');
    // The signal lands before the kill call returns to this thread; nothing after it may run meanwhile.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10_000);
  }
  if (process.env.PLATFORM_TEST_FAIL_AT?.split(',').includes(name)) {
    throw Object.assign(new Error(`EIO: i/o error (PLATFORM_TEST_FAIL_AT=${name})`), { code: 'EIO' });
  }
}

/**
 * An asynchronous step, where a test can also hold the run (PLATFORM_TEST_PAUSE_AT=<step>) to send it a signal:
 * the run says so on stderr and waits until it is stopped, for at most a minute.
 */
export async function testPause(name: string, stop?: AbortSignal): Promise<void> {
  if (process.env.PLATFORM_TEST_PAUSE_AT !== name) return;
  process.stderr.write(`PLATFORM_TEST paused at ${name} (pid ${process.pid})\n`);
  await sleep(60_000, undefined, stop && { signal: stop }).catch(() => undefined);
}

/** Whether a process id belongs to a running process other than this one. */
function isRunning(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const exists = (p: string): boolean => fs.existsSync(p);
const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));
const sleepSync = (ms: number): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** The journal file of a set of moves: in the folder of the first one (for the CLI both share one folder). */
function journalOf(moves: readonly OutputMove[]): string {
  return path.join(path.dirname(moves[0]!.target), SWAP_JOURNAL);
}

/**
 * What each output folder holds now, from what exists: the state of every move follows from which of its three
 * folders are there (staged and target: not started; only aside: moved aside; target and no staged: installed).
 */
function describeOutputs(moves: readonly PlannedMove[]): string {
  return moves
    .map((m) => {
      const target = `${shown(m.target)}/`;
      if (!exists(m.target)) {
        const where = [
          exists(m.aside) ? `the previous one is in ${shown(m.aside)}/` : '',
          exists(m.staged) ? `the new one is in ${shown(m.staged)}/` : '',
        ].filter(Boolean);
        return `${target} is missing${where.length ? ` (${where.join(', ')})` : ''}`;
      }
      return exists(m.staged) ? `${target} holds the previous output` : `${target} holds the new output`;
    })
    .join('; ');
}

/** What each target holds when nothing was replaced: the previous output, or nothing yet. */
export function describeUnchanged(targets: readonly string[]): string {
  const kept = targets.filter(exists).map((t) => `${shown(t)}/`);
  const absent = targets.filter((t) => !exists(t)).map((t) => `${shown(t)}/`);
  return [
    kept.length ? `${kept.join(' and ')} ${kept.length === 1 ? 'holds' : 'hold'} the previous output` : '',
    absent.length ? `${absent.join(' and ')} ${absent.length === 1 ? 'does' : 'do'} not exist` : '',
  ]
    .filter(Boolean)
    .join('; ');
}

/** Reads a journal; `undefined` when it is not complete JSON (its writer died while writing: nothing was renamed). */
function readJournal(file: string): Journal | undefined {
  try {
    const journal = JSON.parse(fs.readFileSync(file, 'utf8')) as Journal;
    return Array.isArray(journal.moves) && typeof journal.pid === 'number' ? journal : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw error;
    return undefined;
  }
}

/** A journal still being acted on: its writer runs, and it is young (a swap takes milliseconds; pids get reused). */
function isLive(file: string, journal: Journal | undefined): boolean {
  const age = Date.now() - fs.statSync(file).mtimeMs;
  return journal ? isRunning(journal.pid) && age < 60_000 : age < 1_000;
}

/**
 * Completes the swap a journal describes, from whatever point its writer reached. Each move is installed when its
 * staged folder still exists; the folders moved aside are removed last.
 */
function rollForward(file: string, journal: Journal, warn: (message: string) => void): void {
  try {
    for (const m of journal.moves) {
      if (!exists(m.staged)) continue;
      if (exists(m.target)) {
        if (exists(m.aside)) {
          throw new Error(
            `${shown(m.target)}, ${shown(m.staged)} and ${shown(m.aside)} all exist: no swap leaves that`,
          );
        }
        fs.renameSync(m.target, m.aside);
        testStep(`recovery-aside:${m.label}`);
      }
      fs.renameSync(m.staged, m.target);
      testStep(`recovery-installed:${m.label}`);
    }
    fs.rmSync(file, { force: true });
  } catch (error) {
    throw new OutputError(
      `an earlier synthesis (pid ${journal.pid}) was stopped while it replaced the output, and completing its ` +
        `replacement failed: ${errorText(error)}. Now ${describeOutputs(journal.moves)}. The journal ` +
        `${shown(file)} is kept: the next npm run synth tries again.`,
    );
  }
  for (const m of journal.moves) removeAside(m.aside, warn);
}

function removeAside(aside: string, warn: (message: string) => void): void {
  try {
    fs.rmSync(aside, { recursive: true, force: true });
  } catch (error) {
    warn(`Warning: the previous output in ${shown(aside)}/ could not be removed (${errorText(error)}); remove it.`);
  }
}

/**
 * Puts an output folder tree back in order before a run writes to it: completes a swap that a killed run left
 * half done (its journal names a process that no longer runs), then removes what killed runs left behind
 * (`<folder>.tmp-<pid>`, `<folder>.old-<pid>`, `<folder>.work-<pid>` of processes that no longer run, and a
 * `<folder>.lock` whose holder no longer runs). Only names of the given folders are touched. Returns a note for
 * each swap it completed.
 *
 * @throws OutputError when a half-done swap cannot be completed; nothing else is removed then
 */
export function recoverOutputs(targets: readonly string[], warn: (message: string) => void): string[] {
  const notes: string[] = [];
  const dirs = [...new Set(targets.map((t) => path.dirname(path.resolve(t))))];
  for (const dir of dirs) {
    const file = path.join(dir, SWAP_JOURNAL);
    let journal: Journal | undefined;
    try {
      journal = readJournal(file);
    } catch {
      continue; // no journal: the usual case
    }
    if (isLive(file, journal)) continue; // another run is swapping this moment; its journal waits for it
    if (journal) {
      rollForward(file, journal, warn);
      notes.push(
        `Completed the replacement of ${journal.moves.map((m) => `${shown(m.target)}/`).join(' and ')} that an ` +
          `earlier synthesis (pid ${journal.pid}) was stopped in the middle of.`,
      );
    } else {
      fs.rmSync(file, { force: true });
    }
  }
  const names = new Set(targets.map((t) => path.basename(t)));
  for (const dir of dirs) {
    let entries: string[];
    try {
      entries = fs.readdirSync(dir);
    } catch {
      continue; // the folder does not exist yet
    }
    for (const entry of entries) {
      const match = LEFTOVER.exec(entry);
      const leftover = match
        ? names.has(match[1]!) && !isRunning(Number(match[2]))
        : entry.endsWith(LOCK_SUFFIX) &&
          names.has(entry.slice(0, -LOCK_SUFFIX.length)) &&
          isStale(readHolder(path.join(dir, entry)));
      if (!leftover) continue;
      try {
        fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
      } catch (error) {
        warn(
          `Warning: ${shown(path.join(dir, entry))}/, left by an earlier run, could not be removed (${errorText(error)}).`,
        );
      }
    }
  }
  return notes;
}

/**
 * Refuses, before anything is synthesized, output folders that cannot be replaced: a folder where they live, or a
 * folder inside them, that this user cannot write (removing the previous output needs every one of them).
 *
 * @throws OutputError naming every such folder
 */
export function assertReplaceable(targets: readonly string[]): void {
  const readOnly: string[] = [];
  const notFolders: string[] = [];
  const check = (dir: string): void => {
    try {
      fs.accessSync(dir, fs.constants.W_OK);
    } catch {
      readOnly.push(`${shown(dir)}/`);
    }
  };
  for (const target of targets) {
    let parent = path.dirname(path.resolve(target));
    while (!exists(parent) && path.dirname(parent) !== parent) parent = path.dirname(parent);
    if (!fs.statSync(parent).isDirectory()) {
      notFolders.push(shown(parent));
      continue;
    }
    check(parent);
    const walk = (dir: string): void => {
      check(dir);
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) walk(path.join(dir, entry.name));
      }
    };
    if (fs.statSync(target, { throwIfNoEntry: false })?.isDirectory()) walk(target);
  }
  if (notFolders.length > 0) {
    throw new OutputError(
      `${[...new Set(notFolders)].join(', ')} is a file, where the output folders must go. Nothing was written: ` +
        `${describeUnchanged(targets)}.`,
    );
  }
  if (readOnly.length === 0) return;
  throw new OutputError(
    `${[...new Set(readOnly)].join(', ')} ${readOnly.length === 1 ? 'is' : 'are'} read-only: npm run synth ` +
      `replaces ${targets.map((t) => `${shown(t)}/`).join(' and ')} as a whole and removes the previous output. ` +
      `Make ${readOnly.length === 1 ? 'it' : 'them'} writable (chmod -R u+w) or write elsewhere with --out DIR. ` +
      `Nothing was written: ${describeUnchanged(targets)}.`,
  );
}

/**
 * Replaces each target with its staged folder, all or none (see the top of this file). The previous folders are
 * removed after the swap; one that cannot be removed is reported through `warn` and left for the next run.
 *
 * @throws OutputError when a rename fails: the renames done are undone and the message says so, or, when even that
 * fails, what each folder holds now and that the next run completes the swap
 */
export function replaceOutputs(moves: readonly OutputMove[], warn: (message: string) => void): void {
  if (moves.length === 0) return;
  const planned: PlannedMove[] = moves.map((m) => ({ ...m, aside: `${m.target}.old-${process.pid}` }));
  const file = journalOf(moves);
  writeJournal(file, { pid: process.pid, moves: planned }, warn);
  const installed: PlannedMove[] = [];
  let current: PlannedMove | undefined;
  try {
    testStep('journal');
    for (const m of planned) {
      current = m;
      fs.rmSync(m.aside, { recursive: true, force: true });
      if (exists(m.target)) {
        fs.renameSync(m.target, m.aside);
        testStep(`aside:${m.label}`);
      }
      fs.renameSync(m.staged, m.target);
      installed.push(m);
      current = undefined;
      testStep(`installed:${m.label}`);
    }
    testStep('swapped');
  } catch (error) {
    throw undo(file, planned, installed, current, error);
  }
  try {
    fs.rmSync(file);
  } catch (error) {
    warn(`Warning: the swap is complete, but its journal ${shown(file)} could not be removed (${errorText(error)}).`);
  }
  testStep('committed');
  for (const m of planned) removeAside(m.aside, warn);
}

/** Writes the journal, which is also the lock: one swap at a time in a folder. */
function writeJournal(file: string, journal: Journal, warn: (message: string) => void): void {
  const deadline = Date.now() + 5_000;
  for (;;) {
    try {
      fs.writeFileSync(file, JSON.stringify(journal, null, 1), { flag: 'wx' });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new OutputError(
          `the swap could not be recorded in ${shown(file)} (${errorText(error)}), so nothing was replaced: ` +
            `${describeUnchanged(journal.moves.map((m) => m.target))}.`,
        );
      }
    }
    let other: Journal | undefined;
    try {
      other = readJournal(file);
    } catch {
      continue; // removed meanwhile
    }
    if (!isLive(file, other)) {
      if (other) rollForward(file, other, warn);
      else fs.rmSync(file, { force: true });
    } else if (Date.now() < deadline) {
      sleepSync(50);
    } else {
      throw new OutputError(
        `another synthesis (pid ${other?.pid ?? '?'}) is replacing the output in ${shown(path.dirname(file))}/ ` +
          `right now, so nothing was replaced: ${describeUnchanged(journal.moves.map((m) => m.target))}.`,
      );
    }
  }
}

/** Undoes the renames of a failed swap, last first; the error says what state the output is in. */
function undo(
  file: string,
  planned: readonly PlannedMove[],
  installed: readonly PlannedMove[],
  current: PlannedMove | undefined,
  cause: unknown,
): OutputError {
  try {
    testStep('undo');
    if (current && !exists(current.target) && exists(current.aside)) fs.renameSync(current.aside, current.target);
    for (const m of [...installed].reverse()) {
      fs.renameSync(m.target, m.staged);
      if (exists(m.aside)) fs.renameSync(m.aside, m.target);
    }
    fs.rmSync(file, { force: true });
  } catch (undoError) {
    return new OutputError(
      `replacing the output failed (${errorText(cause)}), and so did putting the previous output back ` +
        `(${errorText(undoError)}). Now ${describeOutputs(planned)}. The journal ${shown(file)} is kept: the ` +
        `next npm run synth completes the replacement.`,
      true,
    );
  }
  return new OutputError(
    `replacing the output failed (${errorText(cause)}); the renames done were undone, so nothing was replaced: ` +
      `${describeUnchanged(planned.map((m) => m.target))}.`,
  );
}

/** What a run leaves beside an output folder, by kind, with the process id of the run. */
const LEFTOVER = /^(.+)\.(?:tmp|old|work|lock|unlock)-(\d+)$/;
/** The lock a run holds beside the first output folder: `cdk.out.lock`. */
const LOCK_SUFFIX = '.lock';
const HOLDER_FILE = 'holder.json';
/** How long a run waits for another that holds the lock before it gives up. */
const LOCK_WAIT_MS = 10 * 60_000;

/** The process holding a lock: its id and, on Linux, when it started (a process id is reused, that time is not). */
interface Holder {
  readonly pid: number;
  readonly started?: string;
}

/** When a process started, in clock ticks since boot (/proc/<pid>/stat field 22); undefined where unknown. */
function startOf(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function readHolder(lock: string): Holder | undefined {
  try {
    const holder = JSON.parse(fs.readFileSync(path.join(lock, HOLDER_FILE), 'utf8')) as Holder;
    return typeof holder.pid === 'number' ? holder : undefined;
  } catch {
    return undefined;
  }
}

/** A lock whose holder is gone (this process holds its own locks; only it releases them). */
function isStale(holder: Holder | undefined): boolean {
  if (!holder) return false;
  if (holder.pid === process.pid) return false;
  if (!isRunning(holder.pid)) return true;
  const started = startOf(holder.pid);
  return holder.started !== undefined && started !== undefined && started !== holder.started;
}

/** The lock a run holds while it writes the output; see {@link lockOutputs}. */
export interface OutputLock {
  /** Releases the lock (only while this process holds it). */
  release(): void;
}

/** Options of {@link lockOutputs}. */
export interface LockOptions {
  /** Told once, when the lock is held by another run that this one waits for. */
  readonly onWait: (holder: number) => void;
  /** Stops the wait. */
  readonly signal?: AbortSignal;
  /** The error to throw when `signal` stops the wait. */
  readonly stopped: () => Error;
  /** Called when the lock folder cannot be created at all: should throw the reason (a read-only folder). */
  readonly cannotLock: () => void;
}

/**
 * Takes the lock of a run that writes an output folder (`<target>.lock`, beside it), waiting while another running
 * process holds it; a lock whose holder no longer runs is taken over. The lock is a folder naming its holder,
 * prepared as `<target>.lock-<pid>` and renamed into place, so it appears complete or not at all, and only one of
 * two runs that rename at once succeeds.
 *
 * @throws OutputError after 10 minutes of waiting; `stopped()` when `signal` stops the wait
 */
export async function lockOutputs(target: string, options: LockOptions): Promise<OutputLock> {
  const lock = `${target}${LOCK_SUFFIX}`;
  const mine = `${lock}-${process.pid}`;
  const me: Holder = { pid: process.pid, ...(startOf(process.pid) !== undefined && { started: startOf(process.pid) }) };
  try {
    fs.rmSync(mine, { recursive: true, force: true });
    fs.mkdirSync(mine, { recursive: true });
    fs.writeFileSync(path.join(mine, HOLDER_FILE), JSON.stringify(me));
  } catch (error) {
    fs.rmSync(mine, { recursive: true, force: true });
    options.cannotLock();
    throw error;
  }
  const deadline = Date.now() + LOCK_WAIT_MS;
  let told = false;
  try {
    for (;;) {
      try {
        fs.renameSync(mine, lock);
        break;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
      }
      const holder = readHolder(lock);
      if (holder === undefined) {
        if (!fs.existsSync(lock)) continue; // released meanwhile
        // Not a lock this code writes: leave it alone, and say which folder is in the way.
        throw new OutputError(
          `${shown(lock)}/ is in the way of the lock npm run synth takes while it writes ${shown(target)}/, and it ` +
            `names no running synthesis: remove it. Nothing was written.`,
        );
      }
      if (isStale(holder)) {
        takeOver(lock, holder);
        continue;
      }
      if (!told) {
        options.onWait(holder.pid);
        told = true;
      }
      if (Date.now() > deadline) {
        throw new OutputError(
          `another synthesis (pid ${holder.pid}) has been writing ${shown(target)}/ for 10 minutes; nothing was ` +
            `written. Wait for it or stop it, then run npm run synth again.`,
        );
      }
      await sleep(100, undefined, options.signal && { signal: options.signal }).catch(() => undefined);
      if (options.signal?.aborted) throw options.stopped();
    }
  } finally {
    fs.rmSync(mine, { recursive: true, force: true });
  }
  return {
    release: () => {
      if (readHolder(lock)?.pid === process.pid) fs.rmSync(lock, { recursive: true, force: true });
    },
  };
}

/**
 * Removes a lock whose holder is gone. It is renamed aside first and checked again there: when another run took
 * the lock over and took it itself in the meantime, the lock now aside is that run's, and is put back.
 */
function takeOver(lock: string, holder: Holder): void {
  const aside = `${lock.slice(0, -LOCK_SUFFIX.length)}.unlock-${process.pid}`;
  fs.rmSync(aside, { recursive: true, force: true });
  try {
    fs.renameSync(lock, aside);
  } catch {
    return; // taken over by another run already
  }
  const moved = readHolder(aside);
  if (moved && (moved.pid !== holder.pid || moved.started !== holder.started)) {
    try {
      fs.renameSync(aside, lock);
    } catch {
      // Yet another run holds the lock now; the one moved aside lost it, as if it had been stale.
    }
  }
  fs.rmSync(aside, { recursive: true, force: true });
}
