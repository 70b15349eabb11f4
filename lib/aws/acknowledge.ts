import { Aspects, CfnResource, Stack, Validations, type IAspect } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import {
  CHANGE_ACKNOWLEDGEMENT_KEY,
  changeAcknowledgementProblems,
  type ChangeAcknowledgement,
  type ChangeRisk,
} from '../core';

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
  Validations.of(scope).acknowledge({ id: plainRuleId(id), reason });
  dropAcknowledgementTraces(scope);
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

function dropAcknowledgementTraces(node: IConstruct): void {
  for (const entry of node.node.metadata) {
    if (entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY) delete (entry as { trace?: string[] }).trace;
  }
}

/**
 * Removes the stack traces aws-cdk-lib records with acknowledgements, including those it makes itself
 * (`Vpc.addFlowLog` acknowledges two rules), so that the assembly holds no absolute path of this machine and
 * two checkouts of the same code synthesize the same bytes. `PortableAssembly.applyTo(app)` once per app.
 */
export class PortableAssembly implements IAspect {
  /** Adds the aspect to every construct under `scope`. */
  public static applyTo(scope: IConstruct): void {
    Aspects.of(scope).add(new PortableAssembly());
  }

  /** Drops the acknowledgement traces of one construct. */
  public visit(node: IConstruct): void {
    dropAcknowledgementTraces(node);
  }
}

/**
 * A resolved resource as cdk-nag writes it in a finding id (`AwsSolutions-IAM5[Resource::<label>]`): intrinsic
 * references become `<Name>`, so a granular acknowledgement names exactly the finding it answers.
 */
export function nagResourceLabel(value: unknown): string {
  if (typeof value === 'string') return value;
  const object = value as Record<string, unknown>;
  if ('Ref' in object) return `<${String(object.Ref)}>`;
  if ('Fn::GetAtt' in object) return `<${(object['Fn::GetAtt'] as string[]).join('.')}>`;
  if ('Fn::Join' in object) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return parts.map(nagResourceLabel).join(separator);
  }
  return JSON.stringify(value);
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
  const cfn = CfnResource.isCfnResource(resource)
    ? resource
    : resource.node.defaultChild !== undefined && CfnResource.isCfnResource(resource.node.defaultChild)
      ? resource.node.defaultChild
      : undefined;
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
