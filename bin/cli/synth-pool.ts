import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { testPause, testStep } from './output-swap';
import {
  synthesizeUnit,
  unitEnvironments,
  unitName,
  type Cloud,
  type UnitFailure,
  type UnitRequest,
  type UnitResult,
  type UnitSubject,
} from './synth-unit';

/**
 * Runs units of synthesis (bin/cli/synth-unit.ts) in worker processes, at most `jobs` at a time, or one after another
 * in this process (`jobs: 1`). Each worker synthesizes the units of one cloud, each as an App of its own, so it
 * loads one cloud's library and pays its fixed costs once: aws-cdk-lib's JIT warm-up (about 1 s) and, with
 * validation on, the CloudFormation schema validator (about 4 s, kept for the life of the process). How many
 * workers each cloud gets follows from those costs (see {@link planBatches}).
 */

/** One unit to synthesize: its environment, or the delivery (bin/cli/synth-unit.ts), and where it goes. */
export type UnitJob = UnitSubject & {
  /** `<cloud>:<environment>` (`aws:delivery` for the delivery): unique in a run, and the name of its test steps. */
  readonly id: string;
  /** The cloud. */
  readonly cloud: Cloud;
  /** The folder its App writes into. */
  readonly outdir: string;
};

/** What a unit's App holds, for a request: its environment or its delivery. */
function subjectOf(unit: UnitSubject): UnitSubject {
  if (unit.delivery) return { delivery: unit.delivery };
  return { environment: unit.environment, ...(unit.deliveredBy && { deliveredBy: unit.deliveredBy }) };
}

/** How a unit ended. */
export type UnitOutcome =
  { readonly ok: true; readonly result: UnitResult } | { readonly ok: false; readonly error: UnitFailure };

/** Options of {@link runUnits}. */
export interface RunUnitsOptions {
  /** At most this many worker processes at a time; 1 synthesizes in this process. */
  readonly jobs: number;
  /** Validate CloudFormation templates against the schemas. */
  readonly validation: boolean;
  /** Called with each unit's App; only in this process (jobs 1): an App cannot be handed to another process. */
  readonly customize?: UnitRequest['customize'];
  /**
   * Called between the units synthesized in this process, where a stop may end the run (it throws then).
   * Workers are stopped at once instead: they are killed and `stopped` is thrown.
   */
  readonly checkpoint: (step: string) => Promise<void>;
  /** Aborted when the run must stop. */
  readonly signal?: AbortSignal;
  /** Builds the error thrown when `signal` stops the workers. */
  readonly stopped: () => Error;
}

/** The message a worker receives: its units, one cloud's, in the order to synthesize them. */
export interface WorkerRequest {
  readonly units: readonly UnitJob[];
  readonly validation: boolean;
}

/** The message a worker sends for each unit, and last what it used. */
export type WorkerReply =
  | { readonly id: string; readonly ok: true; readonly result: UnitResult }
  | { readonly id?: undefined; readonly stats: { readonly maxRssKiB: number; readonly cpuMs: number } }
  | {
      readonly id: string;
      readonly ok: false;
      readonly error: { name: string; message: string; stack?: string; validationOrder?: readonly string[] };
    };

const REGISTER = path.resolve(__dirname, '..', 'register.js');
const WORKER = path.join(__dirname, 'synth-worker.ts');

/** Synthesizes every unit; one that fails does not stop the others. Rejects only when stopped. */
export async function runUnits(units: readonly UnitJob[], options: RunUnitsOptions): Promise<Map<string, UnitOutcome>> {
  if (units.length === 0) return new Map();
  return options.jobs <= 1 || options.customize ? runHere(units, options) : runInWorkers(units, options);
}

async function runHere(units: readonly UnitJob[], options: RunUnitsOptions): Promise<Map<string, UnitOutcome>> {
  const outcomes = new Map<string, UnitOutcome>();
  for (const unit of bySize(units)) {
    await testPause(`unit:${unit.id}`, options.signal);
    testStep(`unit:${unit.id}`);
    try {
      const result = await synthesizeUnit({
        ...subjectOf(unit),
        cloud: unit.cloud,
        outdir: unit.outdir,
        validation: options.validation,
        ...(options.customize && { customize: options.customize }),
      });
      outcomes.set(unit.id, { ok: true, result });
    } catch (error) {
      outcomes.set(unit.id, { ok: false, error: asError(error) });
    }
    await options.checkpoint(`synthesized:${unit.id}`);
  }
  return outcomes;
}

function asError(error: unknown): UnitFailure {
  return error instanceof Error ? error : new Error(String(error));
}

