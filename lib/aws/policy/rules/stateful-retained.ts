import { CfnDeletionPolicy, type CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { AWS_STATEFUL_TYPES } from '../../../core';

/** The deletion policies that keep a resource's data when CloudFormation deletes or replaces it. */
const KEEPS_DATA: ReadonlySet<CfnDeletionPolicy | undefined> = new Set([
  CfnDeletionPolicy.RETAIN,
  CfnDeletionPolicy.SNAPSHOT,
]);

/**
 * Platform-StatefulRetained: in production, a resource that holds data (`AWS_STATEFUL_TYPES`) has both a
 * DeletionPolicy and an UpdateReplacePolicy of Retain (Snapshot where the service takes one), so neither a
 * stack deletion nor a replacement loses its data. Pass `removalPolicy: RemovalPolicy.RETAIN`.
 */
export function statefulRetained(node: CfnResource): NagRuleCompliance {
  if (!AWS_STATEFUL_TYPES.has(node.cfnResourceType)) return NagRuleCompliance.NOT_APPLICABLE;
  const { deletionPolicy, updateReplacePolicy } = node.cfnOptions;
  return KEEPS_DATA.has(deletionPolicy) && KEEPS_DATA.has(updateReplacePolicy)
    ? NagRuleCompliance.COMPLIANT
    : NagRuleCompliance.NON_COMPLIANT;
}
