import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { IConstruct } from 'constructs';
import { DELIVERY_PIPELINE_NAME, type DeliverySpec, type Environment } from '../../lib/core';
import { shownPath, StopError, UsageError, withoutSkipAdvice } from './command';
import {
  assertReplaceable,
  describeUnchanged,
  lockOutputs,
  OutputError,
  recoverOutputs,
  replaceOutputs,
  stagingFolder,
  testPause,
  testStep,
  workFolder,
} from './output-swap';
import { REPOSITORY_ROOT, sourceDigests, writeSourceRecord, type SourceDigests } from './sources';
import {
  assembleCdkOut,
  assembleCdktfOut,
  mergeValidationReports,
  VALIDATION_REPORT,
  type AssemblyUnit,
} from './synth-assembly';
import { pruneCache, restoreUnit, storeUnit, unitEntryName } from './synth-cache';
import { runUnits, type UnitOutcome } from './synth-pool';
import {
  DELIVERY_UNIT,
  unitEnvironments,
  unitName,
  type Cloud,
  type UnitFailure,
  type UnitResult,
  type UnitSubject,
} from './synth-unit';

export type { Cloud } from './synth-unit';
export { defaultCacheFolder } from './synth-cache';

/** Both clouds, in the order output is listed. */
export const CLOUDS: readonly Cloud[] = ['aws', 'azure'];

/** What `npm run synth` was asked for. */
export interface SynthArgs {
  /** Environment names; empty means every environment. */
  readonly environments: readonly string[];
  /** Clouds to synthesize. */
  readonly clouds: readonly Cloud[];
  /** Validate CloudFormation templates against the schemas. */
  readonly validation: boolean;
  /** Write cdk.out/ and cdktf.out/ into this folder instead of the working directory. */
  readonly out?: string;
  /** At most this many worker processes; unset: {@link defaultJobs}. */
  readonly jobs?: number;
  /** Synthesize every environment again, even those whose inputs did not change. */
  readonly force?: boolean;
}

/** Usage text of `npm run synth`. */
export const SYNTH_USAGE =
  'npm run synth -- [--env NAME[,NAME...]]... [--cloud aws|azure] [--no-validation] [--out DIR] [--jobs N] [--force]';

/** Parses the arguments of `npm run synth`; every problem is reported at once. */
export function parseSynthArgs(argv: readonly string[]): SynthArgs {
  const environments: string[] = [];
  let clouds: Cloud[] = [...CLOUDS];
  let validation = true;
  let out: string | undefined;
  let jobs: number | undefined;
  let force = false;
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
      if (v === 'aws' || v === 'azure') clouds = [v];
      else problems.push(`--cloud: ${JSON.stringify(v ?? '')} - use aws or azure`);
    } else if (flag === '--no-validation') {
      validation = false;
    } else if (flag === '--out') {
      const v = value();
      if (!v) problems.push('--out needs a folder');
      else out = v;
    } else if (flag === '--jobs') {
      const v = value();
      if (v !== undefined && /^[1-9]\d*$/.test(v)) jobs = Number(v);
      else problems.push(`--jobs: ${JSON.stringify(v ?? '')} - use a number of processes, 1 or more`);
    } else if (flag === '--force') {
      force = true;
    } else {
      problems.push(`${JSON.stringify(arg)} is not an option`);
    }
  }
  if (problems.length > 0) throw new UsageError(`${problems.join('; ')}\n  ${SYNTH_USAGE}`);
  return {
    environments,
    clouds,
    validation,
    ...(out !== undefined && { out }),
    ...(jobs !== undefined && { jobs }),
    ...(force && { force }),
  };
}

/**
 * The worker processes `npm run synth` uses at most when `--jobs` is not given: `PLATFORM_SYNTH_JOBS` when it is a
 * whole number of at least 1 (set by `npm run review`, which synthesizes two checkouts at once and gives each half
 * the cores; a variable, because an older checkout's synth ignores it instead of refusing an unknown option), else
 * one per core the process may use (os.availableParallelism). Fewer are started when fewer finish sooner (see
 * bin/cli/synth-pool.ts).
 */
