import { Stack, type CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag/lib/nag-rules';
import { isL1Of } from './eks-launch-template';

/**
 * Platform-EksAccessEntriesOnly: an EKS cluster grants access through access entries only
 * (`AccessConfig.AuthenticationMode: API`), never through the `aws-auth` ConfigMap, which anyone who can edit
 * it in the cluster can change outside the IaC and its review. Mirrors NIST 800-53 AC-2 and AC-6.
 */
export function eksAccessEntriesOnly(node: CfnResource): NagRuleCompliance {
  if (!isL1Of(node, 'AWS::EKS::Cluster', 'accessConfig')) return NagRuleCompliance.NOT_APPLICABLE;
  const access = Stack.of(node).resolve((node as unknown as { accessConfig?: unknown }).accessConfig) as
    { authenticationMode?: unknown } | undefined;
  return access?.authenticationMode === 'API' ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}
