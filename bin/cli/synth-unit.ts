import * as fs from 'node:fs';
import * as path from 'node:path';
import type { IConstruct } from 'constructs';
import { PLATFORM_PREFIX, type DeliverySpec, type Environment } from '../../lib/core';

/**
 * One unit of synthesis: one environment on one cloud, built as an App of its own (holding that environment only)
 * and synthesized into a folder of its own; or the AWS delivery unit, the App of every environment with the delivery
 * pipeline (see {@link UnitSubject}). Units are what worker processes synthesize in parallel and what the cache
 * keeps; bin/cli/synth-assembly.ts joins them into the cdk.out/ and cdktf.out/ one App holding every environment
 * would write. Runs in a worker process (bin/cli/synth-worker.ts) or, with `--jobs 1`, in the process of
 * `npm run synth` itself.
 */

/** A cloud the library synthesizes for. */
export type Cloud = 'aws' | 'azure';

/**
 * What a unit's App holds: one environment, or (AWS only) the delivery, whose App holds every environment of the
 * delivery, in its order, and the delivery pipeline stack. CDK Pipelines synthesizes each stage when the pipeline
 * adds it, which changes the stages' own output (their stacks are validated on synthesis), and its waves are the
 * whole list of environments: the pipeline can be neither split from its environments nor built on a subset.
 */
export type UnitSubject =
  | {
      readonly environment: Environment;
      readonly delivery?: undefined;
      /**
       * The delivery whose pipeline deploys the environment, when the run does not build the pipeline (a subset of the
       * environments): the environment's foundation then holds what it lends the pipeline, as in the whole App.
       */
      readonly deliveredBy?: DeliverySpec;
    }
  | { readonly delivery: DeliverySpec; readonly environment?: undefined };

/** The name of the delivery unit in messages, in the summary table's environment column and in the cache. */
export const DELIVERY_UNIT = 'delivery';

/** The environments a unit's App holds, in order. */
export function unitEnvironments(subject: UnitSubject): readonly Environment[] {
  return subject.delivery ? subject.delivery.environments : [subject.environment];
}

/** The name of a unit in messages: its environment's, or {@link DELIVERY_UNIT}. */
export function unitName(subject: UnitSubject): string {
  return subject.delivery ? DELIVERY_UNIT : subject.environment.name;
}

/** One stack a unit synthesized, for the summary table. */
export interface UnitStack {
  /** The CloudFormation stack name or Terraform stack name. */
  readonly stack: string;
  /**
   * The environment the stack belongs to, or {@link DELIVERY_UNIT} for a stack of no environment (the pipeline's);
   * set by the delivery unit only.
   * @default - the unit's environment
   */
  readonly environment?: string;
  /** Resources in the template (CloudFormation `Resources`, Terraform `resource` blocks). */
  readonly resources: number;
  /** The template or Terraform JSON, relative to the unit's folder. */
  readonly output: string;
}

/** What a unit produced besides its folder: what the summary table and the assembly need. */
export interface UnitResult {
  /** Its stacks, in the order the cloud's library lists them. */
  readonly stacks: readonly UnitStack[];
  /**
   * The violations CloudFormation Validate found, in the order it found them (see {@link violationKey}): the order
   * one App holding every environment would list them in follows from it, and the report alone does not keep it.
   */
  readonly validationOrder?: readonly string[];
  /** aws-cdk-lib's limit of nodes per tree.json file, when the context sets one. */
  readonly treeMaxNodes?: number;
}

/** What {@link synthesizeUnit} is asked to do: the unit's cloud and what its App holds. */
export type UnitRequest = UnitSubject & {
  /** The cloud; a delivery unit's is `aws`. */
  readonly cloud: Cloud;
  /** The folder the App writes into: the unit's folder. */
  readonly outdir: string;
  /** Validate CloudFormation templates against the schemas (aws-cdk-lib's built-in validation). */
  readonly validation: boolean;
  /**
   * Called with the unit's App after it is built and before it is synthesized.
   * @default - nothing
   */
  readonly customize?: (app: IConstruct, cloud: Cloud) => void;
};

/** A unit that failed: the error, and what of the validation report's order is known (see UnitResult). */
export interface UnitFailure extends Error {
  /** The order CloudFormation Validate found its violations in, when it ran. */
  validationOrder?: readonly string[];
}

/** Synthesizes one unit; the cloud's library is loaded on first use, so a process of one cloud never loads the other. */
export async function synthesizeUnit(request: UnitRequest): Promise<UnitResult> {
  fs.mkdirSync(request.outdir, { recursive: true });
  if (request.delivery && request.cloud !== 'aws') throw new Error('The delivery unit is synthesized for AWS only');
  return request.cloud === 'aws' ? synthesizeAws(request) : synthesizeAzure(request);
}

