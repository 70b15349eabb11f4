import { Stack, type CfnResource } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { NagRuleCompliance, type NagRuleResult } from 'cdk-nag/lib/nag-rules';
import { nagResourceLabel, WILDCARD_GRANTS_METADATA_KEY, type RecordedWildcardGrant } from '../../acknowledge';

/** One action granted on one resource by an Allow statement. */
export interface Grant {
  /** The action (`s3:GetObject`), or `NotAction::<action>` for a statement that allows all but it. */
  readonly action: string;
  /** The resource by its label (`*`, `arn:<AWS::Partition>:s3:::bucket/*`), or `NotResource::<label>`. */
  readonly resource: string;
}

interface Statement {
  readonly Effect?: unknown;
  readonly Action?: unknown;
  readonly NotAction?: unknown;
  readonly Resource?: unknown;
  readonly NotResource?: unknown;
}

function list(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** The (action, resource) pairs of the Allow statements of one resolved policy document. */
export function grantsOf(document: unknown): Grant[] {
  const statements = list((document as { Statement?: unknown } | undefined)?.Statement) as Statement[];
  const grants: Grant[] = [];
  for (const statement of statements) {
    if (statement?.Effect !== 'Allow') continue;
    const actions = [
      ...list(statement.Action).map(nagResourceLabel),
      ...list(statement.NotAction).map((a) => `NotAction::${nagResourceLabel(a)}`),
    ];
    const resources = [
      ...list(statement.Resource).map(nagResourceLabel),
      ...list(statement.NotResource).map((r) => `NotResource::${nagResourceLabel(r)}`),
    ];
    for (const action of actions) for (const resource of resources) grants.push({ action, resource });
  }
  return grants;
}

/**
 * True when a grant reaches further than one named action on one named resource: a `*` in either, or a statement
 * that allows everything but something (`NotAction`, `NotResource`).
 */
export function isWildcardGrant(grant: Grant): boolean {
  return (
    grant.action.includes('*') ||
    grant.resource.includes('*') ||
    grant.action.startsWith('NotAction::') ||
    grant.resource.startsWith('NotResource::')
  );
}

/** The resolved policy documents of an IAM policy, managed policy, or the inline policies of a role, user or group. */
export function policyDocumentsOf(node: CfnResource): unknown[] | undefined {
  const stack = Stack.of(node);
  if (node instanceof iam.CfnPolicy || node instanceof iam.CfnManagedPolicy) {
    return [stack.resolve(node.policyDocument)];
  }
  if (node instanceof iam.CfnRole || node instanceof iam.CfnUser || node instanceof iam.CfnGroup) {
    const inline = list(stack.resolve(node.policies)) as { policyDocument?: unknown; PolicyDocument?: unknown }[];
    return inline.map((p) => stack.resolve(p.policyDocument ?? p.PolicyDocument));
  }
  return undefined;
}

/** The wildcard grants accepted on a resource with `acknowledgeWildcardGrant`, from its template metadata. */
export function acceptedGrantsOf(node: CfnResource): RecordedWildcardGrant[] {
  const recorded = node.getMetadata(WILDCARD_GRANTS_METADATA_KEY) as unknown;
  return Array.isArray(recorded) ? (recorded as RecordedWildcardGrant[]) : [];
}

/** IAM action names are case-insensitive (`S3:getobject` is `s3:GetObject`); resources are compared as written. */
function accepts(accepted: readonly RecordedWildcardGrant[], grant: Grant): boolean {
  const action = grant.action.toLowerCase();
  return accepted.some(
    (a) =>
      (a.actions ?? []).some((x) => String(x).toLowerCase() === action) && (a.resources ?? []).includes(grant.resource),
  );
}

/**
 * How a finding names one pair, in cdk-nag's words (`Action::`, `Resource::`) and without spaces, which an
 * acknowledgement id cannot hold: `Action::secretsmanager:GetSecretValue,Resource::*`.
 */
export function grantFinding(grant: Grant): string {
  const action = grant.action.startsWith('NotAction::') ? grant.action : `Action::${grant.action}`;
  const resource = grant.resource.startsWith('NotResource::') ? grant.resource : `Resource::${grant.resource}`;
  return `${action},${resource}`;
}

/** The pair a finding names ({@link grantFinding}), as a sentence: `secretsmanager:GetSecretValue on *`. */
export function describeGrantFinding(finding: string): string {
  const match = /^((?:Not)?Action::.*?),((?:Not)?Resource::.*)$/s.exec(finding);
  if (!match) return finding;
  const strip = (part: string): string => part.replace(/^(Action|Resource)::/, '');
  return `${strip(match[1]!)} on ${strip(match[2]!)}`;
}

/**
 * Platform-WildcardGrant: every (action, resource) pair of an IAM policy that holds a wildcard (`*` in the action or
 * the resource, or a `NotAction` / `NotResource` statement) is accepted by name with `acknowledgeWildcardGrant`, which
 * records the pairs in the policy's template metadata. One finding per pair that is not, with the id
 * `Platform-WildcardGrant[Action::<action>,Resource::<resource>]`. Checks AWS::IAM::Policy, AWS::IAM::ManagedPolicy and the inline
 * policies of AWS::IAM::Role, User and Group, Allow statements only.
 *
 * Mirrors AwsSolutions-IAM5 and NIST 800-53 AC-6 (least privilege), one step finer: IAM5 reports a wildcard resource
 * once (`IAM5[Resource::*]`) whatever actions are granted on it, so acknowledging it accepts every action on `*`,
 * including ones added later; here each action on it is a finding of its own, and a new permission a new finding.
 */
export function wildcardGrant(node: CfnResource): NagRuleResult {
  const documents = policyDocumentsOf(node);
  if (documents === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  const accepted = acceptedGrantsOf(node);
  const findings = new Set<string>();
  for (const document of documents) {
    for (const grant of grantsOf(document)) {
      if (isWildcardGrant(grant) && !accepts(accepted, grant)) findings.add(grantFinding(grant));
    }
  }
  return findings.size > 0 ? [...findings] : NagRuleCompliance.COMPLIANT;
}
