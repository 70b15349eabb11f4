// The backup of the AWS raw program (aws.ts), written against aws-cdk-lib directly with literal values and the
// same construct IDs as ours (lib/aws/backup.ts, backup-alarms.ts, stacks/aws/backup-copy-stack.ts), so that the
// templates are the same. The values are the tier defaults of lib/core/spec/backup.ts, spelled out:
// - in the foundation, under `Backup`: the vault's KMS key, the vault `platform-<env>` with its Vault Lock, the
//   plan `platform-<env>` with daily, weekly (and in production monthly, cold after 30 days) rules at 01:00 UTC,
//   copying each to `platform-<env>-copy` in eu-central-1 in production, the backup role with the AWS-managed
//   policy (acknowledged), the selection of everything tagged `platform:backup = platform-<env>`; in production
//   the restore role and the restore testing plan and EC2 selection; the three failed-job alarms;
// - in production, the stack `platform-<env>-backup-copy` in eu-central-1 with the copy vault and its key, which
//   the foundation depends on (its copy rules name the vault by a literal ARN);
// - the dashboard's Backup row, added with the other rows once every alarm exists.
import { Duration, RemovalPolicy, Stack, Validations, type Stage } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { RawAwsEnvironment, RawMonitoring } from './aws';

/** A retention tier: days kept, and days until cold storage. */
interface RawRetention {
  readonly retentionDays: number;
  readonly coldStorageAfterDays?: number;
}

/** The backup section of a tier with its defaults applied (lib/core/spec/backup.ts). */
interface RawBackup {
  readonly rules: ReadonlyArray<{
    readonly name: string;
    readonly schedule: events.Schedule;
    readonly tier: RawRetention;
  }>;
  readonly lock: backup.LockConfiguration;
  /** The second region copies go to (production only). */
  readonly secondRegion?: string;
  readonly restoreTesting: boolean;
}

const BACKUP_BY_TIER: Readonly<Record<RawAwsEnvironment['tier'], RawBackup>> = {
  development: {
    rules: [
      { name: 'daily', schedule: events.Schedule.cron({ minute: '0', hour: '1' }), tier: { retentionDays: 7 } },
      {
        name: 'weekly',
        schedule: events.Schedule.cron({ minute: '0', hour: '1', weekDay: 'SUN' }),
        tier: { retentionDays: 35 },
      },
    ],
    lock: { minRetention: Duration.days(7), maxRetention: Duration.days(35) },
    restoreTesting: false,
  },
  production: {
    rules: [
      { name: 'daily', schedule: events.Schedule.cron({ minute: '0', hour: '1' }), tier: { retentionDays: 35 } },
      {
        name: 'weekly',
        schedule: events.Schedule.cron({ minute: '0', hour: '1', weekDay: 'SUN' }),
        tier: { retentionDays: 90 },
      },
      {
        name: 'monthly',
        schedule: events.Schedule.cron({ minute: '0', hour: '1', day: '1' }),
        tier: { retentionDays: 365, coldStorageAfterDays: 30 },
      },
    ],
    lock: { minRetention: Duration.days(35), maxRetention: Duration.days(365), changeableFor: Duration.days(3) },
    secondRegion: 'eu-central-1',
    restoreTesting: true,
  },
};

const BACKUP_TAG = 'platform:backup';

function lifecycleOf(tier: RawRetention): { deleteAfter: Duration; moveToColdStorageAfter?: Duration } {
  return {
    deleteAfter: Duration.days(tier.retentionDays),
    ...(tier.coldStorageAfterDays !== undefined && {
      moveToColdStorageAfter: Duration.days(tier.coldStorageAfterDays),
    }),
  };
}

