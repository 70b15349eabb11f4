import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { Patching, PlatformStack, renderPatchSchedule, type PatchingProps } from '../../lib/aws';
import { patchGroupName, SpecError, type Environment, type PatchingSpec } from '../../lib/core';
import { devEnvironment, errorOf, prodEnvironment } from '../util/fixtures';

const LOG_GROUP = '/platform/dev/application';

function stackFor(env: Environment): PlatformStack {
  return new PlatformStack(new App(), 'Test', {
    env: { account: env.aws.account, region: env.aws.region },
    availabilityZones: env.aws.availabilityZones,
  });
}

function build(
  env: Environment = devEnvironment(),
  extra: Partial<PatchingProps> = {},
): { patching: Patching; template: Template; stack: PlatformStack } {
  const stack = stackFor(env);
  const patching = new Patching(stack, 'Patching', {
    spec: env.patching,
    environment: env.name,
    logGroupName: LOG_GROUP,
    ...extra,
  });
  return { patching, stack, template: Template.fromStack(stack) };
}

function withSpec(change: Partial<PatchingSpec>, env: Environment = devEnvironment()): Partial<PatchingProps> {
  return { spec: { ...env.patching, ...change } };
}

describe('renderPatchSchedule', () => {
  test('a daily window at 03:00 runs every day of the week', () => {
    expect(renderPatchSchedule({ day: 'daily', startHour: 3 })).toBe('cron(0 3 ? * * *)');
  });

  test('a Sunday window at 02:00 runs on Sundays only', () => {
    expect(renderPatchSchedule({ day: 'sunday', startHour: 2 })).toBe('cron(0 2 ? * SUN *)');
  });

  test('each weekday maps to its three-letter cron day', () => {
    const days = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
    expect(days.map((day) => renderPatchSchedule({ day, startHour: 0 }))).toEqual([
      'cron(0 0 ? * MON *)',
      'cron(0 0 ? * TUE *)',
      'cron(0 0 ? * WED *)',
      'cron(0 0 ? * THU *)',
      'cron(0 0 ? * FRI *)',
      'cron(0 0 ? * SAT *)',
    ]);
  });

  test('the hour is written as given, up to 23', () => {
    expect(renderPatchSchedule({ day: 'saturday', startHour: 23 })).toBe('cron(0 23 ? * SAT *)');
  });
});