async function synthesizeAws(request: UnitRequest): Promise<UnitResult> {
  const { buildAwsApp } = await import('../../stacks/aws');
  const recorder = await recordValidationOrder();
  // aws-cdk-lib prints guardrail findings to stderr and throws a bare "Validation failed" unless it runs in memory;
  // here the findings belong in the error, beside the other cloud's.
  const appMode = process.env.CDK_APP_MODE;
  process.env.CDK_APP_MODE = appMode ?? 'inmemory';
  try {
    const environments = unitEnvironments(request);
    const app = buildAwsApp({
      environments,
      ...((request.delivery ?? request.deliveredBy) && { delivery: request.delivery ?? request.deliveredBy }),
      outdir: request.outdir,
      validation: request.validation,
    });
    request.customize?.(app, 'aws');
    const assembly = app.synth();
    const maxNodes = app.node.tryGetContext(TREE_MAX_NODES_CONTEXT) as unknown;
    const validationOrder = recorder.stop();
    // A stack of an environment is in its stage, `platform-<env>/<stack>`; the others (the pipeline's) in the App.
    const environmentOf = (displayName: string): string =>
      environments.find((e) => displayName.startsWith(`${PLATFORM_PREFIX}-${e.name}/`))?.name ?? DELIVERY_UNIT;
    return {
      stacks: assembly.stacksRecursively.map((stack) => ({
        stack: stack.stackName,
        ...(request.delivery && { environment: environmentOf(stack.displayName) }),
        resources: Object.keys((stack.template as { Resources?: object }).Resources ?? {}).length,
        output: path.relative(request.outdir, stack.templateFullPath),
      })),
      ...(validationOrder && { validationOrder }),
      ...(maxNodes !== undefined && { treeMaxNodes: Number(maxNodes) }),
    };
  } catch (error) {
    const validationOrder = recorder.stop();
    if (validationOrder && error instanceof Error) (error as UnitFailure).validationOrder = validationOrder;
    throw error;
  } finally {
    if (appMode === undefined) delete process.env.CDK_APP_MODE;
  }
}

async function synthesizeAzure(request: UnitRequest): Promise<UnitResult> {
  const { buildAzureApp } = await import('../../stacks/azure');
  const app = buildAzureApp({ environments: unitEnvironments(request), outdir: request.outdir });
  request.customize?.(app, 'azure');
  app.synth();
  const manifest = JSON.parse(fs.readFileSync(path.join(request.outdir, 'manifest.json'), 'utf8')) as {
    stacks: Record<string, { name: string; synthesizedStackPath: string }>;
  };
  return {
    stacks: Object.values(manifest.stacks).map((stack) => {
      const tf = JSON.parse(fs.readFileSync(path.join(request.outdir, stack.synthesizedStackPath), 'utf8')) as {
        resource?: Record<string, Record<string, unknown>>;
      };
      return {
        stack: stack.name,
        resources: Object.values(tf.resource ?? {}).reduce((sum, byName) => sum + Object.keys(byName).length, 0),
        output: stack.synthesizedStackPath,
      };
    }),
  };
}

/** The context key that sets aws-cdk-lib's limit of nodes per tree.json file. */
export const TREE_MAX_NODES_CONTEXT = '@aws-cdk/core.TreeMetadata:maxNodes';

/** A violation as the validation report renders it: its rule, severity and description identify its entry. */
export interface ReportedViolation {
  readonly ruleName: string;
  readonly description: string;
  readonly severity?: string;
  readonly customSeverity?: string;
}

/**
 * The identity of a violation in a plugin's report: aws-cdk-lib's plugins list one entry per rule, severity and
 * description, with every resource it was found on.
 */
export function violationKey(v: ReportedViolation): string {
  return JSON.stringify([v.ruleName, v.severity ?? 'error', v.customSeverity ?? null, v.description]);
}

/** A severity as aws-cdk-lib's report renders it (validation/private/report.js: normalizeSeverity). */
function renderedSeverity(severity: string | undefined): { severity: string; customSeverity?: string } {
  if (!severity) return { severity: 'error' };
  const lower = severity.toLowerCase();
  return ['fatal', 'error', 'warning', 'info'].includes(lower)
    ? { severity: lower }
    : { severity: 'custom', customSeverity: severity };
}

interface ValidationRecorder {
  /** Stops recording; the keys of the violations found meanwhile, or undefined when the validation did not run. */
  stop(): string[] | undefined;
}

interface RawViolation {
  readonly ruleName: string;
  readonly description: string;
  readonly severity?: string;
}

let recording: RawViolation[][] | undefined;

/**
 * Records, through the public `validate` method of aws-cdk-lib's CloudFormationValidatePlugin, the violations it
 * returns and their order. The keys are taken when recording stops: aws-cdk-lib adjusts the severities after the
 * plugin returns, and the report shows the adjusted ones.
 */
async function recordValidationOrder(): Promise<ValidationRecorder> {
  const { CloudFormationValidatePlugin } = await import('aws-cdk-lib');
  const proto = CloudFormationValidatePlugin.prototype as unknown as {
    validate: (...args: unknown[]) => { violations: RawViolation[] };
    [WRAPPED]?: true;
  };
  if (!proto[WRAPPED]) {
    const validate = proto.validate;
    proto.validate = function (this: unknown, ...args: unknown[]) {
      const report = validate.apply(this, args);
      recording?.push([...report.violations]);
      return report;
    };
    proto[WRAPPED] = true;
  }
  const calls: RawViolation[][] = [];
  recording = calls;
  return {
    stop: () => {
      recording = undefined;
      if (calls.length === 0) return undefined;
      return calls.flat().map((v) => violationKey({ ...v, ...renderedSeverity(v.severity) }));
    },
  };
}

const WRAPPED = Symbol.for('platform-constructs.recordValidationOrder');
