import { Aspects, CfnResource, Stack, Validations, type IAspect } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import {
  CHANGE_ACKNOWLEDGEMENT_KEY,
  changeAcknowledgementProblems,
  type ChangeAcknowledgement,
  type ChangeRisk,
} from '../core';
import { acknowledgementsOn } from './policy/acknowledgements';

/** The shortest reason an acknowledgement may give: it has to say why the finding is safe. */
export const MIN_ACKNOWLEDGEMENT_REASON = 10;

/**
 * Acknowledges one validation rule (`CloudFormation-Validate::W3010`, later cdk-nag rules) on a construct
 * and its children, with a reason of at least 10 characters saying why it is safe.
 *
 * Unlike a bare `Validations.of(scope).acknowledge()`, it keeps the synthesized assembly free of this
 * machine's absolute paths: aws-cdk-lib records the caller's stack trace with every acknowledgement, which
 * would make `*.metadata.json` and `validation-report.json` differ between checkouts.
 *
 * @throws Error naming the rule when the reason is too short.
 */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  if (reason.trim().length < MIN_ACKNOWLEDGEMENT_REASON) {
    throw new Error(
      `Acknowledgement of ${id} on ${scope.node.path}: reason ${JSON.stringify(reason)} - at least ${MIN_ACKNOWLEDGEMENT_REASON} characters saying why it is safe`,
    );
  }
  withoutStackTraces(() => Validations.of(scope).acknowledge({ id: plainRuleId(id), reason }));
  dropTraces(scope);
}

/**
 * Runs `fn` with stack traces off. aws-cdk-lib captures and renders the caller's stack for every acknowledgement,
 * which `acknowledge` deletes at once: with no frames to capture, that costs nothing (it was about a third of a
 * millisecond per call, 0.1 s for 100 container services, more with source maps on).
 */
function withoutStackTraces<T>(fn: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return fn();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/**
 * The rule id cdk-nag matches: aws-cdk-lib's report suggests `NIST.800.53.R5::NIST.800.53.R5-X` (pack name,
 * then rule id), but cdk-nag, the template metadata and `npm run check` know the rule as `NIST.800.53.R5-X`.
 * Ids of other plugins (`CloudFormation-Validate::W3010`) are kept as they are.
 */
export function plainRuleId(id: string): string {
  const match = /^([^:]+)::(.+)$/.exec(id);
  return match && match[2]!.startsWith(`${match[1]}-`) ? match[2]! : id;
}

/** The metadata entry in which aws-cdk-lib records where a stack or resource was created. */
const CREATION_STACK = 'aws:cdk:creationStack';

function dropTraces(node: IConstruct): void {
  for (const entry of node.node.metadata) {
    delete (entry as { trace?: string[] }).trace;
    if (entry.type === CREATION_STACK) (entry as { data: unknown }).data = [];
  }
}

/**
 * Removes the stack traces aws-cdk-lib records with metadata: acknowledgements, including those it makes itself
 * (`Vpc.addFlowLog` acknowledges two rules), warnings and other annotations, so that the assembly holds no absolute
 * path of this machine and two checkouts of the same code synthesize the same bytes. `PlatformStack` applies it to
 * itself; `PortableAssembly.applyTo(app)` covers an app's other stacks.
 */
export class PortableAssembly implements IAspect {
  /** Adds the aspect to every construct under `scope`. */
  public static applyTo(scope: IConstruct): void {
    Aspects.of(scope).add(new PortableAssembly());
  }

  /** Drops the metadata traces of one construct. */
  public visit(node: IConstruct): void {
    dropTraces(node);
  }
}

/**
 * A resolved resource as cdk-nag writes it in a finding id (`AwsSolutions-IAM5[Resource::<label>]`): intrinsic
 * references become `<Name>` (`Fn::Sub` placeholders too), joins are joined and an import is named by its export,
 * so a granular acknowledgement names exactly the finding it answers. Anything else is its JSON.
 */
export function nagResourceLabel(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const object = value as Record<string, unknown>;
  if (typeof object !== 'object' || object === null) return JSON.stringify(value);
  if ('Fn::Join' in object) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return parts.map(nagResourceLabel).join(separator);
  }
  if ('Fn::Sub' in object) return nagResourceLabel(object['Fn::Sub']);
  if ('Fn::GetAtt' in object) {
    const [resource, attribute] = object['Fn::GetAtt'] as [unknown, unknown];
    return `<${nagResourceLabel(resource)}.${nagResourceLabel(attribute)}>`;
  }
  if ('Fn::ImportValue' in object) return nagResourceLabel(object['Fn::ImportValue']);
  if ('Ref' in object) return `<${nagResourceLabel(object.Ref)}>`;
  return JSON.stringify(value);
}

