import type { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag/lib/nag-rules';
import { isL1Of, nodeGroupLaunchTemplateData } from './eks-launch-template';

/**
 * Platform-EksNodeGroupEncryptedDisks: an EKS managed node group launches its nodes from a launch template of the
 * same stack whose every EBS volume is encrypted (`Ebs.Encrypted: true`), root volume included, so nothing a pod
 * writes to a node's disk is stored in clear. cdk-nag's EC26 does not see node group launch templates. Mirrors
 * AwsSolutions-EC26 / NIST 800-53 SC-28.
 */
export function eksNodeGroupEncryptedDisks(node: CfnResource): NagRuleCompliance {
  if (!isL1Of(node, 'AWS::EKS::Nodegroup', 'launchTemplate')) return NagRuleCompliance.NOT_APPLICABLE;
  const volumes = (nodeGroupLaunchTemplateData(node)?.blockDeviceMappings ?? []).filter(
    (m) => m.noDevice === undefined && m.virtualName === undefined,
  );
  return volumes.length > 0 && volumes.every((m) => m.ebs?.encrypted === true)
    ? NagRuleCompliance.COMPLIANT
    : NagRuleCompliance.NON_COMPLIANT;
}
