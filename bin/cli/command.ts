import * as fs from 'node:fs';
import * as path from 'node:path';
import { SpecError } from '../../lib/core';

/** A wrong command-line argument; printed without a stack trace. */
export class UsageError extends Error {
  /** @param message what was wrong with the arguments, and what is allowed */
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * A command was stopped by a signal, or because the process that started it exited. Thrown by the command at the
 * next point where stopping leaves nothing behind; {@link runCli} prints it and, for a signal, ends the process by
 * that signal as a shell expects.
 */
export class StopError extends Error {
  /**
   * @param message what stopped the command and what state its output is in
   * @param signal the signal that stopped it, when it was one
   */
  constructor(
    message: string,
    public readonly signal?: NodeJS.Signals,
  ) {
    super(message);
    this.name = 'StopError';
  }
}

/**
 * Runs an entry point and turns any failure into a clear message on stderr and exit code 1, without a
 * stack trace from inside aws-cdk-lib or cdktf (set PLATFORM_DEBUG=1 to see it).
 */
export function runCli(main: () => void | Promise<void>): void {
  Promise.resolve()
    .then(main)
    .catch((error: unknown) => {
      process.stderr.write(`${describeError(error)}\n`);
      if (process.env.PLATFORM_DEBUG) {
        for (const e of [error, ...causesOf(error)]) {
          if (e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
        }
      }
      process.exitCode = 1;
      // Ended by the signal itself, so that a shell loop or make stops too (exit status 128 + the signal).
      if (error instanceof StopError && error.signal) process.kill(process.pid, error.signal);
    });
}

function causesOf(error: unknown): unknown[] {
  if (!(error instanceof Error)) return [];
  const failures = (error as { failures?: readonly { error: unknown }[] }).failures ?? [];
  return [...(error.cause === undefined ? [] : [error.cause]), ...failures.map((f) => f.error)];
}

/** cdktf ends a failed validation with advice to skip validations, which would skip the guardrails too. */
export function withoutSkipAdvice(message: string): string {
  return message.replace(
    /\n*If you wish to ignore these validations, pass 'skipValidation: true' to your App configuration\.\s*$/,
    `\nFix each finding, or acknowledge it next to its construct with acknowledge(construct, ruleId, reason) (docs/guardrails.md).`,
  );
}

/** The message to show for an error: the spec problems, or the library's message without its stack. */
export function describeError(error: unknown): string {
  if (SpecError.isSpecError(error)) return error.message;
  if (error instanceof UsageError) return `Usage error: ${error.message}`;
  if (error instanceof StopError) return error.message;
  if (error instanceof Error) {
    switch (error.name) {
      // bin/cli/review.ts: a side that does not synthesize or cannot be read; the message says which and why.
      case 'ReviewError':
        return `Review failed: ${error.message}`;
      // bin/cli/load-environments.ts: an environment file that does not compile, import or run.
      case 'EnvironmentLoadError':
        return `Cannot load the environments: ${error.message}`;
      // bin/cli/output-swap.ts: the output cannot be replaced; the message says what each folder holds.
      case 'OutputError':
        return `Output not replaced: ${error.message}`;
      // bin/cli/check.ts: output that was not synthesized from the sources it would be judged against.
      case 'StaleOutputError':
        return `Check refused: ${error.message}`;
      // bin/cli/synth.ts: the findings of each cloud that failed, already cleaned.
      case 'SynthesisError':
        return error.message;
    }
    const load = describeLoadFailure(error);
    if (load) return `Cannot load ${load}`;
    return `Synthesis failed: ${withoutSkipAdvice(error.message)}`;
  }
  return `Synthesis failed: ${String(error)}`;
}

/** A path as a user would type it: relative to the working directory when inside it, else absolute. */
export function shownPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

/** `file:line:col: message`, then the source line with a caret under the column. */
function located(file: string, line: number, column: number | undefined, message: string): string {
  let excerpt = '';
  try {
    const text = fs.readFileSync(file, 'utf8').split(/\r?\n/)[line - 1];
    if (text !== undefined) {
      const gutter = `  ${line} | `;
      excerpt = `\n${gutter}${text}`;
      if (column !== undefined) excerpt += `\n${' '.repeat(gutter.length - 2)}| ${' '.repeat(column - 1)}^`;
    }
  } catch {
    // The file is gone or unreadable: the location alone still says where.
  }
  return `${shownPath(file)}:${line}${column === undefined ? '' : `:${column}`}: ${message}${excerpt}`;
}

/** The frames of a stack, most recent first, as file, line and column. */
function framesOf(stack: string): { file: string; line: number; column: number }[] {
  return stack.split('\n').flatMap((l) => {
    const m = /^\s+at (?:.*\()?((?:\/|[A-Za-z]:\\)[^()]*?):(\d+):(\d+)\)?$/.exec(l);
    return m ? [{ file: m[1]!, line: Number(m[2]), column: Number(m[3]) }] : [];
  });
}

/** Names that the TypeScript-to-CommonJS transform glues onto imports: `(0 , _workloads.apiService)` is `apiService`. */
function withoutTransformNames(message: string): string {
  return message.replace(/\(0\s*,\s*_[\w$]+\.([\w$]+)\)/g, '$1').replace(/\b_[\w$]+\.([\w$]+)\b/g, '$1');
}

/**
 * The file, line and message of an error raised while a source file loads, or `undefined` when it is not one:
 * swc's syntax error (whose message carries the file and a code frame, and a Rust backtrace when RUST_BACKTRACE
 * is set), a module that cannot be found (located at the import), or an error thrown while a file runs (located
 * at the first frame in `within`, else in the first frame outside node_modules).
 */
export function describeLoadFailure(error: Error, within?: string): string | undefined {
  const frame = /,-\[(.+?):(\d+):(\d+)\]/.exec(error.message);
  if (frame && /^\s*[x×] /m.test(error.message)) {
    const lines = error.message.split('\n');
    const message = /^\s*[x×] (.*)$/m.exec(error.message)![1]!.trim();
    // The code frame: numbered source lines (` 18 | text`) and, under the one at fault, a caret (`    :   ^`).
    let line = Number(frame[2]);
    let column: number | undefined;
    for (let i = 1; i < lines.length; i++) {
      const caret = /^(\s*):(\s*)\^/.exec(lines[i]!);
      const numbered = /^\s*(\d+) \|/.exec(lines[i - 1]!);
      if (caret && numbered) {
        line = Number(numbered[1]);
        column = caret[2]!.length;
        break;
      }
    }
    return located(frame[1]!, line, column, message);
  }
  const code = (error as NodeJS.ErrnoException).code;
  const stack = error.stack ?? '';
  if (code === 'MODULE_NOT_FOUND') {
    const importer = (error as { requireStack?: string[] }).requireStack?.[0];
    const message = error.message.split('\n')[0]!;
    if (!importer) return undefined;
    // The import itself, found by its module name: the compiled requires are all hoisted to the top of the file.
    const request = /Cannot find module '([^']+)'/.exec(message)?.[1];
    let source: string[] = [];
    try {
      source = fs.readFileSync(importer, 'utf8').split(/\r?\n/);
    } catch {
      // Unreadable: the file alone is named.
    }
    for (const [i, text] of source.entries()) {
      const column = request ? Math.max(text.indexOf(`'${request}'`), text.indexOf(`"${request}"`)) : -1;
      if (column >= 0) return located(importer, i + 1, column + 1, message);
    }
    return `${shownPath(importer)}: ${message}`;
  }
  const frames = framesOf(stack);
  const at =
    (within && frames.find((f) => f.file.startsWith(within + path.sep))) ??
    frames.find((f) => !f.file.includes(`${path.sep}node_modules${path.sep}`));
  if (!within || !at) return undefined;
  return located(at.file, at.line, at.column, withoutTransformNames(`${error.name}: ${error.message}`));
}

