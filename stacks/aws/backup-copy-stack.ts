import { RemovalPolicy } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { defaultAwsZones, type Environment } from '../../lib/core';
import { BackupCopyVault, PlatformStack } from '../../lib/aws';

/**
 * The vault production copies go to, in the environment's second region (`platform-<env>-backup-copy`). The
 * foundation's copy rules name it by a literal ARN (no cross-region reference), so deploy this stack first:
 * `cdk deploy 'platform-<env>/backup-copy'`.
 */
export class BackupCopyStack extends PlatformStack {
  /** The copy vault. */
  public readonly copyVault: BackupCopyVault;

  constructor(scope: Construct, id: string, env: Environment, region: string) {
    super(scope, id, {
      env: { account: env.aws.account, region },
      availabilityZones: defaultAwsZones(region),
      terminationProtection: env.protection.terminationProtection,
      description: `Platform ${env.name} (${env.tier}): backup copies in ${region}`,
    });
    this.copyVault = new BackupCopyVault(this, 'Backup', {
      spec: env.backup,
      environment: env.name,
      removalPolicy: env.protection.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
  }
}
