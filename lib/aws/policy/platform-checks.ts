import type { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagPack, type NagPackProps } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import type { Tier } from '../../core';
import { statefulRetained } from './rules/stateful-retained';

/** Props of {@link PlatformChecks}. */
export interface PlatformChecksProps extends NagPackProps {
  /** The tier of the environment: the data-safety rules apply to production only. */
  readonly tier: Tier;
}

/**
 * The library's own resource rules, as a cdk-nag pack (`Platform-*` ids), for what AwsSolutions and NIST do
 * not check: production data safety. Acknowledge a finding like any cdk-nag rule, with `acknowledge()`.
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

  protected checkResource(node: CfnResource): void {
    if (this.tier === 'production') {
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
}