export function defaultJobs(): number {
  const fromEnvironment = process.env.PLATFORM_SYNTH_JOBS;
  if (fromEnvironment !== undefined && /^[1-9]\d*$/.test(fromEnvironment)) return Number(fromEnvironment);
  return os.availableParallelism();
}

/** One synthesized stack, for the summary table. */
export interface SynthRow {
  /** The environment the stack belongs to, or `delivery` for the delivery pipeline's stacks, which belong to none. */
  readonly environment: string;
  /** The cloud it was synthesized for. */
  readonly cloud: Cloud;
  /** The CloudFormation stack name or Terraform stack name. */
  readonly stack: string;
  /** Resources in the template (CloudFormation `Resources`, Terraform `resource` blocks). */
  readonly resources: number;
  /** The stack's template or Terraform JSON, relative to the working directory. */
  readonly output: string;
  /** True when the unit's inputs had not changed and its output was taken from the cache. */
  readonly reused: boolean;
}

/** Options of {@link synthesize}. */
export interface SynthOptions {
  /** The resolved environments to synthesize. */
  readonly environments: readonly Environment[];
  /** The clouds to synthesize them for. */
  readonly clouds: readonly Cloud[];
  /** Validate CloudFormation templates against the schemas (aws-cdk-lib's built-in validation). */
  readonly validation: boolean;
  /**
   * The delivery (loadDelivery()). When it has an AWS pipeline, AWS is among the clouds and the environments are
   * exactly the delivery's (every one, in its order), cdk.out/ also holds the pipeline stack `platform-delivery`,
   * as `buildAwsApp({ environments, delivery })` writes it: the AWS side is then one unit, the App of every
   * environment and the pipeline (CDK Pipelines synthesizes each stage as it adds it, so the stages cannot be
   * synthesized apart from it). On a subset of the environments the pipeline, whose waves are the whole list,
   * cannot be built: it is left out ({@link deliveryInRun} says so in a line for the caller to print).
   * @default - no pipeline
   */
  readonly delivery?: DeliverySpec;
  /**
   * Where the AWS cloud assembly goes.
   * @default 'cdk.out'
   */
  readonly cdkOut?: string;
  /**
   * Where the Terraform JSON goes.
   * @default 'cdktf.out'
   */
  readonly cdktfOut?: string;
  /**
   * At most this many worker processes synthesize at a time, each environment on each cloud as an App of its own;
   * 1 synthesizes them one after another in this process. The output is the same byte for byte.
   * @default 1
   */
  readonly jobs?: number;
  /**
   * The folder of the unit cache (see bin/cli/synth-cache.ts and {@link defaultCacheFolder}): an environment whose
   * inputs did not change since it was cached is copied from there instead of synthesized.
   * @default - no cache
   */
  readonly cache?: string;
  /**
   * Synthesize every environment, even those the cache holds (and refresh the cache with them).
   * @default false
   */
  readonly force?: boolean;
  /**
   * Called with each environment's app on each cloud (an App holding that environment alone; with the delivery
   * pipeline, the AWS App holding every environment and the pipeline) after it is built and before it is
   * synthesized: to acknowledge a reviewed change (acknowledgeChange) or adjust a construct the spec does not reach.
   * Synthesizes in this process (jobs is ignored) and without the cache: an App cannot be handed to another process,
   * and what the function does is not part of any cache key.
   * @default - nothing
   */
  readonly customize?: (app: IConstruct, cloud: Cloud) => void;
  /**
   * Stops the run when aborted (with a StopError as its reason, see watchForStop): worker processes are killed at
   * once, a synthesis in this process at the next point between environments or before the output is replaced;
   * what the run wrote is removed and the previous output kept.
   * @default - the run is not stopped; a signal ends the process, and the next run removes what it left
   */
  readonly signal?: AbortSignal;
  /**
   * Receives warnings that do not fail the run (a previous folder that could not be removed) and notes (a swap an
   * earlier, killed run left half done was completed; waiting for another synthesis of the same folders).
   * @default - written to stderr
   */
  readonly warn?: (message: string) => void;
}