/** What {@link watchForStop} returns. */
export interface StopWatch {
  /** Aborted, with a {@link StopError} as its reason, when the command should stop. */
  readonly signal: AbortSignal;
  /** Stops watching: the default signal handling is back. */
  dispose(): void;
}

const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Watches for the reasons a command should stop: SIGINT, SIGTERM or SIGHUP to this process, or the exit of the
 * process that started it. `npm run` starts a command through `sh -c`, and a SIGTERM sent to npm alone ends npm and
 * its shell but not the command, which would otherwise run on and replace the output after everyone stopped
 * waiting for it; a SIGKILL to npm leaves the shell too. So the parent is watched, and on Linux also the
 * shell's parent.
 *
 * The command learns of it at its next await: a signal that arrives during synchronous work (aws-cdk-lib's
 * synthesis) is acted on when that work ends. After the first signal the default handling is back, so a second
 * one ends the process at once.
 */
export function watchForStop(): StopWatch {
  const controller = new AbortController();
  const stop = (error: StopError): void => {
    dispose();
    controller.abort(error);
  };
  const onSignal = (signal: NodeJS.Signals): void => stop(new StopError(`stopped by ${signal}`, signal));
  for (const s of STOP_SIGNALS) process.on(s, onSignal);
  const parents = launcherChain();
  const timer = setInterval(() => {
    const gone = parents.find((p) => parentOf(p.pid) !== p.parent);
    if (gone) {
      // Nobody reads this process's output any more; a write to a closed pipe must not crash the cleanup.
      process.stdout.on('error', () => undefined);
      process.stderr.on('error', () => undefined);
      stop(new StopError(`stopped because the process that started it (pid ${gone.parent}) exited`));
    }
  }, 100);
  timer.unref();
  function dispose(): void {
    for (const s of STOP_SIGNALS) process.removeListener(s, onSignal);
    clearInterval(timer);
  }
  return { signal: controller.signal, dispose };
}

/** The parent of a process (this one: process.ppid; others: /proc on Linux), or undefined when unknown. */
function parentOf(pid: number): number | undefined {
  if (pid === process.pid) return process.ppid;
  try {
    // /proc/<pid>/stat: `pid (comm) state ppid ...`; comm may hold spaces and parentheses, so split after the last ).
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** This process and, when its parent is a shell (npm's `sh -c`), that shell: each with the parent it has now. */
function launcherChain(): { pid: number; parent: number | undefined }[] {
  const chain = [{ pid: process.pid, parent: parentOf(process.pid) }];
  let comm = '';
  try {
    comm = fs.readFileSync(`/proc/${process.ppid}/comm`, 'utf8').trim();
  } catch {
    // Not Linux: the parent alone is watched.
  }
  if (/^(?:sh|dash|bash|zsh|ash|ksh)$/.test(comm)) {
    const parent = parentOf(process.ppid);
    if (parent !== undefined) chain.push({ pid: process.ppid, parent });
  }
  return chain;
}
