import { Stack, type CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag/lib/nag-rules';
import { isL1Of } from './eks-launch-template';

/**
 * Platform-ApsWorkspaceKms: an Amazon Managed Service for Prometheus workspace encrypts its metrics, rules and
 * alert manager definition with a customer managed key (`KmsKeyArn`). The key can only be chosen at creation:
 * adding it later replaces the workspace and loses its metrics. Mirrors NIST 800-53 SC-28 and SC-12.
 */
export function apsWorkspaceKms(node: CfnResource): NagRuleCompliance {
  if (!isL1Of(node, 'AWS::APS::Workspace', 'kmsKeyArn')) return NagRuleCompliance.NOT_APPLICABLE;
  const key = Stack.of(node).resolve((node as unknown as { kmsKeyArn?: unknown }).kmsKeyArn);
  return key !== undefined && key !== '' ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}
