import * as fs from 'node:fs';
import * as path from 'node:path';
import type { IConstruct } from 'constructs';
import { PLATFORM_PREFIX, type Environment } from '../lib/core';
import { StopError, UsageError, withoutSkipAdvice } from './cli';
import {
  assertReplaceable,
  describeUnchanged,
  OutputError,
  recoverOutputs,
  replaceOutputs,
  stagingFolder,
  testPause,
  testStep,
} from './output-swap';
import { sourceDigests, writeSourceRecord } from './sources';

/** A cloud the library synthesizes for. */
export type Cloud = 'aws' | 'azure';
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
}

/** Usage text of `npm run synth`. */
export const SYNTH_USAGE = `npm run synth -- [--env NAME[,NAME...]]... [--cloud aws|azure] [--no-validation] [--out DIR]`;

/** Parses the arguments of `npm run synth`; every problem is reported at once. */
export function parseSynthArgs(argv: readonly string[]): SynthArgs {
  const environments: string[] = [];
  let clouds: Cloud[] = [...CLOUDS];
  let validation = true;
  let out: string | undefined;
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
    } else {
      problems.push(`${JSON.stringify(arg)} is not an option`);
    }
  }
  if (problems.length > 0) throw new UsageError(`${problems.join('; ')}\n  ${SYNTH_USAGE}`);
  return { environments, clouds, validation, ...(out !== undefined && { out }) };
}

/** One synthesized stack, for the summary table. */
export interface SynthRow {
  /** The environment the stack belongs to. */
  readonly environment: string;
  /** The cloud it was synthesized for. */
  readonly cloud: Cloud;
  /** The CloudFormation stack name or Terraform stack name. */
  readonly stack: string;
  /** Resources in the template (CloudFormation `Resources`, Terraform `resource` blocks). */
  readonly resources: number;
  /** The stack's template or Terraform JSON, relative to the working directory. */
  readonly output: string;
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
   * Called with each cloud's app after it is built and before it is synthesized: to acknowledge a reviewed
   * change (acknowledgeChange) or adjust a construct the spec does not reach.
   * @default - nothing
   */
  readonly customize?: (app: IConstruct, cloud: Cloud) => void;
  /**
   * Stops the run when aborted (with a StopError as its reason, see watchForStop): at the next point between
   * clouds or before the output is replaced, removing what the run wrote and keeping the previous output.
   * @default - the run is not stopped; a signal ends the process, and the next run removes what it left
   */
  readonly signal?: AbortSignal;
  /**
   * Receives warnings that do not fail the run (a previous folder that could not be removed) and notes (a swap an
   * earlier, killed run left half done was completed).
   * @default - written to stderr
   */
  readonly warn?: (message: string) => void;
}