function runInWorkers(units: readonly UnitJob[], options: RunUnitsOptions): Promise<Map<string, UnitOutcome>> {
  const batches = planBatches(units, options.jobs, options.validation);
  const outcomes = new Map<string, UnitOutcome>();
  const running = new Set<ChildProcess>();
  let next = 0;
  return new Promise((resolve, reject) => {
    let stopping = false;
    const settle = (): void => {
      if (stopping) {
        if (running.size === 0) reject(options.stopped());
        return;
      }
      while (running.size < options.jobs && next < batches.length) start(batches[next++]!);
      if (running.size === 0) {
        options.signal?.removeEventListener('abort', stop);
        resolve(outcomes);
      }
    };
    const stop = (): void => {
      stopping = true;
      // The workers are busy in synchronous synthesis; only a kill ends them at once. Their folders are the run's.
      for (const child of running) child.kill('SIGKILL');
      settle();
    };
    const start = (batch: readonly UnitJob[]): void => {
      const child = fork(WORKER, [], {
        execArgv: ['-r', REGISTER],
        serialization: 'advanced',
        stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
      });
      running.add(child);
      let tail = '';
      let outOfMemory = false;
      child.stderr!.on('data', (chunk: Buffer) => {
        // What a worker prints is the run's (aws-cdk-lib's warnings); the end of it explains a crash. V8's report of
        // an exhausted heap is followed by a native stack trace of any length: it is noticed as it passes.
        process.stderr.write(chunk);
        const text = tail + chunk.toString('utf8');
        outOfMemory ||= OUT_OF_MEMORY.test(text);
        tail = text.slice(-200);
      });
      const started = Date.now();
      child.on('message', (reply: WorkerReply) => {
        if ('stats' in reply) {
          // PLATFORM_SYNTH_STATS=1: what each worker cost, for measuring (the bench, a report on memory use).
          if (process.env.PLATFORM_SYNTH_STATS) {
            const envs = batch.map(unitName).join(',');
            process.stderr.write(
              `worker ${batch[0]!.cloud} ${envs}: ${((Date.now() - started) / 1000).toFixed(2)} s, ` +
                `cpu ${(reply.stats.cpuMs / 1000).toFixed(2)} s, peak RSS ${Math.round(reply.stats.maxRssKiB / 1024)} MiB\n`,
            );
          }
          return;
        }
        outcomes.set(
          reply.id,
          reply.ok
            ? { ok: true, result: reply.result }
            : {
                ok: false,
                error: Object.assign(reviveError(reply.error), { validationOrder: reply.error.validationOrder }),
              },
        );
      });
      let ended = false;
      const end = (error?: Error, code?: number | null, signal?: NodeJS.Signals | null): void => {
        if (ended) return;
        ended = true;
        running.delete(child);
        if (!stopping) {
          const unfinished = batch.filter((u) => !outcomes.has(u.id));
          const crash = crashError(batch, unfinished, outOfMemory, error, code, signal);
          for (const unit of unfinished) outcomes.set(unit.id, { ok: false, error: crash });
        }
        settle();
      };
      child.on('error', (error) => {
        child.kill('SIGKILL');
        end(error);
      });
      child.on('close', (code, signal) => end(undefined, code, signal));
      child.send({ units: batch, validation: options.validation } satisfies WorkerRequest);
    };
    if (options.signal?.aborted) {
      stopping = true;
      settle();
      return;
    }
    options.signal?.addEventListener('abort', stop, { once: true });
    settle();
  });
}

function reviveError(error: { name: string; message: string; stack?: string }): Error {
  const revived = new Error(error.message);
  revived.name = error.name;
  if (error.stack !== undefined) revived.stack = error.stack;
  return revived;
}

/** What V8 prints when a heap limit is reached. */
const OUT_OF_MEMORY = /heap out of memory|Reached heap limit/;

/** Why a worker ended before it reported every unit: it ran out of memory, was killed, or exited. */
function crashError(
  batch: readonly UnitJob[],
  unfinished: readonly UnitJob[],
  outOfMemory: boolean,
  error: Error | undefined,
  code: number | null | undefined,
  signal: NodeJS.Signals | null | undefined,
): Error {
  const names = (list: readonly UnitJob[]): string => list.map(unitName).join(', ');
  const what = `the worker process synthesizing ${batch[0]!.cloud} for ${names(batch)}`;
  let reason: string;
  if (error) reason = `could not be started (${error.message})`;
  else if (outOfMemory) {
    reason =
      'ran out of memory: synthesize with fewer workers (--jobs 1 uses this process alone) or give Node.js more ' +
      'memory (NODE_OPTIONS=--max-old-space-size=<MiB>)';
  } else if (signal) {
    reason = `was killed by ${signal}${signal === 'SIGKILL' ? ' (the system may have run out of memory)' : ''}`;
  } else reason = `exited with code ${String(code)} before it finished (what it printed is above)`;
  const crash = new Error(
    `${what} ${reason}; ${names(unfinished)} ${unfinished.length === 1 ? 'was' : 'were'} not synthesized.`,
  );
  crash.name = 'WorkerCrash';
  return crash;
}

