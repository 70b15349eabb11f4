import type { CfnResource, PolicyValidationPluginReport } from 'aws-cdk-lib';
import { NagPack, type NagPackProps } from 'cdk-nag/lib/nag-pack';
import { NagMessageLevel } from 'cdk-nag/lib/nag-rules';
import type { IConstruct } from 'constructs';
import type { Tier } from '../../core';
import { apsWorkspaceKms } from './rules/aps-workspace-kms';
import { eksAccessEntriesOnly } from './rules/eks-access-entries-only';
import { eksDeletionProtection } from './rules/eks-deletion-protection';
import { eksNodeGroupEncryptedDisks } from './rules/eks-node-group-encrypted-disks';
import { eksNodeGroupImdsV2 } from './rules/eks-node-group-imdsv2';
import { eksSecretsEncryption } from './rules/eks-secrets-encryption';
import { statefulRetained } from './rules/stateful-retained';
import { describeGrantFinding, wildcardGrant } from './rules/wildcard-grant';
import { wildcardGrantUnused } from './rules/wildcard-grant-unused';

/** Props of {@link PlatformChecks}. */
export interface PlatformChecksProps extends NagPackProps {
  /** The tier of the environment: the data-safety rules apply to production only. */
  readonly tier: Tier;
}

/** How each finding of a granular rule (`<rule>[<finding>]`) says what is wrong, given the finding and the paths. */
const GRANULAR_MESSAGES: Readonly<Record<string, (finding: string, paths: string) => string>> = {
  'Platform-WildcardGrant': (finding, paths) =>
    `${paths} grants ${describeGrantFinding(finding)}, a wildcard permission nobody accepted: grant it on a narrower resource, or accept exactly this action on this resource with acknowledgeWildcardGrant(policy, { actions, resources, reason }) saying why nothing narrower will do`,
  'Platform-WildcardGrantUnused': (finding, paths) =>
    `${paths} accepts ${describeGrantFinding(finding)} with acknowledgeWildcardGrant, but grants no such permission: remove the acceptance, so that it cannot accept a grant added later`,
};

/**
 * The library's own resource rules, as a cdk-nag pack (`Platform-*` ids), for what AwsSolutions and NIST do
 * not check: production data safety, and least privilege one (action, resource) pair at a time.
 * Acknowledge a finding like any cdk-nag rule, with `acknowledge()`; accept a wildcard grant with
 * `acknowledgeWildcardGrant()`.
 */
export class PlatformChecks extends NagPack {
  /** The pack's name, the prefix of its rule ids. */
  public readonly name = 'Platform';
  private readonly tier: Tier;

  constructor(scope: IConstruct | undefined, props: PlatformChecksProps) {
    super(scope, props);
    this.packName = 'Platform';
    this.tier = props.tier;
  }

  /**
   * Runs the pack over a scope. A granular finding (`Platform-WildcardGrant[Action::<action>,Resource::<resource>]`) is described
   * with its action, its resource and the construct paths of the policies that grant it.
   */
  public override validateScope(scope: IConstruct): PolicyValidationPluginReport {
    const report = super.validateScope(scope);
    const violations = report.violations.map((v) => {
      const match = /^([^[]+)\[(.*)\]$/s.exec(v.ruleName);
      const message = match ? GRANULAR_MESSAGES[match[1]!] : undefined;
      if (!match || !message) return v;
      const paths = v.violatingResources.map((r) => r.constructPath ?? '?').join(', ');
      return { ...v, description: message(match[2]!, paths) };
    });
    return { ...report, violations };
  }

  protected checkResource(node: CfnResource): void {
    this.applyRule({
      ruleSuffixOverride: 'WildcardGrant',
      info: 'An IAM policy grants an action on a wildcard that no acknowledgeWildcardGrant accepts.',
      explanation:
        'Each (action, wildcard resource) pair is accepted by name with acknowledgeWildcardGrant(policy, { actions, resources, reason }), so a new permission on a wildcard is a new finding (least privilege, NIST 800-53 AC-6).',
      level: NagMessageLevel.ERROR,
      node,
      rule: wildcardGrant,
    });
    this.applyRule({
      ruleSuffixOverride: 'WildcardGrantUnused',
      info: 'A wildcard grant accepted with acknowledgeWildcardGrant is not granted by the policy.',
      explanation: 'Remove the acceptance: left behind, it would accept the same grant if someone added it later.',
      level: NagMessageLevel.WARN,
      node,
      rule: wildcardGrantUnused,
    });
    this.checkKubernetes(node);
    if (this.tier === 'production') {
      this.applyRule({
        ruleSuffixOverride: 'EksDeletionProtection',
        info: 'A production EKS cluster can be deleted with the workloads it runs.',
        explanation: 'Set deletionProtection: true on the cluster (KubernetesCluster does in production).',
        level: NagMessageLevel.ERROR,
        node,
        rule: eksDeletionProtection,
      });
      this.applyRule({
        ruleSuffixOverride: 'StatefulRetained',
        info: 'A production resource that holds data can be deleted or replaced with its data.',
        explanation:
          'Set removalPolicy: RemovalPolicy.RETAIN, so both DeletionPolicy and UpdateReplacePolicy are Retain and neither a stack deletion nor a replacement loses the data.',
        level: NagMessageLevel.ERROR,
        node,
        rule: statefulRetained,
      });
    }
  }

  /** The rules for what cdk-nag does not see on EKS node groups, clusters and Prometheus workspaces. */
  private checkKubernetes(node: CfnResource): void {
    this.applyRule({
      ruleSuffixOverride: 'EksNodeGroupImdsV2',
      info: 'An EKS node group does not require IMDSv2 on its nodes.',
      explanation:
        'Give the node group a launch template (in the same stack) with MetadataOptions HttpTokens: required, so a pod cannot read the node role credentials with a forged request.',
      level: NagMessageLevel.ERROR,
      node,
      rule: eksNodeGroupImdsV2,
    });
    this.applyRule({
      ruleSuffixOverride: 'EksNodeGroupEncryptedDisks',
      info: 'An EKS node group has nodes whose volumes are not encrypted.',
      explanation:
        'Give the node group a launch template (in the same stack) whose block device mappings set Ebs.Encrypted: true, the root volume included.',
      level: NagMessageLevel.ERROR,
      node,
      rule: eksNodeGroupEncryptedDisks,
    });
    this.applyRule({
      ruleSuffixOverride: 'EksSecretsEncryption',
      info: 'An EKS cluster does not encrypt its Kubernetes secrets with a KMS key.',
      explanation:
        'Set encryptionConfig: [{ provider: { keyArn } }] when the cluster is created: the key cannot be added or changed without replacing it.',
      level: NagMessageLevel.ERROR,
      node,
      rule: eksSecretsEncryption,
    });
    this.applyRule({
      ruleSuffixOverride: 'EksAccessEntriesOnly',
      info: 'An EKS cluster accepts the aws-auth ConfigMap for access.',
      explanation:
        "Set accessConfig.authenticationMode: 'API' and grant access with access entries, which the IaC and its review control.",
      level: NagMessageLevel.ERROR,
      node,
      rule: eksAccessEntriesOnly,
    });
    this.applyRule({
      ruleSuffixOverride: 'ApsWorkspaceKms',
      info: 'A Prometheus workspace is not encrypted with a customer managed key.',
      explanation:
        'Set kmsKeyArn when the workspace is created: adding it later replaces the workspace and loses its metrics.',
      level: NagMessageLevel.ERROR,
      node,
      rule: apsWorkspaceKms,
    });
  }
}
