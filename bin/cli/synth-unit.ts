import * as fs from 'node:fs';
import * as path from 'node:path';
import type { IConstruct } from 'constructs';
import type { Environment } from '../../lib/core';

/**
 * One unit of synthesis: one environment on one cloud, built as an App of its own (holding that environment only)
 * and synthesized into a folder of its own. Units are what worker processes synthesize in parallel and what the
 * cache keeps; bin/cli/synth-assembly.ts joins them into the cdk.out/ and cdktf.out/ one App holding every
 * environment would write. Runs in a worker process (bin/cli/synth-worker.ts) or, with `--jobs 1`, in the process of
 * `npm run synth` itself.
 */

/** A cloud the library synthesizes for. */
export type Cloud = 'aws' | 'azure';

/** One stack a unit synthesized, for the summary table. */
export interface UnitStack {
  /** The CloudFormation stack name or Terraform stack name. */
  readonly stack: string;
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

/** What {@link synthesizeUnit} is asked to do. */
export interface UnitRequest {
  /** The cloud. */
  readonly cloud: Cloud;
  /** The one environment the unit's App holds. */
  readonly environment: Environment;
  /** The folder the App writes into: the unit's folder. */
  readonly outdir: string;
  /** Validate CloudFormation templates against the schemas (aws-cdk-lib's built-in validation). */
  readonly validation: boolean;
  /**
   * Called with the unit's App after it is built and before it is synthesized.
   * @default - nothing
   */
  readonly customize?: (app: IConstruct, cloud: Cloud) => void;
}

/** A unit that failed: the error, and what of the validation report's order is known (see UnitResult). */
export interface UnitFailure extends Error {
  /** The order CloudFormation Validate found its violations in, when it ran. */
  validationOrder?: readonly string[];
}

/** Synthesizes one unit; the cloud's library is loaded on first use, so a process of one cloud never loads the other. */
export async function synthesizeUnit(request: UnitRequest): Promise<UnitResult> {
  fs.mkdirSync(request.outdir, { recursive: true });
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
    const app = buildAwsApp({
      environments: [request.environment],
      outdir: request.outdir,
      validation: request.validation,
    });
    request.customize?.(app, 'aws');
    const assembly = app.synth();
    const maxNodes = app.node.tryGetContext(TREE_MAX_NODES_CONTEXT) as unknown;
    const validationOrder = recorder.stop();
    return {
      stacks: assembly.stacksRecursively.map((stack) => ({
        stack: stack.stackName,
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
  const app = buildAzureApp({ environments: [request.environment], outdir: request.outdir });
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