/** One cloud that failed to synthesize, and why. */
export interface CloudFailure {
  /** The cloud. */
  readonly cloud: Cloud;
  /** The environments that failed on it, in order. */
  readonly environments: readonly string[];
  /** What it threw: for several environments, one error whose message holds each one's. */
  readonly error: unknown;
}

/**
 * Synthesis failed on one cloud or both; the message holds every cloud's findings, and that nothing was written.
 */
export class SynthesisError extends Error {
  /**
   * @param failures each cloud that failed, in synthesis order
   * @param message the findings of each and what the output folders hold
   */
  constructor(
    public readonly failures: readonly CloudFailure[],
    message: string,
  ) {
    super(message);
    this.name = 'SynthesisError';
  }
}

/** One environment on one cloud in a run, or the AWS delivery unit (every environment and the pipeline). */
type Unit = UnitSubject & {
  readonly id: string;
  readonly cloud: Cloud;
  /** Its folder in the run's work folder; the App writes into `out/` in it. */
  readonly dir: string;
  /** Its cache entry, when the cache is used. */
  readonly entry?: string;
};

/**
 * Whether the delivery pipeline goes into this run's cdk.out/: the delivery to build it from, undefined when it
 * does not apply (no delivery, no AWS pipeline, AWS not asked for), or a note when it applies but the environments
 * are not every environment of the delivery.
 */
export function deliveryInRun(
  delivery: DeliverySpec | undefined,
  environments: readonly Environment[],
  clouds: readonly Cloud[],
): DeliverySpec | { readonly note: string } | undefined {
  if (!delivery?.aws || !clouds.includes('aws')) return undefined;
  const names = (list: readonly Environment[]): string => list.map((e) => e.name).join(', ');
  if (names(environments) === names(delivery.environments)) return delivery;
  const selected = environments.map((e) => e.name);
  const listed = selected.length > 1 ? `${selected.slice(0, -1).join(', ')} and ${selected.at(-1)!}` : selected[0];
  return {
    note:
      `The delivery pipeline ${DELIVERY_PIPELINE_NAME} is left out: its waves are every environment ` +
      `(${names(delivery.environments)}), and this run synthesizes only ${listed ?? 'none'}.`,
  };
}

/**
 * Synthesizes the environments for the clouds into cdk.out/ and cdktf.out/, as one. Each environment on each cloud
 * is a unit: an App holding that environment alone, synthesized into a folder of its own, by worker processes in
 * parallel (`jobs`), or copied from the cache when its inputs did not change (`cache`); with the delivery pipeline
 * (`delivery`), the AWS side is one unit, the App of every environment and the pipeline. The units are then
 * assembled into the output one App holding every environment would write, byte for byte
 * (bin/cli/synth-assembly.ts; the delivery unit is that App), beside the output folders, and the finished folders
 * replace the old ones together, only when every unit succeeded (bin/cli/output-swap.ts: a journal makes the
 * renames complete even across a kill). A unit that fails does not stop the others, so the findings of every
 * environment on both clouds are reported at once. On any error, or when
 * `signal` stops the run, the old output stays as it was and nothing half-written is left. Two runs for the same
 * folders do not overlap: the second waits for the first.
 */
export async function synthesize(options: SynthOptions): Promise<SynthRow[]> {
  if (options.environments.length === 0) throw new UsageError('there is no environment to synthesize');
  const targets: Record<Cloud, string> = {
    aws: path.resolve(options.cdkOut ?? 'cdk.out'),
    azure: path.resolve(options.cdktfOut ?? 'cdktf.out'),
  };
  const warn = options.warn ?? ((message: string) => void process.stderr.write(`${message}\n`));
  const requested = options.clouds.map((cloud) => targets[cloud]);
  const lock = await lockOutputs(targets.aws, {
    onWait: (pid) =>
      warn(`Waiting for another synthesis (pid ${pid}) that is writing ${describeFolders(requested)} to finish.`),
    ...(options.signal && { signal: options.signal }),
    stopped: () => stopError(options.signal, requested),
    cannotLock: () => assertReplaceable(requested),
  });
  try {
    // A killed run may have left a swap half done or its temporary folders: both clouds' folders are put in order.
    for (const note of recoverOutputs(Object.values(targets), warn)) warn(note);
    assertReplaceable(requested);
    return await synthesizeLocked(options, targets, requested, warn);
  } finally {
    lock.release();
  }
}

