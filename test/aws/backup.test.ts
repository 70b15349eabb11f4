import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, NIST80053R5Checks, type NagPack } from 'cdk-nag';
import {
  acknowledgementsOn,
  Backup,
  BACKUP_ALARM_IDS,
  BackupCopyVault,
  copyVaultName,
  Monitoring,
  PlatformChecks,
  renderLockConfiguration,
  restoreTestingPlanName,
  RetainStatefulResources,
  type BackupProps,
} from '../../lib/aws';
import { defineEnvironment, type Environment, type EnvironmentInput, type Tier } from '../../lib/core';
import { devInput, errorOf, prodInput } from '../util/fixtures';

type Properties = Record<string, unknown>;

interface Built {
  readonly stack: Stack;
  readonly template: Template;
  readonly backup: Backup;
  readonly monitoring: Monitoring;
  readonly env: Environment;
}

function envOf(input: EnvironmentInput, backup: EnvironmentInput['backup'] = undefined): Environment {
  return defineEnvironment({ ...input, ...(backup !== undefined && { backup }) });
}

function build(env: Environment, props: Partial<BackupProps> = {}, retainData?: boolean): Built {
  const stack = new Stack(new App(), 'Foundation', {
    env: { account: env.aws.account, region: env.aws.region },
    terminationProtection: env.tier === 'production',
  });
  if (retainData !== undefined) RetainStatefulResources.applyTo(stack, { retainData });
  const monitoring = new Monitoring(stack, 'Monitoring', { spec: env.monitoring, name: env.name });
  const backup = new Backup(stack, 'Backup', {
    spec: env.backup,
    environment: env.name,
    monitoring,
    ...props,
  });
  return { stack, template: Template.fromStack(stack), backup, monitoring, env };
}

const dev = (): Built => build(envOf(devInput()));
const prod = (): Built => build(envOf(prodInput()));

/** The plan's rules, by name. */
function rulesOf(template: Template): Record<string, Properties> {
  const plans = Object.values(template.findResources('AWS::Backup::BackupPlan'));
  expect(plans).toHaveLength(1);
  const rules = (plans[0]!.Properties.BackupPlan as { BackupPlanRule: Properties[] }).BackupPlanRule;
  return Object.fromEntries(rules.map((r) => [r.RuleName as string, r]));
}