/**
 * Estimated seconds of a worker process of each cloud (its start, library loading and warm-up) and of each unit in
 * it, and the cores it keeps busy, measured on the example environments on 2 cores. The first environment in a
 * process costs several times the next ones (loading, JIT warm-up); with validation on, an AWS process also
 * compiles and starts the schema validator (WebAssembly, partly on V8's background threads: the process keeps about
 * 1.6 cores busy), then validates each further environment in about 0.2 s. Measured: every AWS environment in one
 * process, 5.6 s of wall time and 8.8 s of CPU; in two processes at once, 8.5 s, as each pays the validator's start.
 */
const COSTS: Record<
  Cloud,
  { process: number; unit: number; validatedProcess: number; validatedUnit: number; validatedCores: number }
> = {
  aws: { process: 1.2, unit: 0.45, validatedProcess: 2.5, validatedUnit: 0.2, validatedCores: 1.6 },
  azure: { process: 0.6, unit: 0.2, validatedProcess: 0, validatedUnit: 0, validatedCores: 1 },
};
/** Seconds a process must save to be worth starting: each costs memory (up to 0.5 GiB validated) and CPU. */
const PROCESS_PENALTY = 0.25;

/**
 * Groups the units into worker processes, one cloud each, and orders them for {@link runUnits}: the grouping that
 * finishes first on `jobs` cores by the estimated costs, every count of processes per cloud tried (the fixed cost
 * of a process makes one process for several units cheaper than one each, up to where the cores run idle). A
 * grouping finishes no sooner than its longest process, nor than all its CPU time spread over the cores.
 * The processes come out longest first; the units in each, largest environment first, so that the schema
 * validator, loaded for the first App's resource types, serves the smaller ones after it.
 */
export function planBatches(units: readonly UnitJob[], jobs: number, validation: boolean): UnitJob[][] {
  const clouds = [...new Set(units.map((u) => u.cloud))];
  const unitsOf = new Map(clouds.map((c) => [c, bySize(units.filter((u) => u.cloud === c))]));
  const cost = (batch: readonly UnitJob[]): number => {
    const c = COSTS[batch[0]!.cloud];
    return (
      c.process +
      (validation ? c.validatedProcess : 0) +
      batch.reduce((sum, u) => sum + weight(u), 0) * (c.unit + (validation ? c.validatedUnit : 0))
    );
  };
  const cpu = (batch: readonly UnitJob[]): number =>
    cost(batch) * (validation ? COSTS[batch[0]!.cloud].validatedCores : 1);
  const cores = Math.max(1, jobs);
  let best: { batches: UnitJob[][]; score: number } | undefined;
  const counts = clouds.map(() => 1);
  for (;;) {
    const batches = clouds.flatMap((cloud, i) => {
      const list = unitsOf.get(cloud)!;
      const n = counts[i]!;
      return Array.from({ length: n }, (_, k) => list.filter((_u, j) => j % n === k));
    });
    const busy = batches.reduce((sum, b) => sum + cpu(b), 0) / cores;
    const score = Math.max(makespan(batches.map(cost), cores), busy) + PROCESS_PENALTY * batches.length;
    if (!best || score < best.score - 1e-9) best = { batches, score };
    // The next combination of counts, each from 1 to the smaller of jobs and the cloud's units.
    let i = 0;
    while (i < clouds.length && counts[i]! >= Math.min(jobs, unitsOf.get(clouds[i]!)!.length)) counts[i++] = 1;
    if (i === clouds.length) break;
    counts[i]! += 1;
  }
  return best!.batches.sort((a, b) => cost(b) - cost(a));
}

/** When the last of the tasks ends if each goes, longest first, to the core that is free first. */
function makespan(costs: readonly number[], cores: number): number {
  const loads = Array.from({ length: Math.max(1, cores) }, () => 0);
  for (const c of [...costs].sort((a, b) => b - a)) {
    const least = loads.indexOf(Math.min(...loads));
    loads[least]! += c;
  }
  return Math.max(...loads);
}

/**
 * A unit's cost in environments: one, or for the delivery unit each of its environments and the pipeline, which
 * costs about as much as one more (measured on the example environments, 2 cores, validation on: the three and the
 * pipeline in one process 6.6 s of wall time and 10.8 s of CPU, the three alone 5.9 s and 9.8 s).
 */
function weight(unit: UnitJob): number {
  return unit.delivery ? unitEnvironments(unit).length + 1 : 1;
}

/** Largest unit first (by the size of its resolved spec: the delivery's holds every environment's), then in order. */
function bySize(units: readonly UnitJob[]): UnitJob[] {
  const size = new Map(units.map((u) => [u, JSON.stringify(u.delivery ?? u.environment).length]));
  return [...units].sort((a, b) => size.get(b)! - size.get(a)!);
}