/** One cloud that failed to synthesize, and why. */
export interface CloudFailure {
  /** The cloud. */
  readonly cloud: Cloud;
  /** What it threw. */
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

/**
 * Synthesizes the environments for the clouds into cdk.out/ and cdktf.out/, as one: every cloud is synthesized
 * into a temporary folder beside its output folder, and the finished folders replace the old ones together, only
 * when every cloud succeeded (stacks/output-swap.ts: a journal makes the renames complete even across a kill).
 * A cloud that fails does not stop the others, so the findings of both clouds are reported at once. On any error,
 * or when `signal` stops the run, the old output stays as it was and nothing half-written is left.
 */
export async function synthesize(options: SynthOptions): Promise<SynthRow[]> {
  const targets: Record<Cloud, string> = {
    aws: path.resolve(options.cdkOut ?? 'cdk.out'),
    azure: path.resolve(options.cdktfOut ?? 'cdktf.out'),
  };
  const warn = options.warn ?? ((message: string) => void process.stderr.write(`${message}\n`));
  const requested = options.clouds.map((cloud) => targets[cloud]);
  // A killed run may have left a swap half done or its temporary folders: both clouds' folders are put in order.
  for (const note of recoverOutputs(Object.values(targets), warn)) warn(note);
  assertReplaceable(requested);
  const sources = sourceDigests();
  const staged = new Map<Cloud, string>();
  let keepStaged = false;
  try {
    const rows: SynthRow[] = [];
    const failures: CloudFailure[] = [];
    for (const cloud of options.clouds) {
      const temp = stagingFolder(targets[cloud]);
      fs.rmSync(temp, { recursive: true, force: true });
      fs.mkdirSync(path.dirname(temp), { recursive: true });
      staged.set(cloud, temp);
      try {
        const synthRows = cloud === 'aws' ? await synthAws(options, temp) : await synthAzure(options, temp);
        rows.push(
          ...synthRows.map((r) => ({
            ...r,
            output: path.relative(process.cwd(), path.join(targets[cloud], r.output)),
          })),
        );
        writeSourceRecord(temp, sources);
      } catch (error) {
        failures.push({ cloud, error: cloud === 'aws' ? keepValidationReport(error, temp, targets.aws) : error });
      }
      await checkpoint(options.signal, `staged:${cloud}`, requested);
    }
    if (failures.length > 0) throw synthesisError(failures, options.clouds, requested);
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
    if (options.clouds.includes('aws')) fs.rmSync(`${targets.aws}.validation-report.json`, { force: true });
    const order = (row: SynthRow): number => options.environments.findIndex((e) => e.name === row.environment);
    return rows.sort(
      (a, b) =>
        order(a) - order(b) || CLOUDS.indexOf(a.cloud) - CLOUDS.indexOf(b.cloud) || (a.stack < b.stack ? -1 : 1),
    );
  } finally {
    if (!keepStaged) for (const temp of staged.values()) fs.rmSync(temp, { recursive: true, force: true });
  }
}

/**
 * A point where the run may stop without leaving anything: between clouds and before the output is replaced.
 * With a stop signal, the event loop turns twice first, so that a signal or a parent's exit that came during the
 * synchronous synthesis is seen here and not after the swap.
 */
async function checkpoint(signal: AbortSignal | undefined, step: string, targets: readonly string[]): Promise<void> {
  if (signal) {
    await new Promise(setImmediate);
    await new Promise(setImmediate);
    await testPause(step, signal);
  }
  if (signal?.aborted) {
    const reason = signal.reason instanceof StopError ? signal.reason : new StopError('stopped');
    throw new StopError(
      `Synthesis ${reason.message}: nothing was replaced and nothing of this run is left; ${describeUnchanged(targets)}.`,
      reason.signal,
    );
  }
  testStep(step);
}

function synthesisError(
  failures: readonly CloudFailure[],
  clouds: readonly Cloud[],
  targets: readonly string[],
): SynthesisError {
  const messageOf = (error: unknown): string =>
    withoutSkipAdvice(error instanceof Error ? error.message : String(error)).trim();
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

// Each cloud's library is loaded only when that cloud is synthesized: `--cloud azure` never pays for
// aws-cdk-lib, nor `--cloud aws` for cdktf.
async function synthAws(options: SynthOptions, outdir: string): Promise<SynthRow[]> {
  const { buildAwsApp } = await import('./aws');
  // aws-cdk-lib prints guardrail findings to stderr and throws a bare "Validation failed" unless it runs in memory;
  // here the findings belong in the error, beside the other cloud's.
  const appMode = process.env.CDK_APP_MODE;
  process.env.CDK_APP_MODE = appMode ?? 'inmemory';
  let assembly;
  try {
    const app = buildAwsApp({ environments: options.environments, outdir, validation: options.validation });
    options.customize?.(app, 'aws');
    assembly = app.synth();
  } finally {
    if (appMode === undefined) delete process.env.CDK_APP_MODE;
  }
  return assembly.stacksRecursively.map((stack) => ({
    environment: environmentOf(stack.stackName, options.environments),
    cloud: 'aws' as const,
    stack: stack.stackName,
    resources: Object.keys(stack.template.Resources ?? {}).length,
    output: path.relative(outdir, stack.templateFullPath),
  }));
}

async function synthAzure(options: SynthOptions, outdir: string): Promise<SynthRow[]> {
  const { buildAzureApp } = await import('./azure');
  const app = buildAzureApp({ environments: options.environments, outdir });
  options.customize?.(app, 'azure');
  app.synth();
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as {
    stacks: Record<string, { name: string; synthesizedStackPath: string }>;
  };
  return Object.values(manifest.stacks).map((stack) => {
    const tf = JSON.parse(fs.readFileSync(path.join(outdir, stack.synthesizedStackPath), 'utf8')) as {
      resource?: Record<string, Record<string, unknown>>;
    };
    return {
      environment: environmentOf(stack.name, options.environments),
      cloud: 'azure' as const,
      stack: stack.name,
      resources: Object.values(tf.resource ?? {}).reduce((sum, byName) => sum + Object.keys(byName).length, 0),
      output: stack.synthesizedStackPath,
    };
  });
}

function environmentOf(stackName: string, environments: readonly Environment[]): string {
  const match = environments.find(
    (e) => stackName === `${PLATFORM_PREFIX}-${e.name}` || stackName.startsWith(`${PLATFORM_PREFIX}-${e.name}-`),
  );
  return match?.name ?? '?';
}

/**
 * When a guardrail or the schema validation fails, aws-cdk-lib points at the report inside the temporary
 * folder, which is about to be removed: keep the report beside cdk.out/ and say where it is instead.
 */
function keepValidationReport(error: unknown, outdir: string, cdkOut: string): unknown {
  const report = path.join(outdir, 'validation-report.json');
  if (!(error instanceof Error) || !fs.existsSync(report)) return error;
  const kept = `${cdkOut}.validation-report.json`;
  fs.copyFileSync(report, kept);
  const message = error.message.replace(/A copy of this report can be found in: \S+/, '').trimEnd();
  return new Error(
    `${message}\nThe guardrails (or the schema validation) failed: the findings are listed above; the full report is in ${path.relative(process.cwd(), kept)}.`,
    { cause: error },
  );
}

/** Renders the rows as an aligned table, environments and clouds in the order synthesized. */
export function formatSummary(rows: readonly SynthRow[]): string {
  const header = ['environment', 'cloud', 'stack', 'resources', 'output'];
  const cells = rows.map((r) => [r.environment, r.cloud, r.stack, String(r.resources), r.output]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]): string =>
    c
      .map((v, i) => (i === 3 ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}