function acknowledgeServicePolicy(role: iam.Role, policy: string): void {
  Validations.of(role).acknowledge({
    id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${policy}]`,
    reason: `AWS documents ${policy} as the policy of the AWS Backup service role; AWS maintains it as the service gains resource types, which a customer-managed copy would miss`,
  });
}

function backupJobMetric(metricName: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/Backup',
    metricName,
    statistic: cloudwatch.Stats.SUM,
    period: Duration.hours(1),
  });
}

/** The foundation's `Backup`: key, locked vault, plan, selection, roles, restore testing and alarms. */
export function buildBackup(
  stack: Stack,
  env: RawAwsEnvironment,
  monitoring: RawMonitoring,
  removalPolicy: RemovalPolicy,
): void {
  const spec = BACKUP_BY_TIER[env.tier];
  const name = `platform-${env.name}`;
  const scope = new Construct(stack, 'Backup');
  const key = new kms.Key(scope, 'Key', {
    description: `Encrypts the recovery points of ${name}`,
    enableKeyRotation: true,
    rotationPeriod: Duration.days(365),
    removalPolicy,
  });
  const vault = new backup.BackupVault(scope, 'Vault', {
    backupVaultName: name,
    encryptionKey: key,
    removalPolicy,
    lockConfiguration: spec.lock,
  });
  const copyVault =
    spec.secondRegion === undefined
      ? undefined
      : backup.BackupVault.fromBackupVaultArn(
          scope,
          'CopyVault',
          `arn:aws:backup:${spec.secondRegion}:${env.account}:backup-vault:${name}-copy`,
        );
  const plan = new backup.BackupPlan(scope, 'Plan', {
    backupPlanName: name,
    backupVault: vault,
    backupPlanRules: spec.rules.map(
      (rule) =>
        new backup.BackupPlanRule({
          ruleName: rule.name,
          scheduleExpression: rule.schedule,
          startWindow: Duration.hours(1),
          completionWindow: Duration.hours(8),
          ...lifecycleOf(rule.tier),
          ...(copyVault && { copyActions: [{ destinationBackupVault: copyVault, ...lifecycleOf(rule.tier) }] }),
        }),
    ),
  });
  const role = new iam.Role(scope, 'Role', {
    description: `AWS Backup backs up the resources of ${name} with this role`,
    assumedBy: new iam.ServicePrincipal('backup.amazonaws.com'),
  });
  plan.addSelection('Selection', {
    backupSelectionName: name,
    role,
    resources: [backup.BackupResource.fromTag(BACKUP_TAG, name)],
  });
  acknowledgeServicePolicy(role, 'service-role/AWSBackupServiceRolePolicyForBackup');

  if (spec.restoreTesting) {
    const restoreRole = new iam.Role(scope, 'RestoreRole', {
      description: `AWS Backup restores recovery points of ${name} for restore tests with this role`,
      assumedBy: new iam.ServicePrincipal('backup.amazonaws.com'),
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSBackupServiceRolePolicyForRestores'),
      ],
    });
    acknowledgeServicePolicy(restoreRole, 'service-role/AWSBackupServiceRolePolicyForRestores');
    const testingName = `platform_${env.name}`;
    const testingPlan = new backup.CfnRestoreTestingPlan(scope, 'RestoreTestingPlan', {
      restoreTestingPlanName: testingName,
      scheduleExpression: 'cron(0 1 ? * WED *)',
      recoveryPointSelection: {
        algorithm: 'LATEST_WITHIN_WINDOW',
        includeVaults: [vault.backupVaultArn],
        recoveryPointTypes: ['SNAPSHOT'],
        selectionWindowDays: 7,
      },
    });
    new backup.CfnRestoreTestingSelection(scope, 'RestoreTestingSelection', {
      restoreTestingPlanName: testingPlan.ref,
      restoreTestingSelectionName: `${testingName}_ec2`,
      protectedResourceType: 'EC2',
      iamRoleArn: restoreRole.roleArn,
      protectedResourceArns: ['*'],
      protectedResourceConditions: { stringEquals: [{ key: `aws:ResourceTag/${BACKUP_TAG}`, value: name }] },
    });
  }

  const alarms = [
    {
      id: 'backup/jobs-failed',
      metric: 'NumberOfBackupJobsFailed',
      description: 'An AWS Backup job failed: a resource has no recovery point for this run.',
      firstResponse:
        'Read the job status message in the AWS Backup console (Jobs, Backup jobs, state Failed), fix the cause (role, key, resource state) and start an on-demand backup.',
    },
    {
      id: 'backup/copy-jobs-failed',
      metric: 'NumberOfCopyJobsFailed',
      description: 'An AWS Backup copy job to the second region failed: the off-region copy is missing.',
      firstResponse:
        "Read the copy job's status message (Jobs, Copy jobs): check the copy vault exists in the second region and its key allows the backup role, then copy the recovery point again.",
    },
    {
      id: 'backup/restore-jobs-failed',
      metric: 'NumberOfRestoreJobsFailed',
      description: 'An AWS Backup restore job failed (a restore test or a manual restore).',
      firstResponse:
        "Read the restore job's status message (Jobs, Restore jobs); for a restore test, check the restore role and the inferred restore metadata, then run the test again.",
    },
  ];
  for (const a of alarms) {
    monitoring.addAlarm(scope, a.id, {
      metric: backupJobMetric(a.metric),
      threshold: 1,
      severity: 'critical',
      description: a.description,
      firstResponse: a.firstResponse,
    });
  }
}

/** The production copy vault's stack in the second region, which the foundation depends on. */
export function buildBackupCopy(stage: Stage, env: RawAwsEnvironment, foundation: Stack): void {
  const spec = BACKUP_BY_TIER[env.tier];
  if (spec.secondRegion === undefined) return;
  const stack = new Stack(stage, 'backup-copy', {
    env: { account: env.account, region: spec.secondRegion },
    terminationProtection: env.retainData,
    description: `Platform ${env.name} (${env.tier}): backup copies in ${spec.secondRegion}`,
  });
  const removalPolicy = env.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
  const name = `platform-${env.name}-copy`;
  const scope = new Construct(stack, 'Backup');
  const key = new kms.Key(scope, 'Key', {
    description: `Encrypts the recovery points copied to ${name}`,
    enableKeyRotation: true,
    rotationPeriod: Duration.days(365),
    removalPolicy,
  });
  new backup.BackupVault(scope, 'Vault', {
    backupVaultName: name,
    encryptionKey: key,
    removalPolicy,
    lockConfiguration: spec.lock,
  });
  foundation.addStackDependency(stack, 'backup copies go to the vault in the second region');
}

/** The graphs of the dashboard's Backup row (under its `## Backup` title): failed and completed job counts. */
export function backupWidgets(): cloudwatch.IWidget[] {
  return [
    new cloudwatch.GraphWidget({
      title: 'Failed backup, copy and restore jobs',
      left: [
        backupJobMetric('NumberOfBackupJobsFailed').with({ label: 'Backup jobs failed' }),
        backupJobMetric('NumberOfCopyJobsFailed').with({ label: 'Copy jobs failed' }),
        backupJobMetric('NumberOfRestoreJobsFailed').with({ label: 'Restore jobs failed' }),
      ],
      leftYAxis: { min: 0 },
      width: 12,
      height: 6,
    }),
    new cloudwatch.GraphWidget({
      title: 'Completed backup and copy jobs',
      left: [
        backupJobMetric('NumberOfBackupJobsCompleted').with({ label: 'Backup jobs completed' }),
        backupJobMetric('NumberOfCopyJobsCompleted').with({ label: 'Copy jobs completed' }),
      ],
      leftYAxis: { min: 0 },
      width: 12,
      height: 6,
    }),
  ];
}