/**
 * The key of the template Metadata entry, on an IAM policy (or role, user, group), that lists the wildcard grants
 * accepted on it with {@link acknowledgeWildcardGrant}. Platform-WildcardGrant reads it, at synthesis and in
 * `npm run check` (from the template alone).
 */
export const WILDCARD_GRANTS_METADATA_KEY = 'platform:wildcard-grants';

/** A wildcard grant accepted on a policy: every action on every resource listed, for one reason. */
export interface WildcardGrant {
  /** The IAM actions, as the policy names them (`ssm:UpdateInstanceInformation`). */
  readonly actions: readonly string[];
  /**
   * The resources, as the policy names them (`*`, or an ARN built with `Stack.formatArn`); each pair of an action
   * and a resource must hold a wildcard (`*`) in one of the two.
   */
  readonly resources: readonly string[];
  /** Why no narrower resource (or action) will do, at least 10 characters. */
  readonly reason: string;
}

/** A wildcard grant as the template records it: resources by their label ({@link nagResourceLabel}). */
export interface RecordedWildcardGrant {
  /** The accepted actions. */
  readonly actions: readonly string[];
  /** The accepted resources, by label (`*`, `arn:<AWS::Partition>:ssm:eu-west-1::document/*`). */
  readonly resources: readonly string[];
  /** Why the grant is needed. */
  readonly reason: string;
}

/** The reason given for the AwsSolutions-IAM5 findings a wildcard grant answers: the pairs carry the real ones. */
export const WILDCARD_GRANT_IAM5_REASON =
  'Each action on this wildcard is accepted one by one, with its own reason, by acknowledgeWildcardGrant (recorded in the template metadata platform:wildcard-grants); Platform-WildcardGrant fails synthesis for any action on a wildcard that is not accepted there';

/**
 * Accepts exactly these wildcard grants of an IAM policy: each action on each resource, nothing else. The pairs go
 * into the policy resource's template metadata ({@link WILDCARD_GRANTS_METADATA_KEY}), where reviewers see them and
 * Platform-WildcardGrant reads them, at synthesis and in `npm run check`; any other (action, wildcard resource) pair
 * of the policy, such as a new action on `*`, is a Platform-WildcardGrant finding of its own. The matching
 * AwsSolutions-IAM5 findings (per wildcard resource `Resource::...` and wildcard action `Action::...`, which alone
 * would accept any action on the resource) are acknowledged on `policy`, pointing at the pairs.
 *
 * Resources are matched by their label in the template (`nagResourceLabel`): give them as the policy does, with
 * pseudo-parameters or literals, not as a reference to another stack.
 *
 * @param policy an iam.ManagedPolicy, iam.Policy, iam.Role (inline policies), or the CfnResource of one
 * @param grant the actions, the resources and why
 * @throws Error naming every problem: no single resource, no action or resource, a pair without a wildcard, a short
 *   reason
 */
export function acknowledgeWildcardGrant(policy: IConstruct, grant: WildcardGrant): void {
  const cfn = cfnResourceOf(policy);
  const where = `Wildcard grant on ${policy.node.path}`;
  const problems: string[] = [];
  if (cfn === undefined) {
    problems.push(
      `${where}: names no single resource; pass the policy or role (a construct whose node.defaultChild is its CfnResource)`,
    );
  }
  if (grant.actions.length === 0) problems.push(`${where}: no action; name each action accepted`);
  if (grant.resources.length === 0) problems.push(`${where}: no resource; name each resource accepted`);
  if (grant.reason.trim().length < MIN_ACKNOWLEDGEMENT_REASON) {
    problems.push(
      `${where}: reason ${JSON.stringify(grant.reason)} - at least ${MIN_ACKNOWLEDGEMENT_REASON} characters saying why no narrower resource will do`,
    );
  }
  const stack = Stack.of(policy);
  const resources = grant.resources.map((r) => nagResourceLabel(stack.resolve(r)));
  for (const resource of resources.filter((r) => !r.includes('*'))) {
    const exact = grant.actions.filter((a) => !a.includes('*'));
    if (exact.length > 0) {
      problems.push(
        `${where}: ${exact.join(', ')} on ${resource} holds no wildcard, so there is nothing to accept; grant it without acknowledgeWildcardGrant`,
      );
    }
  }
  if (problems.length > 0 || cfn === undefined) throw new Error(problems.join('\n'));
  const existing = (cfn.getMetadata(WILDCARD_GRANTS_METADATA_KEY) ?? []) as RecordedWildcardGrant[];
  const recorded: RecordedWildcardGrant = { actions: [...grant.actions], resources, reason: grant.reason };
  cfn.addMetadata(WILDCARD_GRANTS_METADATA_KEY, [...existing, recorded]);
  const findings = [
    ...resources.filter((r) => r.includes('*')).map((r) => `AwsSolutions-IAM5[Resource::${r}]`),
    ...grant.actions.filter((a) => a.includes('*')).map((a) => `AwsSolutions-IAM5[Action::${a}]`),
  ];
  const acknowledged = acknowledgementsOn(policy);
  for (const id of new Set(findings)) {
    if (acknowledged[id] !== WILDCARD_GRANT_IAM5_REASON) acknowledge(policy, id, WILDCARD_GRANT_IAM5_REASON);
  }
}

