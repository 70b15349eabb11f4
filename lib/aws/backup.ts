import { ArnFormat, Duration, Stack, Token } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import {
  BACKUP_TAG,
  backupPlanName,
  type BackupSpec,
  checkProps,
  IssueCollector,
  lockMaxRetentionDays,
  lockMinRetentionDays,
  type RetentionTier,
} from '../core';
import { acknowledge } from './acknowledge';
import { addBackupAlarms } from './backup-alarms';
import type { IMonitoring } from './interfaces';
import { RetainStatefulResources } from './protection';

/** The name of an environment's copy vault in the second region: `platform-<env>-copy`. */
export function copyVaultName(environment: string): string {
  return `${backupPlanName(environment)}-copy`;
}

/** The name of an environment's restore testing plan (letters, digits and underscores only): `platform_<env>`. */
export function restoreTestingPlanName(environment: string): string {
  return backupPlanName(environment).replace(/[^A-Za-z0-9_]/g, '_');
}

/** The AWS-managed policies the AWS Backup service role is documented to have, by purpose. */
export const BACKUP_SERVICE_POLICIES = {
  backup: 'service-role/AWSBackupServiceRolePolicyForBackup',
  restore: 'service-role/AWSBackupServiceRolePolicyForRestores',
} as const;

/**
 * The Vault Lock of a spec: minimum retention the shortest tier, maximum the longest; `compliance` also sets
 * the grace period (`lockChangeableForHours`, rounded up to whole days, as AWS counts it in days) after which
 * nobody can remove the lock; `governance` has none, so privileged users can still remove it.
 */
export function renderLockConfiguration(spec: BackupSpec): backup.LockConfiguration {
  return {
    minRetention: Duration.days(lockMinRetentionDays(spec)),
    maxRetention: Duration.days(lockMaxRetentionDays(spec)),
    ...(spec.lock === 'compliance' && {
      changeableFor: Duration.days(Math.ceil(spec.lockChangeableForHours / 24)),
    }),
  };
}

/** One rule of the plan before it is bound to vaults: its name, schedule and tier. */
export interface BackupRuleSchedule {
  /** The rule's name in the plan (`daily`, `weekly`, `monthly`, `yearly`). */
  readonly name: string;
  /** When it runs (UTC). */
  readonly schedule: events.Schedule;
  /** How long its recovery points are kept. */
  readonly tier: RetentionTier;
}

/**
 * The plan's rules, all starting at `window.startHour` UTC: daily, weekly on Sunday, monthly on the 1st (when
 * the spec has a monthly tier), yearly on 1 January (when it has a yearly tier).
 */
export function renderBackupSchedules(spec: BackupSpec): BackupRuleSchedule[] {
  const hour = String(spec.window.startHour);
  const rules: BackupRuleSchedule[] = [
    { name: 'daily', schedule: events.Schedule.cron({ minute: '0', hour }), tier: spec.daily },
    { name: 'weekly', schedule: events.Schedule.cron({ minute: '0', hour, weekDay: 'SUN' }), tier: spec.weekly },
  ];
  if (spec.monthly) {
    rules.push({
      name: 'monthly',
      schedule: events.Schedule.cron({ minute: '0', hour, day: '1' }),
      tier: spec.monthly,
    });
  }
  if (spec.yearly) {
    rules.push({
      name: 'yearly',
      schedule: events.Schedule.cron({ minute: '0', hour, day: '1', month: '1' }),
      tier: spec.yearly,
    });
  }
  return rules;
}

/** A tier's lifecycle, for a rule and for its copies. */
function lifecycleOf(tier: RetentionTier): { deleteAfter: Duration; moveToColdStorageAfter?: Duration } {
  return {
    deleteAfter: Duration.days(tier.retentionDays),
    ...(tier.coldStorageAfterDays !== undefined && {
      moveToColdStorageAfter: Duration.days(tier.coldStorageAfterDays),
    }),
  };
}

/** Props of {@link Backup}. */
export interface BackupProps {
  /**
   * The environment's resolved backup section: retention tiers, window, selection, lock; copies go to the vault
   * `platform-<env>-copy` in `secondRegion` when it names one (production tiers only), and a restore testing plan
   * tests the recovery points when `restoreTesting` is on. The key and the vault are retained when they leave the
   * stack; apply `RetainStatefulResources` to a development stack to delete them with the stack.
   */
  readonly spec: BackupSpec;
  /** The environment name: the vault and the plan are `platform-<env>`, and servers are selected by it. */
  readonly environment: string;
  /** The environment's monitoring, which receives the backup alarms and a dashboard row. */
  readonly monitoring: IMonitoring;
}