describe('Backup (AWS)', () => {
  test('the vault is named after the environment, encrypted with its own rotating key, and retained', () => {
    const { template, stack, backup } = prod();
    template.hasResource('AWS::Backup::BackupVault', {
      Properties: Match.objectLike({
        BackupVaultName: 'platform-prod',
        EncryptionKeyArn: stack.resolve(backup.key.keyArn),
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    template.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({
        EnableKeyRotation: true,
        Description: 'Encrypts the recovery points of platform-prod',
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('in a stack whose data is not retained (RetainStatefulResources), the key and the vault are deleted with it', () => {
    const { template } = build(envOf(devInput()), {}, false);
    template.hasResource('AWS::Backup::BackupVault', { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
    template.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({ Description: 'Encrypts the recovery points of platform-dev' }),
      DeletionPolicy: 'Delete',
    });
  });

  test('a compliance lock keeps points between the shortest and the longest tier, changeable for 3 days after 72 hours', () => {
    prod().template.hasResourceProperties('AWS::Backup::BackupVault', {
      LockConfiguration: { MinRetentionDays: 35, MaxRetentionDays: 365, ChangeableForDays: 3 },
    });
  });

  test('a compliance lock rounds a grace period in hours up to whole days', () => {
    const env = envOf(prodInput(), { lockChangeableForHours: 80 });
    expect(renderLockConfiguration(env.backup).changeableFor?.toDays()).toBe(4);
  });

  test('a governance lock has no grace period, so privileged users can still remove it', () => {
    dev().template.hasResourceProperties('AWS::Backup::BackupVault', {
      LockConfiguration: { MinRetentionDays: 7, MaxRetentionDays: 35, ChangeableForDays: Match.absent() },
    });
  });

  test('development keeps daily points 7 days and weekly points 35 days, with no monthly rule', () => {
    const rules = rulesOf(dev().template);
    expect(Object.keys(rules).sort()).toEqual(['daily', 'weekly']);
    expect(rules.daily).toMatchObject({
      ScheduleExpression: 'cron(0 1 * * ? *)',
      StartWindowMinutes: 60,
      CompletionWindowMinutes: 480,
      Lifecycle: { DeleteAfterDays: 7 },
    });
    expect(rules.weekly).toMatchObject({
      ScheduleExpression: 'cron(0 1 ? * SUN *)',
      Lifecycle: { DeleteAfterDays: 35 },
    });
  });

  test('production keeps daily points 35 days, weekly 90 days and monthly a year, cold after 30 days', () => {
    const rules = rulesOf(prod().template);
    expect(Object.keys(rules).sort()).toEqual(['daily', 'monthly', 'weekly']);
    expect(rules.daily).toMatchObject({ Lifecycle: { DeleteAfterDays: 35 } });
    expect(rules.weekly).toMatchObject({ Lifecycle: { DeleteAfterDays: 90 } });
    expect(rules.monthly).toMatchObject({
      ScheduleExpression: 'cron(0 1 1 * ? *)',
      Lifecycle: { DeleteAfterDays: 365, MoveToColdStorageAfterDays: 30 },
    });
  });

  test('a yearly tier runs on 1 January at the window start, and the window follows the spec', () => {
    const env = envOf(prodInput(), {
      yearly: { retentionDays: 2555, coldStorageAfterDays: 90 },
      window: { startHour: 22, completionHours: 4 },
    });
    const rules = rulesOf(build(env).template);
    expect(rules.yearly).toMatchObject({
      ScheduleExpression: 'cron(0 22 1 1 ? *)',
      CompletionWindowMinutes: 240,
      Lifecycle: { DeleteAfterDays: 2555, MoveToColdStorageAfterDays: 90 },
    });
    expect(rules.daily).toMatchObject({ ScheduleExpression: 'cron(0 22 * * ? *)' });
  });

  test('production copies every rule to the copy vault in the second region, by a literal ARN, with the same lifecycle', () => {
    const { template, env } = prod();
    expect(env.backup.secondRegion).toBe('eu-central-1');
    const arn = {
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':backup:eu-central-1:333333333333:backup-vault:platform-prod-copy'],
      ],
    };
    const rules = rulesOf(template);
    expect(Object.keys(rules).sort()).toEqual(['daily', 'monthly', 'weekly']);
    for (const rule of Object.values(rules)) {
      expect(rule.CopyActions).toEqual([{ DestinationBackupVaultArn: arn, Lifecycle: rule.Lifecycle }]);
    }
    expect(copyVaultName('prod')).toBe('platform-prod-copy');
  });

  test('without a second region in the spec (development) no rule is copied', () => {
    const { template, backup, env } = dev();
    expect(env.backup.secondRegion).toBeUndefined();
    const rules = rulesOf(template);
    expect(Object.keys(rules).sort()).toEqual(['daily', 'weekly']);
    for (const rule of Object.values(rules)) expect(rule.CopyActions).toBeUndefined();
    expect(backup.copyVault).toBeUndefined();
  });

  test('copies follow the second region of the spec alone, whatever the environment it came from', () => {
    // A spec written by hand rather than by defineEnvironment: the construct decides by secondRegion, not by a tier.
    const env = envOf(devInput());
    const { template, backup } = build(env, { spec: { ...env.backup, secondRegion: 'eu-central-1' } });
    const rules = Object.values(rulesOf(template));
    expect(rules).toHaveLength(2);
    for (const rule of rules) expect(rule.CopyActions).toHaveLength(1);
    expect(backup.copyVault?.backupVaultArn).toContain('platform-dev-copy');
  });

  test('selects everything tagged with the plan name, plus the ARNs of the spec', () => {
    const arn = 'arn:aws:dynamodb:eu-west-1:333333333333:table/orders';
    const { template, stack, backup } = build(envOf(prodInput(), { resources: { aws: [arn] } }));
    template.hasResourceProperties('AWS::Backup::BackupSelection', {
      BackupSelection: {
        SelectionName: 'platform-prod',
        IamRoleArn: stack.resolve(backup.role.roleArn),
        ListOfTags: [
          { ConditionKey: 'platform:backup', ConditionType: 'STRINGEQUALS', ConditionValue: 'platform-prod' },
        ],
        Resources: [arn],
      },
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 'backup.amazonaws.com' } })],
      }),
      ManagedPolicyArns: [
        {
          'Fn::Join': [
            '',
            ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup'],
          ],
        },
      ],
    });
  });

  test('production tests restores of EC2 instances weekly from the latest recovery point of the last 7 days', () => {
    const { template, stack, backup } = prod();
    template.hasResourceProperties('AWS::Backup::RestoreTestingPlan', {
      RestoreTestingPlanName: 'platform_prod',
      ScheduleExpression: 'cron(0 1 ? * WED *)',
      RecoveryPointSelection: {
        Algorithm: 'LATEST_WITHIN_WINDOW',
        IncludeVaults: [stack.resolve(backup.vault.backupVaultArn)],
        RecoveryPointTypes: ['SNAPSHOT'],
        SelectionWindowDays: 7,
      },
    });
    template.hasResourceProperties('AWS::Backup::RestoreTestingSelection', {
      RestoreTestingPlanName: stack.resolve(backup.restoreTestingPlan?.ref),
      RestoreTestingSelectionName: 'platform_prod_ec2',
      ProtectedResourceType: 'EC2',
      ProtectedResourceArns: ['*'],
      ProtectedResourceConditions: {
        StringEquals: [{ Key: 'aws:ResourceTag/platform:backup', Value: 'platform-prod' }],
      },
      IamRoleArn: stack.resolve(backup.restoreRole?.roleArn),
    });
    expect(restoreTestingPlanName('my-env')).toBe('platform_my_env');
  });

  test('restore testing follows the spec alone: on when it says so, whatever the environment it came from', () => {
    const { stack, template, backup } = build(envOf(devInput(), { restoreTesting: true }));
    template.resourceCountIs('AWS::Backup::RestoreTestingPlan', 1);
    template.resourceCountIs('AWS::Backup::RestoreTestingSelection', 1);
    // The selection restores with the construct's restore role.
    template.hasResourceProperties('AWS::Backup::RestoreTestingSelection', {
      IamRoleArn: stack.resolve(backup.restoreRole?.roleArn),
    });
    expect(stack.resolve(backup.restoreRole?.roleArn)).toEqual({
      'Fn::GetAtt': ['BackupRestoreRoleCD03AEAC', 'Arn'],
    });
  });

  test('development has no restore testing, and production none when the spec turns it off', () => {
    for (const built of [dev(), build(envOf(prodInput(), { restoreTesting: false }))]) {
      built.template.resourceCountIs('AWS::Backup::RestoreTestingPlan', 0);
      built.template.resourceCountIs('AWS::Backup::RestoreTestingSelection', 0);
      expect(built.backup.restoreRole).toBeUndefined();
    }
  });

  test('failed backup, copy and restore jobs raise critical alarms over an hour', () => {
    const { template, monitoring, stack } = prod();
    const metrics = {
      [BACKUP_ALARM_IDS.jobs]: 'NumberOfBackupJobsFailed',
      [BACKUP_ALARM_IDS.copyJobs]: 'NumberOfCopyJobsFailed',
      [BACKUP_ALARM_IDS.restoreJobs]: 'NumberOfRestoreJobsFailed',
    };
    for (const [id, metricName] of Object.entries(metrics)) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `platform-prod-${id.replaceAll('/', '.')}`,
        Namespace: 'AWS/Backup',
        MetricName: metricName,
        Statistic: 'Sum',
        Period: 3600,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 1,
        AlarmActions: [stack.resolve(monitoring.topics.critical.topicArn)],
      });
      expect(monitoring.alarms.has(id)).toBe(true);
    }
  });

  test('the dashboard row names its metrics literally', () => {
    const { template } = prod();
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboards[0]!.Properties.DashboardBody);
    expect(body).toContain('## Backup');
    expect(body).toContain('\\"AWS/Backup\\",\\"NumberOfBackupJobsFailed\\"');
  });

  test('a copy vault in the second region has its own key and the primary lock, retained', () => {
    const env = envOf(prodInput());
    const stack = new Stack(new App(), 'Copy', { env: { account: env.aws.account, region: 'eu-central-1' } });
    const copy = new BackupCopyVault(stack, 'CopyVault', { spec: env.backup, environment: env.name });
    const template = Template.fromStack(stack);
    template.hasResource('AWS::Backup::BackupVault', {
      Properties: {
        BackupVaultName: 'platform-prod-copy',
        EncryptionKeyArn: stack.resolve(copy.key.keyArn),
        LockConfiguration: { MinRetentionDays: 35, MaxRetentionDays: 365, ChangeableForDays: 3 },
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('refuses a window start outside the day and a second region equal to its own, naming both', () => {
    const env = envOf(prodInput());
    const spec = { ...env.backup, window: { startHour: 24, completionHours: 8 }, secondRegion: 'eu-west-1' };
    const stack = new Stack(new App(), 'S', { env: { account: env.aws.account, region: 'eu-west-1' } });
    const monitoring = new Monitoring(stack, 'Monitoring', { spec: env.monitoring, name: env.name });
    const message = errorOf(() => new Backup(stack, 'Backup', { spec, environment: env.name, monitoring })).message;
    expect(message).toMatch(/backup\.window\.startHour: 24/);
    expect(message).toMatch(/backup\.secondRegion: "?eu-west-1"?.*a region other than the stack's/);
  });
});

describe('Backup guardrails (AWS)', () => {
  function findings(stack: Stack, tier: Tier): string[] {
    const packs: NagPack[] = [
      new AwsSolutionsChecks(),
      new PlatformChecks(undefined, { tier }),
      ...(tier === 'production' ? [new NIST80053R5Checks()] : []),
    ];
    return packs.flatMap((pack) =>
      pack
        .validateScope(stack)
        .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`)),
    );
  }

  test('a production backup has no unacknowledged AwsSolutions, NIST 800-53 R5 or Platform finding', () => {
    const { stack, backup } = prod();
    expect(findings(stack, 'production')).toEqual([]);
    // The AWS-managed service policies are acknowledged one by one, by their exact ARN, not IAM4 as a whole.
    const policy = (name: string): string =>
      `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/${name}]`;
    expect(Object.keys(acknowledgementsOn(backup.role))).toEqual([policy('AWSBackupServiceRolePolicyForBackup')]);
    const restoreRole = backup.restoreRole;
    if (!restoreRole) throw new Error('production has a restore role');
    expect(Object.keys(acknowledgementsOn(restoreRole))).toEqual([policy('AWSBackupServiceRolePolicyForRestores')]);
  });

  test('a development backup has no unacknowledged AwsSolutions or Platform finding', () => {
    const { stack } = dev();
    expect(findings(stack, 'development')).toEqual([]);
  });
});
