import { Stack, type CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag/lib/nag-rules';
import { isL1Of } from './eks-launch-template';

/**
 * Platform-EksSecretsEncryption: an EKS cluster encrypts its Kubernetes secrets with a KMS key
 * (`EncryptionConfig[].Provider.KeyArn`), on top of the encryption of etcd's volumes. The setting cannot be
 * removed and changing the key replaces the cluster, so it must be right at creation. Mirrors NIST 800-53 SC-28
 * and CIS EKS 5.3.1.
 */
export function eksSecretsEncryption(node: CfnResource): NagRuleCompliance {
  if (!isL1Of(node, 'AWS::EKS::Cluster', 'encryptionConfig')) return NagRuleCompliance.NOT_APPLICABLE;
  const configs = Stack.of(node).resolve((node as unknown as { encryptionConfig?: unknown }).encryptionConfig) as
    ReadonlyArray<{ provider?: { keyArn?: unknown } }> | undefined;
  return (configs ?? []).some((c) => c.provider?.keyArn !== undefined && c.provider.keyArn !== '')
    ? NagRuleCompliance.COMPLIANT
    : NagRuleCompliance.NON_COMPLIANT;
}