/**
 * The environment's AWS Backup: an encrypted, locked vault, a plan with the spec's retention tiers, a
 * selection of everything tagged `platform:backup = platform-<env>` (every Server) plus the spec's ARNs,
 * copies to the spec's second region, restore testing when the spec asks for it, and alarms on failed jobs.
 *
 * Failures are reported by alarms (`backup/jobs-failed`, `backup/copy-jobs-failed`,
 * `backup/restore-jobs-failed`) through the environment's alert channels, not by vault notifications.
 */
export class Backup extends Construct {
  /** The key encrypting the vault's recovery points. */
  public readonly key: kms.Key;
  /** The vault, `platform-<env>`, locked per the spec. */
  public readonly vault: backup.BackupVault;
  /** The plan, `platform-<env>`. */
  public readonly plan: backup.BackupPlan;
  /** The selection: resources tagged `platform:backup = platform-<env>` and the spec's ARNs. */
  public readonly selection: backup.BackupSelection;
  /** The role AWS Backup assumes to back up the selected resources. */
  public readonly role: iam.Role;
  /** The copy vault in the second region, when the spec names one (`secondRegion`). */
  public readonly copyVault?: backup.IBackupVault;
  /** The restore testing plan, when the spec turns restore testing on. */
  public readonly restoreTestingPlan?: backup.CfnRestoreTestingPlan;
  /** The restore testing selection of EC2 instances, when the spec turns restore testing on. */
  public readonly restoreTestingSelection?: backup.CfnRestoreTestingSelection;
  /** The role restore tests run with, when the spec turns restore testing on. */
  public readonly restoreRole?: iam.Role;

  constructor(scope: Construct, id: string, props: BackupProps) {
    super(scope, id);
    checkProps('Backup', this.node.path, props, {
      spec: {
        kind: 'object',
        allowed: "the environment's resolved backup section: defineEnvironment(...).backup",
        fields: {
          daily: { kind: 'object', allowed: 'the daily retention tier' },
          weekly: { kind: 'object', allowed: 'the weekly retention tier' },
          window: { kind: 'object', allowed: '{ startHour, completionHours }' },
          lock: { kind: 'string', allowed: "'governance' or 'compliance'" },
        },
      },
      environment: { kind: 'string', allowed: 'the environment name' },
      monitoring: {
        kind: 'object',
        allowed: "the environment's monitoring (Monitoring, or Monitoring.fromAttributes)",
      },
    });
    const spec = props.spec;
    const name = backupPlanName(props.environment);
    const stack = Stack.of(this);
    validateBackupProps(props, stack);

    this.key = new kms.Key(this, 'Key', {
      description: `Encrypts the recovery points of ${name}`,
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
      removalPolicy: RetainStatefulResources.removalPolicyOf(this),
    });
    this.vault = new backup.BackupVault(this, 'Vault', {
      backupVaultName: name,
      encryptionKey: this.key,
      removalPolicy: RetainStatefulResources.removalPolicyOf(this),
      lockConfiguration: renderLockConfiguration(spec),
    });

    if (spec.secondRegion !== undefined) {
      // Built from names, not referenced: the copy vault lives in a stack in another region.
      this.copyVault = backup.BackupVault.fromBackupVaultArn(
        this,
        'CopyVault',
        stack.formatArn({
          region: spec.secondRegion,
          service: 'backup',
          resource: 'backup-vault',
          resourceName: copyVaultName(props.environment),
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      );
    }
    const copyVault = this.copyVault;
    this.plan = new backup.BackupPlan(this, 'Plan', {
      backupPlanName: name,
      backupVault: this.vault,
      backupPlanRules: renderBackupSchedules(spec).map(
        (rule) =>
          new backup.BackupPlanRule({
            ruleName: rule.name,
            scheduleExpression: rule.schedule,
            startWindow: Duration.hours(1),
            completionWindow: Duration.hours(spec.window.completionHours),
            ...lifecycleOf(rule.tier),
            ...(copyVault && {
              copyActions: [{ destinationBackupVault: copyVault, ...lifecycleOf(rule.tier) }],
            }),
          }),
      ),
    });

    this.role = new iam.Role(this, 'Role', {
      description: `AWS Backup backs up the resources of ${name} with this role`,
      assumedBy: new iam.ServicePrincipal('backup.amazonaws.com'),
    });
    this.selection = this.plan.addSelection('Selection', {
      backupSelectionName: name,
      role: this.role,
      resources: [
        backup.BackupResource.fromTag(BACKUP_TAG, name),
        ...spec.resources.aws.map((arn) => backup.BackupResource.fromArn(arn)),
      ],
    });
    acknowledgeServicePolicy(this.role, 'backup');

    if (spec.restoreTesting) {
      this.restoreRole = new iam.Role(this, 'RestoreRole', {
        description: `AWS Backup restores recovery points of ${name} for restore tests with this role`,
        assumedBy: new iam.ServicePrincipal('backup.amazonaws.com'),
        managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName(BACKUP_SERVICE_POLICIES.restore)],
      });
      acknowledgeServicePolicy(this.restoreRole, 'restore');
      const testingName = restoreTestingPlanName(props.environment);
      this.restoreTestingPlan = new backup.CfnRestoreTestingPlan(this, 'RestoreTestingPlan', {
        restoreTestingPlanName: testingName,
        // Wednesday, well clear of the weekly backup on Sunday.
        scheduleExpression: `cron(0 ${spec.window.startHour} ? * WED *)`,
        recoveryPointSelection: {
          algorithm: 'LATEST_WITHIN_WINDOW',
          includeVaults: [this.vault.backupVaultArn],
          recoveryPointTypes: ['SNAPSHOT'],
          selectionWindowDays: 7,
        },
      });
      this.restoreTestingSelection = new backup.CfnRestoreTestingSelection(this, 'RestoreTestingSelection', {
        restoreTestingPlanName: this.restoreTestingPlan.ref,
        restoreTestingSelectionName: `${testingName}_ec2`,
        protectedResourceType: 'EC2',
        iamRoleArn: this.restoreRole.roleArn,
        // Every EC2 instance protected by this vault that carries the environment's backup tag.
        protectedResourceArns: ['*'],
        protectedResourceConditions: {
          stringEquals: [{ key: `aws:ResourceTag/${BACKUP_TAG}`, value: name }],
        },
      });
    }

    addBackupAlarms(this, props.monitoring);
  }
}

/** Props of {@link BackupCopyVault}. */
export interface BackupCopyVaultProps {
  /** The environment's resolved backup section: the copy vault has the primary vault's lock. */
  readonly spec: BackupSpec;
  /**
   * The environment name: the vault is `platform-<env>-copy`. The key and the vault are retained when they leave
   * the stack; `RetainStatefulResources` decides per stack.
   */
  readonly environment: string;
}

/**
 * The vault production copies go to, in the second region (in a stack of its own there): its own key and a
 * vault named `platform-<env>-copy`, with the same lock as the primary vault. The primary plan finds it by
 * name, so neither stack references the other.
 */
export class BackupCopyVault extends Construct {
  /** The key encrypting the copies. */
  public readonly key: kms.Key;
  /** The copy vault, `platform-<env>-copy`. */
  public readonly vault: backup.BackupVault;

