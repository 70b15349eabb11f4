/**
 * The AWS floor: the cheapest aws-cdk-lib program that emits the very templates `npm run synth` wrote. It replays a
 * cloud assembly into one App: a Stage per nested assembly (so the assembly has the same shape), a Stack per
 * template with the same construct id, stack name, environment, termination protection, tags and stack
 * dependencies, and every section of the template through the plainest construct there is: Resources as
 * CfnResource (logical ID, Properties, DependsOn, DeletionPolicy, UpdateReplacePolicy, Metadata, Condition),
 * Outputs as CfnOutput (with their exports), Parameters, Conditions, Mappings and Rules as CfnParameter,
 * CfnCondition, CfnMapping and CfnRule, Description, Metadata, Transform and the format version as template
 * options. Asset references are plain strings in the templates, so no asset is staged.
 *
 * The App gets the feature flags of cdk.json and the same `builtinCloudFormationValidation` as ours, so with
 * validation on it runs the same CloudFormation schema validation over the same templates. It runs none of our
 * guardrails (cdk-nag and the Platform rules): what ours costs beyond this program is the price of the library,
 * the guardrails included.
 */
import {
  App,
  CfnCondition,
  CfnMapping,
  CfnOutput,
  CfnParameter,
  CfnResource,
  CfnRule,
  DefaultStackSynthesizer,
  Stack,
  Stage,
  Validations,
  type CfnDeletionPolicy,
  type CfnParameterProps,
  type ICfnConditionExpression,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import cdkJson from '../../cdk.json';
import type { Assembly, AssemblyStack } from './read';

/**
 * The context of ours (stacks/aws/app.ts AWS_CONTEXT: the feature flags of cdk.json, no creation stack traces),
 * except path metadata: each resource's `aws:cdk:path` is replayed from the template with the rest of its Metadata.
 */
const CONTEXT: Record<string, unknown> = {
  ...cdkJson.context,
  'aws:cdk:enable-path-metadata': false,
  'aws:cdk:enable-asset-metadata': false,
  'aws:cdk:disable-creation-stack-traces': true,
};

/** Template sections replayed directly under the stack (they share CloudFormation's logical-ID namespace). */
const TOP_LEVEL = new Set(['Resources', 'Parameters']);
/** Sections set through the stack's template options or props, not through constructs. */
const OPTIONS = new Set(['Description', 'Metadata', 'Transform', 'AWSTemplateFormatVersion']);

/** Resource attributes the replay sets through cfnOptions or the constructor; any other goes in as an override. */
const HANDLED_ATTRIBUTES = new Set([
  'Type',
  'Properties',
  'DependsOn',
  'Metadata',
  'DeletionPolicy',
  'UpdateReplacePolicy',
]);

type Json = Record<string, unknown>;

/** The rule ids of aws-cdk-lib's CloudFormation schema validation, the one validation the floor runs. */
const SCHEMA_VALIDATION = 'CloudFormation-Validate::';

/** Options of {@link replayAws}. */
export interface ReplayAwsOptions {
  /** The assembly to replay. */
  readonly assembly: Assembly;
  /** Where the new cloud assembly goes. */
  readonly outdir: string;
  /** Run aws-cdk-lib's CloudFormation schema validation during synthesis, as ours does unless told not to. */
  readonly validation: boolean;
}

/**
 * Replays an assembly into one App and synthesizes it.
 *
 * @returns the number of stacks replayed
 * @throws Error when a template holds a section the replay does not know (the floor would no longer be the same work)
 */
export function replayAws(options: ReplayAwsOptions): number {
  // As ours (bin/cli/synth.ts): a failed validation throws its findings instead of printing them and exiting.
  process.env.CDK_APP_MODE ??= 'inmemory';
  const app = new App({
    outdir: options.outdir,
    context: CONTEXT,
    analyticsReporting: false,
    stackTraces: false,
    builtinCloudFormationValidation: options.validation,
  });
  const count = replayAssembly(app, options.assembly);
  app.synth();
  return count;
}

function replayAssembly(scope: Construct, assembly: Assembly): number {
  const stacks = new Map<string, Stack>();
  for (const read of assembly.stacks) stacks.set(read.artifactId, replayStack(scope, read));
  for (const read of assembly.stacks) {
    for (const dependency of read.dependencies) {
      stacks.get(read.artifactId)!.addStackDependency(stacks.get(dependency)!, 'replayed from the manifest');
    }
  }
  let count = stacks.size;
  for (const stage of assembly.stages) count += replayAssembly(new Stage(scope, stage.id!), stage);
  return count;
}

function replayStack(scope: Construct, read: AssemblyStack): Stack {
  const template = read.template;
  const description = template.Description as string | undefined;
  const stack = new Stack(scope, read.id, {
    stackName: read.stackName,
    env: { account: read.account, region: read.region },
    terminationProtection: read.terminationProtection,
    ...(read.tags !== undefined && { tags: { ...read.tags } }),
    ...(description !== undefined && { description }),
    // A stack synthesized without the bootstrap version check (the delivery pipeline's cross-region support stack,
    // BootstraplessSynthesizer): the template holds neither its parameter nor its rule, and neither does the replay.
    ...(!(template.Parameters as Json | undefined)?.BootstrapVersion && {
      synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
    }),
  });
  if (template.Metadata !== undefined) stack.templateOptions.metadata = template.Metadata as Json;
  if (template.AWSTemplateFormatVersion !== undefined) {
    stack.templateOptions.templateFormatVersion = template.AWSTemplateFormatVersion as string;
  }
  for (const transform of [template.Transform ?? []].flat() as string[]) stack.addTransform(transform);

  // Sections in the order the template lists them, so that the replayed template lists them in the same order.
  const conditions = new Map<string, CfnCondition>();
  const sectionScopes = new Map<string, Construct>();
  // A scope per section beside Resources and Parameters: an output may share its logical ID with a resource.
  const scopeOf = (section: string): Construct => {
    if (TOP_LEVEL.has(section)) return stack;
    let s = sectionScopes.get(section);
    if (!s) sectionScopes.set(section, (s = new Construct(stack, `${section}:`)));
    return s;
  };
  const conditionNamed = (name: string): CfnCondition => {
    let c = conditions.get(name);
    if (!c) {
      const expression = (template.Conditions as Json | undefined)?.[name];
      c = new CfnCondition(scopeOf('Conditions'), name, { expression: expression as ICfnConditionExpression });
      c.overrideLogicalId(name);
      conditions.set(name, c);
    }
    return c;
  };
  const resources = new Map<string, CfnResource>();
  for (const [section, body] of Object.entries(template)) {
    if (OPTIONS.has(section)) continue;
    const entries = Object.entries(body as Json) as [string, Json][];
    const scope = scopeOf(section);
    switch (section) {
      case 'Resources':
        for (const [id, r] of entries) resources.set(id, replayResource(stack, id, r));
        break;
      case 'Parameters':
        // BootstrapVersion among them: the synthesizer then adds neither it nor the CheckBootstrapVersion rule, which
        // come from the template like everything else.
        for (const [id, p] of entries) new CfnParameter(scope, id, parameterProps(p)).overrideLogicalId(id);
        break;
      case 'Outputs':
        for (const [id, o] of entries) {
          new CfnOutput(scope, id, {
            value: o.Value as string,
            ...(o.Description !== undefined && { description: o.Description as string }),
            ...(o.Export !== undefined && { exportName: (o.Export as Json).Name as string }),
            ...(o.Condition !== undefined && { condition: conditionNamed(o.Condition as string) }),
          }).overrideLogicalId(id);
        }
        break;
      case 'Conditions':
        for (const [id] of entries) conditionNamed(id);
        break;
      case 'Mappings':
        for (const [id, m] of entries) {
          new CfnMapping(scope, id, { mapping: m as Record<string, Record<string, unknown>> }).overrideLogicalId(id);
        }
        break;
      case 'Rules':
        for (const [id, r] of entries) {
          new CfnRule(scope, id, {
            ...(r.RuleCondition !== undefined && { ruleCondition: r.RuleCondition as ICfnConditionExpression }),
            ...(r.Assertions !== undefined && {
              assertions: (r.Assertions as Json[]).map((a) => ({
                assert: a.Assert as ICfnConditionExpression,
                assertDescription: a.AssertDescription as string,
              })),
            }),
          }).overrideLogicalId(id);
        }
        break;
      default:
        throw new Error(`${read.displayName}: the floor cannot replay the template section ${section}`);
    }
  }
  for (const [id, r] of Object.entries((template.Resources ?? {}) as Record<string, Json>)) {
    for (const dependency of [r.DependsOn ?? []].flat() as string[]) {
      const target = resources.get(dependency);
      if (!target) throw new Error(`${read.displayName}: ${id} depends on ${dependency}, which the template lacks`);
      resources.get(id)!.addResourceDependency(target);
    }
  }
  acknowledge(read, resources);
  return stack;
}

/**
 * Acknowledges on each replayed resource the schema validation rules ours acknowledged on it or on a construct
 * above it (found by the resource's `aws:cdk:path`), so that the validation reports what it reports for ours. The
 * acknowledgements of our guardrails are left out: the floor does not run them.
 */
function acknowledge(read: AssemblyStack, resources: ReadonlyMap<string, CfnResource>): void {
  const acknowledgements = read.acknowledgements.filter((a) => a.id.startsWith(SCHEMA_VALIDATION));
  if (acknowledgements.length === 0) return;
  for (const [id, resource] of resources) {
    const metadata = (read.template.Resources as Record<string, Json>)[id]?.Metadata as Json | undefined;
    const where = metadata?.['aws:cdk:path'] as string | undefined;
    if (where === undefined) continue;
    for (const a of acknowledgements) {
      if (where === a.path || where.startsWith(`${a.path}/`)) {
        Validations.of(resource).acknowledge({ id: a.id, reason: a.reason });
      }
    }
  }
}

function replayResource(stack: Stack, id: string, r: Json): CfnResource {
  const resource = new CfnResource(stack, id, {
    type: r.Type as string,
    ...(r.Properties !== undefined && { properties: r.Properties as Json }),
  });
  resource.overrideLogicalId(id);
  if (r.Metadata !== undefined) resource.cfnOptions.metadata = r.Metadata as Json;
  if (r.DeletionPolicy !== undefined) resource.cfnOptions.deletionPolicy = r.DeletionPolicy as CfnDeletionPolicy;
  if (r.UpdateReplacePolicy !== undefined) {
    resource.cfnOptions.updateReplacePolicy = r.UpdateReplacePolicy as CfnDeletionPolicy;
  }
  // Condition, CreationPolicy, UpdatePolicy and the like, exactly as written.
  for (const [attribute, value] of Object.entries(r)) {
    if (!HANDLED_ATTRIBUTES.has(attribute)) resource.addOverride(attribute, value);
  }
  return resource;
}

/** CfnParameterProps from a template's parameter (the same names, first letter lower case). */
function parameterProps(p: Json): CfnParameterProps {
  const props: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(p)) props[key.charAt(0).toLowerCase() + key.slice(1)] = value;
  return props as CfnParameterProps;
}