/** A construct's CloudFormation resource: itself, or its default child. */
function cfnResourceOf(construct: IConstruct): CfnResource | undefined {
  if (CfnResource.isCfnResource(construct)) return construct;
  const child = construct.node.defaultChild;
  return child !== undefined && CfnResource.isCfnResource(child) ? child : undefined;
}

/**
 * Acknowledges a risky change of one resource for `npm run review`: the data it holds is lost (`data-loss`: it is
 * replaced or destroyed) or access to it widens (`security`). The acknowledgement travels in the resource's
 * template metadata, so the pull request shows it and the review reads it from the synthesized output. It counts
 * only when the review finds that kind of change on that resource, and only in the change that adds it: one
 * already in the base approves nothing new, so remove it once the change is deployed.
 *
 * @param resource the resource (a CfnResource, or a construct whose `node.defaultChild` is one)
 * @param risk the kind of risk accepted
 * @param reason why the change is safe or intended, at least 10 characters
 * @throws Error naming every problem: no single resource, an unknown risk, a short reason
 */
export function acknowledgeChange(resource: IConstruct, risk: ChangeRisk, reason: string): void {
  const cfn = cfnResourceOf(resource);
  const where = `Change acknowledgement on ${resource.node.path}`;
  const problems = changeAcknowledgementProblems(where, risk, reason);
  if (cfn === undefined) {
    problems.unshift(
      `${where}: names no single resource; pass a CfnResource or a construct whose node.defaultChild is one (for a resource the change removes, use acknowledgeRemoval on its stack)`,
    );
  }
  if (problems.length > 0 || cfn === undefined) throw new Error(problems.join('\n'));
  const existing = (cfn.getMetadata(CHANGE_ACKNOWLEDGEMENT_KEY) ?? []) as ChangeAcknowledgement[];
  cfn.addMetadata(CHANGE_ACKNOWLEDGEMENT_KEY, [...existing, { risk, reason }]);
}

/**
 * Acknowledges a risky change of a resource that the change removes from a stack (so there is no resource left
 * to carry it): by its logical ID, in the stack's template metadata. See {@link acknowledgeChange}.
 *
 * @param scope the stack the resource leaves (or any construct in it)
 * @param logicalId the removed resource's logical ID, as the review names it
 * @param risk the kind of risk accepted
 * @param reason why the change is safe or intended, at least 10 characters
 * @throws Error naming every problem: an empty logical ID, an unknown risk, a short reason
 */
export function acknowledgeRemoval(scope: IConstruct, logicalId: string, risk: ChangeRisk, reason: string): void {
  const stack = Stack.of(scope);
  const where = `Removal acknowledgement of ${JSON.stringify(logicalId)} in ${stack.stackName}`;
  const problems = changeAcknowledgementProblems(where, risk, reason);
  if (!/^[A-Za-z0-9]{1,255}$/.test(logicalId)) {
    problems.unshift(`${where}: not a logical ID; use the ID the review names (letters and digits only)`);
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
  const metadata = stack.templateOptions.metadata ?? {};
  const existing = (metadata[CHANGE_ACKNOWLEDGEMENT_KEY] ?? []) as ChangeAcknowledgement[];
  stack.templateOptions.metadata = {
    ...metadata,
    [CHANGE_ACKNOWLEDGEMENT_KEY]: [...existing, { resource: logicalId, risk, reason }],
  };
}