  constructor(scope: Construct, id: string, props: BackupCopyVaultProps) {
    super(scope, id);
    checkProps('BackupCopyVault', this.node.path, props, {
      spec: {
        kind: 'object',
        allowed: "the environment's resolved backup section: defineEnvironment(...).backup",
        fields: { lock: { kind: 'string', allowed: "'governance' or 'compliance'" } },
      },
      environment: { kind: 'string', allowed: 'the environment name' },
    });
    const name = copyVaultName(props.environment);
    this.key = new kms.Key(this, 'Key', {
      description: `Encrypts the recovery points copied to ${name}`,
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
      removalPolicy: RetainStatefulResources.removalPolicyOf(this),
    });
    this.vault = new backup.BackupVault(this, 'Vault', {
      backupVaultName: name,
      encryptionKey: this.key,
      removalPolicy: RetainStatefulResources.removalPolicyOf(this),
      lockConfiguration: renderLockConfiguration(props.spec),
    });
  }
}

/** Acknowledges the AWS-managed policy of a Backup service role, by its exact ARN (cdk-nag IAM4). */
function acknowledgeServicePolicy(role: iam.Role, purpose: keyof typeof BACKUP_SERVICE_POLICIES): void {
  acknowledge(
    role,
    `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${BACKUP_SERVICE_POLICIES[purpose]}]`,
    `AWS documents ${BACKUP_SERVICE_POLICIES[purpose]} as the policy of the AWS Backup service role; AWS maintains it as the service gains resource types, which a customer-managed copy would miss`,
  );
}

function validateBackupProps(props: BackupProps, stack: Stack): void {
  const issues = new IssueCollector();
  const spec = props.spec;
  if (!Number.isInteger(spec.window.startHour) || spec.window.startHour < 0 || spec.window.startHour > 23) {
    issues.add('backup.window.startHour', spec.window.startHour, 'an hour of the day, 0-23 (UTC)');
  }
  if (spec.window.completionHours < 2) {
    issues.add(
      'backup.window.completionHours',
      spec.window.completionHours,
      'at least 2 hours (AWS completes at least an hour after the start window)',
    );
  }
  if (spec.lockChangeableForHours < 72) {
    issues.add('backup.lockChangeableForHours', spec.lockChangeableForHours, 'at least 72 hours (Vault Lock minimum)');
  }
  if (spec.secondRegion !== undefined && !Token.isUnresolved(stack.region) && spec.secondRegion === stack.region) {
    issues.add('backup.secondRegion', spec.secondRegion, `a region other than the stack's (${stack.region})`);
  }
  issues.throwIfAny('Invalid backup');
}
