import { Stack, type CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag/lib/nag-rules';
import { isL1Of } from './eks-launch-template';

/**
 * Platform-EksDeletionProtection (production): an EKS cluster has `DeletionProtection: true`, so neither a stack
 * deletion nor a console click deletes it with the workloads and volumes it runs. With RETAIN
 * (Platform-StatefulRetained) CloudFormation also leaves it in place when the stack goes.
 */
export function eksDeletionProtection(node: CfnResource): NagRuleCompliance {
  if (!isL1Of(node, 'AWS::EKS::Cluster', 'deletionProtection')) return NagRuleCompliance.NOT_APPLICABLE;
  const value = Stack.of(node).resolve((node as unknown as { deletionProtection?: unknown }).deletionProtection);
  return value === true ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}
