import type { Construct } from 'constructs';
import type { Environment } from '../../lib/core';
import { BackupCopyVault } from '../../lib/aws';
import { EnvironmentStack } from './environment-stack';

/**
 * The vault production copies go to, in the environment's second region (`platform-<env>-backup-copy`). The
 * foundation's copy rules name it by a literal ARN (no cross-region reference), so deploy this stack first:
 * `cdk deploy 'platform-<env>/backup-copy'`.
 */
export class BackupCopyStack extends EnvironmentStack {
  /** The copy vault. */
  public readonly copyVault: BackupCopyVault;

  constructor(scope: Construct, id: string, env: Environment, region: string) {
    super(scope, id, env, { description: `backup copies in ${region}`, region });
    this.copyVault = new BackupCopyVault(this, 'Backup', { spec: env.backup, environment: env.name });
  }
}