describe('Patching (AWS)', () => {
  test('one patch baseline per operating system, and nothing else besides the window, target, task and scan', () => {
    const { template } = build();
    template.resourceCountIs('AWS::SSM::PatchBaseline', 2);
    template.resourceCountIs('AWS::SSM::MaintenanceWindow', 1);
    template.resourceCountIs('AWS::SSM::MaintenanceWindowTarget', 1);
    template.resourceCountIs('AWS::SSM::MaintenanceWindowTask', 1);
    template.resourceCountIs('AWS::SSM::Association', 1);
    expect(Object.keys(template.toJSON().Resources as Record<string, unknown>)).toHaveLength(6);
  });

  test('the Ubuntu baseline approves Required, Important and Standard updates of any section, for its patch group', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::SSM::PatchBaseline', {
      Name: 'platform-dev-ubuntu-24.04',
      Description: Match.stringLikeRegexp('Ubuntu Server 24.04 servers of dev'),
      OperatingSystem: 'UBUNTU',
      PatchGroups: ['platform-dev-ubuntu-24.04'],
      ApprovalRules: {
        PatchRules: [
          {
            PatchFilterGroup: {
              PatchFilters: [
                { Key: 'PRIORITY', Values: ['Required', 'Important', 'Standard'] },
                { Key: 'SECTION', Values: ['*'] },
              ],
            },
            ComplianceLevel: 'HIGH',
            EnableNonSecurity: false,
          },
        ],
      },
    });
  });

  test('the Ubuntu baseline has no approval delay, which Patch Manager does not support on Ubuntu', () => {
    const { template, patching, stack } = build(prodEnvironment());
    const baselines = template.findResources('AWS::SSM::PatchBaseline', {
      Properties: { OperatingSystem: 'UBUNTU' },
    });
    expect(Object.keys(baselines)).toEqual([stack.resolve(patching.baselines['ubuntu-24.04'].ref).Ref]);
    template.hasResourceProperties('AWS::SSM::PatchBaseline', {
      OperatingSystem: 'UBUNTU',
      ApprovalRules: {
        PatchRules: [Match.objectLike({ ApproveAfterDays: Match.absent(), ApproveUntilDate: Match.absent() })],
      },
    });
  });

  test('the Amazon Linux 2023 baseline approves critical, important and medium security and bug fix updates', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::SSM::PatchBaseline', {
      Name: 'platform-dev-amazon-linux-2023',
      Description: Match.stringLikeRegexp('Amazon Linux 2023 servers of dev'),
      OperatingSystem: 'AMAZON_LINUX_2023',
      PatchGroups: ['platform-dev-amazon-linux-2023'],
      ApprovalRules: {
        PatchRules: [
          {
            PatchFilterGroup: {
              PatchFilters: [
                { Key: 'CLASSIFICATION', Values: ['Security', 'Bugfix'] },
                { Key: 'SEVERITY', Values: ['Critical', 'Important', 'Medium'] },
              ],
            },
            ApproveAfterDays: 0,
            ComplianceLevel: 'HIGH',
            EnableNonSecurity: false,
          },
        ],
      },
    });
  });

  test('Amazon Linux updates wait the spec approval delay: 7 days in production', () => {
    const { template } = build(prodEnvironment());
    template.hasResourceProperties('AWS::SSM::PatchBaseline', {
      OperatingSystem: 'AMAZON_LINUX_2023',
      ApprovalRules: { PatchRules: [Match.objectLike({ ApproveAfterDays: 7 })] },
    });
  });

  test('the patch group of an operating system is the one the servers are tagged with', () => {
    const { patching, stack } = build(prodEnvironment());
    expect(Patching.patchGroupOf('prod', 'ubuntu-24.04')).toBe(patchGroupName('prod', 'ubuntu-24.04'));
    expect(Patching.patchGroupOf('prod', 'amazon-linux-2023')).toBe('platform-prod-amazon-linux-2023');
    expect(stack.resolve(patching.baselines['amazon-linux-2023'].patchGroups)).toEqual([
      Patching.patchGroupOf('prod', 'amazon-linux-2023'),
    ]);
  });

  test('development patches daily at 03:00 UTC, in a window of the spec duration that stops starting tasks an hour early', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::SSM::MaintenanceWindow', {
      Name: 'platform-dev-patching',
      Schedule: 'cron(0 3 ? * * *)',
      ScheduleTimezone: 'UTC',
      Duration: 3,
      Cutoff: 1,
      AllowUnassociatedTargets: false,
    });
  });

  test('production patches on Sundays at 02:00 UTC', () => {
    const { template } = build(prodEnvironment());
    template.hasResourceProperties('AWS::SSM::MaintenanceWindow', {
      Name: 'platform-prod-patching',
      Schedule: 'cron(0 2 ? * SUN *)',
      ScheduleTimezone: 'UTC',
    });
  });

  test('the window lasts durationHours from the spec', () => {
    const { template } = build(devEnvironment(), withSpec({ durationHours: 6, day: 'saturday', startHour: 22 }));
    template.hasResourceProperties('AWS::SSM::MaintenanceWindow', {
      Schedule: 'cron(0 22 ? * SAT *)',
      Duration: 6,
      Cutoff: 1,
    });
  });

  test('the window targets the instances tagged with either patch group of the environment', () => {
    const { template, patching, stack } = build();
    template.hasResourceProperties('AWS::SSM::MaintenanceWindowTarget', {
      WindowId: stack.resolve(patching.maintenanceWindow.ref),
      ResourceType: 'INSTANCE',
      Targets: [{ Key: 'tag:PatchGroup', Values: ['platform-dev-ubuntu-24.04', 'platform-dev-amazon-linux-2023'] }],
    });
  });

  test('the task installs approved updates with AWS-RunPatchBaseline on the window targets, half of them at a time', () => {
    const { template, patching, stack } = build();
    template.hasResourceProperties('AWS::SSM::MaintenanceWindowTask', {
      WindowId: stack.resolve(patching.maintenanceWindow.ref),
      TaskType: 'RUN_COMMAND',
      TaskArn: 'AWS-RunPatchBaseline',
      Priority: 1,
      Targets: [{ Key: 'WindowTargetIds', Values: [stack.resolve(patching.target.ref)] }],
      MaxConcurrency: '50%',
      MaxErrors: '1',
      CutoffBehavior: 'CONTINUE_TASK',
      TaskInvocationParameters: {
        MaintenanceWindowRunCommandParameters: Match.objectLike({
          Parameters: { Operation: ['Install'], RebootOption: ['RebootIfNeeded'] },
        }),
      },
    });
  });

  test('the task runs with the Systems Manager service-linked role: no service role is named', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::SSM::MaintenanceWindowTask', {
      ServiceRoleArn: Match.absent(),
      TaskInvocationParameters: {
        MaintenanceWindowRunCommandParameters: Match.objectLike({ ServiceRoleArn: Match.absent() }),
      },
    });
  });

  test('servers are not restarted when the spec does not allow reboots', () => {
    const { template } = build(devEnvironment(), withSpec({ rebootIfNeeded: false }));
    template.hasResourceProperties('AWS::SSM::MaintenanceWindowTask', {
      TaskInvocationParameters: {
        MaintenanceWindowRunCommandParameters: Match.objectLike({
          Parameters: { Operation: ['Install'], RebootOption: ['NoReboot'] },
        }),
      },
    });
  });

  test("by default the spec's maxConcurrency: one server at a time in production, half of them in development", () => {
    const concurrency = (env: Environment): unknown =>
      Object.values(build(env).template.findResources('AWS::SSM::MaintenanceWindowTask')).map(
        (t) => t.Properties.MaxConcurrency,
      );
    expect([prodEnvironment().patching.maxConcurrency, devEnvironment().patching.maxConcurrency]).toEqual(['1', '50%']);
    expect([concurrency(prodEnvironment()), concurrency(devEnvironment())]).toEqual([['1'], ['50%']]);
  });

  test('maxConcurrency given in the props overrides the spec', () => {
    const { template } = build(prodEnvironment(), { maxConcurrency: '2' });
    template.hasResourceProperties('AWS::SSM::MaintenanceWindowTask', { MaxConcurrency: '2' });
  });

  test("the patching output goes to the environment's log group in CloudWatch Logs", () => {
    const { template } = build();
    template.hasResourceProperties('AWS::SSM::MaintenanceWindowTask', {
      TaskInvocationParameters: {
        MaintenanceWindowRunCommandParameters: Match.objectLike({
          CloudWatchOutputConfig: { CloudWatchOutputEnabled: true, CloudWatchLogGroupName: LOG_GROUP },
        }),
      },
    });
  });

  test('a log group of the same stack can be passed by its name token', () => {
    const stack = stackFor(devEnvironment());
    const logGroup = new logs.LogGroup(stack, 'Logs');
    new Patching(stack, 'Patching', {
      spec: devEnvironment().patching,
      environment: 'dev',
      logGroupName: logGroup.logGroupName,
    });
    Template.fromStack(stack).hasResourceProperties('AWS::SSM::MaintenanceWindowTask', {
      TaskInvocationParameters: {
        MaintenanceWindowRunCommandParameters: Match.objectLike({
          CloudWatchOutputConfig: Match.objectLike({ CloudWatchLogGroupName: stack.resolve(logGroup.logGroupName) }),
        }),
      },
    });
  });

  test('State Manager scans the same servers daily and reports missing patches as HIGH compliance findings', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::SSM::Association', {
      AssociationName: 'platform-dev-patch-scan',
      Name: 'AWS-RunPatchBaseline',
      Parameters: { Operation: ['Scan'] },
      Targets: [{ Key: 'tag:PatchGroup', Values: ['platform-dev-ubuntu-24.04', 'platform-dev-amazon-linux-2023'] }],
      ScheduleExpression: 'rate(1 day)',
      ComplianceSeverity: 'HIGH',
    });
  });

  test('adds no AwsSolutions or NIST 800-53 R5 finding', () => {
    const { stack } = build(prodEnvironment(), { maxConcurrency: '1' });
    const findings = [new AwsSolutionsChecks(), new NIST80053R5Checks()].flatMap((pack) =>
      pack
        .validateScope(stack)
        .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`)),
    );
    expect(findings).toEqual([]);
  });

  describe('validation', () => {
    test('rejects a start hour outside 0-23', () => {
      expect(() => build(devEnvironment(), withSpec({ startHour: 24 }))).toThrow(
        /patching\.startHour: 24 - an hour from 0 to 23 \(UTC\)/,
      );
    });

    test('rejects a window too short to keep its one-hour cutoff', () => {
      expect(() => build(devEnvironment(), withSpec({ durationHours: 1 }))).toThrow(
        /patching\.durationHours: 1 - whole hours from 2 to 24/,
      );
    });

    test('rejects an approval delay Patch Manager does not accept', () => {
      expect(() => build(devEnvironment(), withSpec({ approveAfterDays: 400 }))).toThrow(
        /patching\.approveAfterDays: 400 - whole days from 0 to 360/,
      );
    });

    test('rejects a maxConcurrency that is neither a count nor a percentage', () => {
      expect(() => build(devEnvironment(), { maxConcurrency: '0' })).toThrow(
        /maxConcurrency: "0" - a count of instances/,
      );
      expect(() => build(devEnvironment(), { maxConcurrency: '150%' })).toThrow(/maxConcurrency: "150%"/);
    });

    test('rejects a log group name CloudWatch Logs would refuse', () => {
      expect(() => build(devEnvironment(), { logGroupName: '/platform/dev/app logs' })).toThrow(
        /logGroupName: "\/platform\/dev\/app logs" - a log group name/,
      );
    });

    test('rejects an environment name that makes an invalid Systems Manager name', () => {
      expect(() => build(devEnvironment(), { environment: 'dev env' })).toThrow(
        /environment: "dev env" - a name that keeps platform-dev env-ubuntu-24.04 a Systems Manager name/,
      );
    });

    test('reports every problem at once', () => {
      const error = errorOf(() =>
        build(devEnvironment(), { ...withSpec({ startHour: -1, durationHours: 30 }), maxConcurrency: 'all' }),
      );
      expect(SpecError.isSpecError(error) && error.issues.map((i) => i.path)).toEqual([
        'patching.startHour',
        'patching.durationHours',
        'maxConcurrency',
      ]);
    });
  });
});
