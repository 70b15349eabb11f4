import { CfnDeletionPolicy, type CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag/lib/nag-rules';
import { AWS_STATEFUL_TYPES } from '../../../core';

/** Types whose DeletionPolicy may be Snapshot: CloudFormation keeps a snapshot of the data when it deletes them. */
export const SNAPSHOT_TYPES: ReadonlySet<string> = new Set([
  'AWS::DocDB::DBCluster',
  'AWS::EC2::Volume',
  'AWS::ElastiCache::ReplicationGroup',
  'AWS::Neptune::DBCluster',
  'AWS::RDS::DBCluster',
  'AWS::RDS::DBInstance',
  'AWS::Redshift::Cluster',
]);

/**
 * Platform-StatefulRetained: in production, a resource that holds data (`AWS_STATEFUL_TYPES`) has an
 * UpdateReplacePolicy of Retain (a replacement never deletes the old resource) and a DeletionPolicy of Retain,
 * or Snapshot where the type takes one (`SNAPSHOT_TYPES`). Pass `removalPolicy: RemovalPolicy.RETAIN`.
 */
export function statefulRetained(node: CfnResource): NagRuleCompliance {
  if (!AWS_STATEFUL_TYPES.has(node.cfnResourceType)) return NagRuleCompliance.NOT_APPLICABLE;
  const { deletionPolicy, updateReplacePolicy } = node.cfnOptions;
  const deletionKeeps =
    deletionPolicy === CfnDeletionPolicy.RETAIN ||
    (deletionPolicy === CfnDeletionPolicy.SNAPSHOT && SNAPSHOT_TYPES.has(node.cfnResourceType));
  return deletionKeeps && updateReplacePolicy === CfnDeletionPolicy.RETAIN
    ? NagRuleCompliance.COMPLIANT
    : NagRuleCompliance.NON_COMPLIANT;
}