async function synthesizeLocked(
  options: SynthOptions,
  targets: Record<Cloud, string>,
  requested: readonly string[],
  warn: (message: string) => void,
): Promise<SynthRow[]> {
  const sources = sourceDigests();
  const cache = options.customize ? undefined : options.cache;
  const validation = options.validation;
  const work = workFolder(targets.aws);
  const pipeline = deliveryInRun(options.delivery, options.environments, options.clouds);
  const delivery = pipeline && !('note' in pipeline) ? pipeline : undefined;
  // Without the pipeline in this run, an environment it deploys is built as in the whole App all the same.
  const deliveredBy = (environment: Environment, cloud: Cloud): DeliverySpec | undefined =>
    cloud === 'aws' && options.delivery?.aws && options.delivery.environments.some((e) => e.name === environment.name)
      ? options.delivery
      : undefined;
  const units: Unit[] = options.environments.flatMap((environment) =>
    options.clouds
      .filter((cloud) => !(delivery && cloud === 'aws'))
      .map((cloud) => {
        const by = deliveredBy(environment, cloud);
        return {
          id: `${cloud}:${environment.name}`,
          cloud,
          environment,
          ...(by && { deliveredBy: by }),
          dir: path.join(work, `${cloud}-${environment.name}`),
          ...(cache && {
            entry: unitEntryName({ cloud, environment, validation, sources, ...(by && { deliveredBy: by }) }),
          }),
        };
      }),
  );
  if (delivery) {
    units.unshift({
      id: `aws:${DELIVERY_UNIT}`,
      cloud: 'aws',
      delivery,
      dir: path.join(work, `aws-${DELIVERY_UNIT}`),
      ...(cache && { entry: unitEntryName({ cloud: 'aws', delivery, validation, sources }) }),
    });
  }
  const staged = new Map<Cloud, string>();
  let keepStaged = false;
  let outcomes = new Map<string, UnitOutcome & { reused?: boolean }>();
  try {
    fs.rmSync(work, { recursive: true, force: true });
    fs.mkdirSync(work, { recursive: true });
    if (cache && !options.force) {
      for (const unit of units) {
        const result = restoreUnit(cache, unit.entry!, path.join(unit.dir, 'out'));
        if (result) outcomes.set(unit.id, { ok: true, result, reused: true });
      }
    }
    const fresh = units.filter((u) => !outcomes.has(u.id));
    const ran = await runUnits(
      fresh.map((u) => ({
        ...(u.delivery
          ? { delivery: u.delivery }
          : { environment: u.environment, ...(u.deliveredBy && { deliveredBy: u.deliveredBy }) }),
        id: u.id,
        cloud: u.cloud,
        outdir: path.join(u.dir, 'out'),
      })),
      {
        jobs: options.jobs ?? 1,
        validation,
        ...(options.customize && { customize: options.customize }),
        checkpoint: (step) => checkpoint(options.signal, step, requested),
        ...(options.signal && { signal: options.signal }),
        stopped: () => stopError(options.signal, requested),
      },
    );
    outcomes = new Map([...outcomes, ...ran]);
    const failures = units.filter((u) => !outcomes.get(u.id)!.ok);
    if (failures.length > 0) {
      const error = synthesisError(units, outcomes, options.clouds, requested, targets.aws);
      if (cache) storeInCache(cache, units, outcomes, sources);
      throw error;
    }
    const resultOf = (u: Unit): UnitResult => (outcomes.get(u.id) as { result: UnitResult }).result;
    const rows: SynthRow[] = [];
    for (const cloud of options.clouds) {
      const temp = stagingFolder(targets[cloud]);
      fs.rmSync(temp, { recursive: true, force: true });
      staged.set(cloud, temp);
      const ofCloud = units.filter((u) => u.cloud === cloud);
      const parts = ofCloud.map((u) => ({
        environment: unitName(u),
        dir: path.join(u.dir, 'out'),
        result: resultOf(u),
      }));
      // The delivery unit is the one App holding every environment: its output is cdk.out/ as it is.
      if (cloud === 'aws' && delivery) fs.cpSync(parts[0]!.dir, temp, { recursive: true });
      else if (cloud === 'aws') assembleCdkOut(parts, temp);
      else assembleCdktfOut(parts, temp);
      writeSourceRecord(temp, sources);
      for (const unit of ofCloud) {
        for (const stack of resultOf(unit).stacks) {
          rows.push({
            environment: stack.environment ?? unitName(unit),
            cloud,
            stack: stack.stack,
            resources: stack.resources,
            output: path.relative(process.cwd(), path.join(targets[cloud], stack.output)),
            reused: outcomes.get(unit.id)!.reused === true,
          });
        }
      }
      await checkpoint(options.signal, `staged:${cloud}`, requested);
    }
    await checkpoint(options.signal, 'staged', requested);
    try {
      replaceOutputs(
        options.clouds.map((cloud) => ({ label: cloud, target: targets[cloud], staged: staged.get(cloud)! })),
        warn,
      );
    } catch (error) {
      keepStaged = error instanceof OutputError && error.pending;
      throw error;
    }
    staged.clear();
    // A report kept from an earlier failed run no longer describes cdk.out/.
    if (options.clouds.includes('aws')) fs.rmSync(`${targets.aws}.${VALIDATION_REPORT}`, { force: true });
    if (cache) storeInCache(cache, units, outcomes, sources);
    // The pipeline's stacks, of no environment, come after every environment's.
    const order = (row: SynthRow): number => {
      const at = options.environments.findIndex((e) => e.name === row.environment);
      return at >= 0 ? at : options.environments.length;
    };
    return rows.sort(
      (a, b) =>
        order(a) - order(b) || CLOUDS.indexOf(a.cloud) - CLOUDS.indexOf(b.cloud) || (a.stack < b.stack ? -1 : 1),
    );
  } finally {
    if (!keepStaged) for (const temp of staged.values()) fs.rmSync(temp, { recursive: true, force: true });
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Keeps the units this run synthesized in the cache, unless a source file changed while it ran (then what the
 * units hold may be of either version). Best effort: a cache that cannot be written costs speed, not output.
 */
function storeInCache(
  cache: string,
  units: readonly Unit[],
  outcomes: ReadonlyMap<string, UnitOutcome & { reused?: boolean }>,
  sources: SourceDigests,
): void {
  const fresh = units.filter((u) => {
    const outcome = outcomes.get(u.id);
    return outcome?.ok === true && !outcome.reused;
  });
  if (fresh.length === 0) return;
  if (JSON.stringify(sourceDigests(REPOSITORY_ROOT, { fresh: true })) !== JSON.stringify(sources)) return;
  for (const unit of fresh) {
    const outcome = outcomes.get(unit.id) as { result: UnitResult };
    storeUnit(cache, unit.entry!, unit.dir, outcome.result);
  }
  pruneCache(cache);
}

/**
 * A point where the run may stop without leaving anything: between units synthesized in this process and before
 * the output is replaced. With a stop signal, the event loop turns twice first, so that a signal or a parent's exit
 * that came during a synchronous synthesis is seen here and not after the swap.
 */
async function checkpoint(signal: AbortSignal | undefined, step: string, targets: readonly string[]): Promise<void> {
  if (signal) {
    await new Promise(setImmediate);
    await new Promise(setImmediate);
    await testPause(step, signal);
  }
  if (signal?.aborted) throw stopError(signal, targets);
  testStep(step);
}

/** The error of a run that `signal` stopped. */
function stopError(signal: AbortSignal | undefined, targets: readonly string[]): StopError {
  const reason = signal?.reason instanceof StopError ? signal.reason : new StopError('stopped');
  return new StopError(
    `Synthesis ${reason.message}: nothing was replaced and nothing of this run is left; ${describeUnchanged(targets)}.`,
    reason.signal,
  );
}

function describeFolders(targets: readonly string[]): string {
  return targets.map((t) => `${shownPath(t)}/`).join(' and ');
}

/**
 * The error of a run in which units failed: each cloud's failures, each environment's message once (a worker that
 * crashed names every environment it did not finish). When a guardrail or the schema validation failed,
 * aws-cdk-lib points at the report inside the unit's folder, which is about to be removed: the report of every
 * environment is merged as one App would have written it and kept beside cdk.out/ instead.
 */
function synthesisError(
  units: readonly Unit[],
  outcomes: ReadonlyMap<string, UnitOutcome>,
  clouds: readonly Cloud[],
  targets: readonly string[],
  cdkOut: string,
): SynthesisError {
  const failures: CloudFailure[] = [];
  for (const cloud of clouds) {
    const failed = units.flatMap((u) => {
      const outcome = outcomes.get(u.id)!;
      return u.cloud === cloud && !outcome.ok ? [{ unit: u, error: outcome.error }] : [];
    });
    if (failed.length === 0) continue;
    const kept = cloud === 'aws' ? keepValidationReport(units, outcomes, cdkOut) : undefined;
    const messages = new Map<string, string[]>();
    for (const { unit, error } of failed) {
      const message = withoutSkipAdvice(error.message)
        .replace(/A copy of this report can be found in: \S+/, '')
        .trim();
      messages.set(message, [...(messages.get(message) ?? []), unitName(unit)]);
    }
    const text =
      messages.size === 1
        ? [...messages.keys()][0]!
        : [...messages].map(([m, names]) => `${names.join(', ')}:\n${m.replace(/^(?=.)/gm, '  ')}`).join('\n\n');
    const note = kept
      ? `\nThe guardrails (or the schema validation) failed: the findings are listed above; the full report is in ${path.relative(process.cwd(), kept)}.`
      : '';
    const error: UnitFailure =
      failed.length === 1 && !kept ? failed[0]!.error : new Error(`${text}${note}`, { cause: failed[0]!.error });
    failures.push({ cloud, environments: failed.flatMap((f) => unitEnvironments(f.unit).map((e) => e.name)), error });
  }
  const messageOf = (error: unknown): string =>
    withoutSkipAdvice(error instanceof Error ? error.message : String(error))
      .replace(/A copy of this report can be found in: \S+/, '')
      .trim();
  const passed = clouds.filter((c) => !failures.some((f) => f.cloud === c));
  const heading =
    failures.length === 1
      ? `Synthesis failed on ${failures[0]!.cloud}: ${messageOf(failures[0]!.error)}`
      : `Synthesis failed on ${failures.map((f) => f.cloud).join(' and ')}:\n\n${failures
          .map((f) => `${f.cloud}:\n${messageOf(f.error).replace(/^(?=.)/gm, '  ')}`)
          .join('\n\n')}`;
  const written = passed.length
    ? `${passed.join(' and ')} synthesized without errors, but nothing was written (all clouds or none)`
    : 'Nothing was written';
  return new SynthesisError(failures, `${heading}\n\n${written}: ${describeUnchanged(targets)}.`);
}

/** Writes the validation report of every AWS unit that has one beside cdk.out/; returns where, or undefined. */
function keepValidationReport(
  units: readonly Unit[],
  outcomes: ReadonlyMap<string, UnitOutcome>,
  cdkOut: string,
): string | undefined {
  const failedWithReport = units.some(
    (u) => u.cloud === 'aws' && !outcomes.get(u.id)!.ok && fs.existsSync(path.join(u.dir, 'out', VALIDATION_REPORT)),
  );
  if (!failedWithReport) return undefined;
  const kept = `${cdkOut}.${VALIDATION_REPORT}`;
  const delivery = units.find((u) => u.cloud === 'aws' && u.delivery);
  if (delivery) {
    // The delivery unit is the one App: its report is the App's.
    fs.copyFileSync(path.join(delivery.dir, 'out', VALIDATION_REPORT), kept);
    return kept;
  }
  const parts: AssemblyUnit[] = units
    .filter((u) => u.cloud === 'aws' && fs.existsSync(path.join(u.dir, 'out', VALIDATION_REPORT)))
    .map((u) => {
      const outcome = outcomes.get(u.id)!;
      const result: UnitResult = outcome.ok
        ? outcome.result
        : { stacks: [], ...(outcome.error.validationOrder && { validationOrder: outcome.error.validationOrder }) };
      return { environment: unitName(u), dir: path.join(u.dir, 'out'), result };
    });
  fs.writeFileSync(kept, JSON.stringify(mergeValidationReports(parts), undefined, 2));
  return kept;
}

/**
 * One line per environment taken from the cache, saying so (`dev: unchanged since it was last synthesized, aws and
 * azure reused; --force synthesizes it again`), or an empty string when every environment was synthesized.
 */
export function formatReused(rows: readonly SynthRow[]): string {
  const reused = new Map<string, Cloud[]>();
  for (const row of rows.filter((r) => r.reused)) {
    const clouds = reused.get(row.environment) ?? [];
    if (!clouds.includes(row.cloud)) clouds.push(row.cloud);
    reused.set(row.environment, clouds);
  }
  return [...reused]
    .map(
      ([environment, clouds]) =>
        `${environment}: unchanged since it was last synthesized, ${clouds.join(' and ')} reused; --force synthesizes it again`,
    )
    .join('\n');
}

/**
 * The name of a row's stack as the cloud's command line accepts it: for AWS the stack's path in the app
 * (`platform-dev/compute`, what `cdk deploy` and `cdk diff` select stacks inside a Stage by; the CloudFormation name
 * `platform-dev-compute` selects nothing), read from the cloud assembly manifest beside the template; for Azure the
 * cdktf stack, which is also the folder `terraform -chdir=cdktf.out/stacks/<stack>` runs in.
 */
function commandLineNames(rows: readonly SynthRow[], from: string): string[] {
  const manifests = new Map<string, Map<string, string>>();
  const pathsIn = (dir: string): Map<string, string> => {
    let byTemplate = manifests.get(dir);
    if (byTemplate) return byTemplate;
    byTemplate = new Map();
    try {
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as {
        artifacts?: Record<string, { type?: string; displayName?: string; properties?: { templateFile?: string } }>;
      };
      for (const artifact of Object.values(manifest.artifacts ?? {})) {
        const template = artifact.properties?.templateFile;
        if (artifact.type === 'aws:cloudformation:stack' && template && artifact.displayName) {
          byTemplate.set(template, artifact.displayName);
        }
      }
    } catch {
      // No manifest to read (rows not written by synthesize): the stack name stands in.
    }
    manifests.set(dir, byTemplate);
    return byTemplate;
  };
  return rows.map((row) => {
    if (row.cloud !== 'aws') return row.stack;
    const template = path.resolve(from, row.output);
    return pathsIn(path.dirname(template)).get(path.basename(template)) ?? row.stack;
  });
}

/**
 * Renders the rows as an aligned table, environments and clouds in the order synthesized. The stack column holds the
 * name each cloud's command line accepts: `npx cdk deploy platform-dev/compute` (or `'platform-dev/*'` for the whole
 * environment), `terraform -chdir=cdktf.out/stacks/platform-dev plan`.
 * @param rows what {@link synthesize} returned
 * @param from the folder the rows' `output` paths are relative to, where the AWS rows' manifests are read
 */
export function formatSummary(rows: readonly SynthRow[], from: string = process.cwd()): string {
  const header = ['environment', 'cloud', 'stack', 'resources', 'output'];
  const names = commandLineNames(rows, from);
  const cells = rows.map((r, i) => [r.environment, r.cloud, names[i]!, String(r.resources), r.output]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]): string =>
    c
      .map((v, i) => (i === 3 ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}
