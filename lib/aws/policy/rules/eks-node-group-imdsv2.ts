import type { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag/lib/nag-rules';
import { isL1Of, nodeGroupLaunchTemplateData } from './eks-launch-template';

/**
 * Platform-EksNodeGroupImdsV2: an EKS managed node group launches its nodes from a launch template of the same
 * stack that requires IMDSv2 (`MetadataOptions.HttpTokens: required`), so a pod cannot steal the node role's
 * credentials with a forged request. cdk-nag's EC2IMDSv2Enabled covers instances and Auto Scaling groups only.
 * Mirrors AwsSolutions-EC2IMDSv2 / NIST 800-53 AC-6.
 */
export function eksNodeGroupImdsV2(node: CfnResource): NagRuleCompliance {
  if (!isL1Of(node, 'AWS::EKS::Nodegroup', 'launchTemplate')) return NagRuleCompliance.NOT_APPLICABLE;
  const data = nodeGroupLaunchTemplateData(node);
  return data?.metadataOptions?.httpTokens === 'required'
    ? NagRuleCompliance.COMPLIANT
    : NagRuleCompliance.NON_COMPLIANT;
}
