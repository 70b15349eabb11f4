import { Token } from 'aws-cdk-lib';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import {
  checkProps,
  IssueCollector,
  OPERATING_SYSTEMS,
  type OperatingSystem,
  PATCH_DAYS,
  PATCH_GROUP_TAG,
  type PatchDay,
  patchGroupName,
  type PatchingSpec,
  PLATFORM_PREFIX,
} from '../core';

/** Props of {@link Patching}. */
export interface PatchingProps {
  /**
   * The environment's resolved patching section: the window's day, hour and length, reboots, approval delay, and
   * how many servers are patched at once (`maxConcurrency`).
   */
  readonly spec: PatchingSpec;
  /** The environment name; it names the baselines, the patch groups and the window (`platform-<env>-...`). */
  readonly environment: string;
  /** The log group Run Command sends patching output to (by name; the instances' role may write there). */
  readonly logGroupName: string;
  /**
   * How many instances are patched at once in the window: a number (`'1'`) or a percentage of the targets (`'50%'`).
   * @default - spec.maxConcurrency: '1' in production tiers (a definition of several servers keeps serving), '50%'
   *   in development
   */
  readonly maxConcurrency?: string;
}

/** The document Patch Manager runs, both to install (in the window) and to scan (daily, by State Manager). */
const RUN_PATCH_BASELINE = 'AWS-RunPatchBaseline';

/** A CloudFormation-valid SSM resource name: baselines, windows, targets, tasks and associations share it. */
const SSM_NAME = /^[a-zA-Z0-9_\-.]{3,128}$/;
/** A CloudWatch Logs log group name. */
const LOG_GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;
/** A Run Command rate: a positive count or 1% to 100% of the targets. */
const MAX_CONCURRENCY = /^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$/;

/** The hour the window stops starting new tasks, before it closes (the task's cutoff). */
const CUTOFF_HOURS = 1;

/** The cron day-of-week field of each patch day (SSM cron: `MON`..`SUN`, `*` every day). */
const CRON_DAYS: Readonly<Record<PatchDay, string>> = {
  daily: '*',
  monday: 'MON',
  tuesday: 'TUE',
  wednesday: 'WED',
  thursday: 'THU',
  friday: 'FRI',
  saturday: 'SAT',
  sunday: 'SUN',
};

/**
 * The maintenance window's schedule, in the six-field cron of Systems Manager, UTC (the window sets
 * `ScheduleTimezone: 'UTC'`): `cron(0 3 ? * * *)` daily at 03:00, `cron(0 2 ? * SUN *)` on Sundays at 02:00.
 */
export function renderPatchSchedule(spec: Pick<PatchingSpec, 'day' | 'startHour'>): string {
  return `cron(0 ${spec.startHour} ? * ${CRON_DAYS[spec.day]} *)`;
}

/** The names of an environment's patching resources, all `platform-<env>-...`. */
function patchingNames(environment: string) {
  const prefix = `${PLATFORM_PREFIX}-${environment}`;
  return {
    baseline: (os: OperatingSystem) => `${prefix}-${os}`,
    window: `${prefix}-patching`,
    target: `${prefix}-servers`,
    task: `${prefix}-install-patches`,
    association: `${prefix}-patch-scan`,
  };
}

/** What each operating system's baseline is made of: its construct id, Patch Manager's name for the system and the one approval rule. */
const BASELINES: Readonly<
  Record<
    OperatingSystem,
    {
      readonly id: string;
      readonly operatingSystem: string;
      readonly title: string;
      readonly rule: (spec: PatchingSpec) => ssm.CfnPatchBaseline.RuleProperty;
    }
  >
> = {
  'ubuntu-24.04': {
    id: 'UbuntuBaseline',
    operatingSystem: 'UBUNTU',
    title: 'Ubuntu Server 24.04',
    rule: () => ({
      // Ubuntu filters on the Debian package Priority and Section (PRIORITY, SECTION; '*' is any section).
      // No ApproveAfterDays: Patch Manager does not support it (nor ApproveUntilDate) on Ubuntu, whose repositories
      // carry no reliable release dates, so an update is approved as soon as it is in the security archive.
      patchFilterGroup: {
        patchFilters: [
          { key: 'PRIORITY', values: ['Required', 'Important', 'Standard'] },
          { key: 'SECTION', values: ['*'] },
        ],
      },
      complianceLevel: 'HIGH',
      enableNonSecurity: false,
    }),
  },
  'amazon-linux-2023': {
    id: 'AmazonLinuxBaseline',
    operatingSystem: 'AMAZON_LINUX_2023',
    title: 'Amazon Linux 2023',
    rule: (spec) => ({
      patchFilterGroup: {
        patchFilters: [
          { key: 'CLASSIFICATION', values: ['Security', 'Bugfix'] },
          { key: 'SEVERITY', values: ['Critical', 'Important', 'Medium'] },
        ],
      },
      approveAfterDays: spec.approveAfterDays,
      complianceLevel: 'HIGH',
      enableNonSecurity: false,
    }),
  },
};

/**
 * Patch Manager for one environment's servers: a patch baseline per operating system, registered for the
 * environment's patch group of that system (`platform-<env>-<os>`, the value servers carry in their
 * `PatchGroup` tag); a maintenance window, `platform-<env>-patching`, that installs approved updates with
 * `AWS-RunPatchBaseline` at the spec's day and hour (UTC) and reboots only if the spec allows it, sending the
 * command output to the environment's log group; and a daily State Manager scan, so that patch compliance is
 * reported between windows.
 *
 * No service role is given to the task: Systems Manager runs it with its service-linked role
 * (`AWSServiceRoleForAmazonSSM`), created on first use, so there is no IAM policy here to scope or review.
 *
 * @example
 * const patching = new Patching(stack, 'Patching', {
 *   spec: env.patching,
 *   environment: env.name,
 *   logGroupName: monitoring.logAnalysis.applicationLogGroup.logGroupName,
 * });
 */
export class Patching extends Construct {
  /** The patch group of an environment's servers of one operating system, the value of their `PatchGroup` tag. */
  public static patchGroupOf(environment: string, os: OperatingSystem): string {
    return patchGroupName(environment, os);
  }

  /** One patch baseline per operating system, `platform-<env>-<os>`. */
  public readonly baselines: Readonly<Record<OperatingSystem, ssm.CfnPatchBaseline>>;
  /** The maintenance window, `platform-<env>-patching`. */
  public readonly maintenanceWindow: ssm.CfnMaintenanceWindow;
  /** The window's targets: every instance tagged with one of the environment's patch groups. */
  public readonly target: ssm.CfnMaintenanceWindowTarget;
  /** The window's task: `AWS-RunPatchBaseline` with `Operation: Install`. */
  public readonly installTask: ssm.CfnMaintenanceWindowTask;
  /** The State Manager association that scans the same instances daily (`Operation: Scan`). */
  public readonly scanAssociation: ssm.CfnAssociation;

  constructor(scope: Construct, id: string, props: PatchingProps) {
    super(scope, id);
    checkProps('Patching', this.node.path, props, {
      spec: {
        kind: 'object',
        allowed: "the environment's resolved patching section: defineEnvironment(...).patching",
        fields: {
          day: { kind: 'string', allowed: 'the day of the window' },
          startHour: { kind: 'number', allowed: 'the hour the window opens, 0-23 (UTC)' },
          durationHours: { kind: 'number', allowed: 'how long the window lasts, in hours' },
          rebootIfNeeded: { kind: 'boolean', allowed: 'true or false' },
          approveAfterDays: { kind: 'number', allowed: 'days before a patch is approved' },
          maxConcurrency: { kind: 'string', allowed: "'1' or '50%'" },
        },
      },
      environment: { kind: 'string', allowed: 'the environment name' },
      logGroupName: { kind: 'string', allowed: 'the log group patching output goes to' },
      maxConcurrency: { kind: 'string', optional: true, allowed: "a number ('1') or a percentage ('50%')" },
    });
    const maxConcurrency = props.maxConcurrency ?? props.spec.maxConcurrency;
    const spec = props.spec;
    const env = props.environment;
    const names = patchingNames(env);
    validatePatchingProps(props, maxConcurrency);

    const systems = Object.keys(OPERATING_SYSTEMS) as OperatingSystem[];
    const patchGroups = systems.map((os) => patchGroupName(env, os));

    this.baselines = Object.fromEntries(
      systems.map((os) => {
        const baseline = BASELINES[os];
        return [
          os,
          new ssm.CfnPatchBaseline(this, baseline.id, {
            name: names.baseline(os),
            description: `Updates approved for the ${baseline.title} servers of ${env}`,
            operatingSystem: baseline.operatingSystem,
            approvalRules: { patchRules: [baseline.rule(spec)] },
            patchGroups: [patchGroupName(env, os)],
          }),
        ];
      }),
    ) as Record<OperatingSystem, ssm.CfnPatchBaseline>;

    this.maintenanceWindow = new ssm.CfnMaintenanceWindow(this, 'Window', {
      name: names.window,
      description: `Installs approved updates on the servers of ${env}`,
      schedule: renderPatchSchedule(spec),
      scheduleTimezone: 'UTC',
      duration: spec.durationHours,
      cutoff: CUTOFF_HOURS,
      allowUnassociatedTargets: false,
    });

    const targets = [{ key: `tag:${PATCH_GROUP_TAG}`, values: patchGroups }];
    this.target = new ssm.CfnMaintenanceWindowTarget(this, 'Target', {
      windowId: this.maintenanceWindow.ref,
      name: names.target,
      description: `The servers of ${env}, by their ${PATCH_GROUP_TAG} tag`,
      resourceType: 'INSTANCE',
      targets,
    });

    this.installTask = new ssm.CfnMaintenanceWindowTask(this, 'InstallTask', {
      windowId: this.maintenanceWindow.ref,
      name: names.task,
      description: `Installs the approved updates on the servers of ${env}`,
      taskType: 'RUN_COMMAND',
      taskArn: RUN_PATCH_BASELINE,
      priority: 1,
      targets: [{ key: 'WindowTargetIds', values: [this.target.ref] }],
      maxConcurrency,
      maxErrors: '1',
      // An installation stopped half-way leaves a server worse off than one that ends after the window closes.
      cutoffBehavior: 'CONTINUE_TASK',
      // No serviceRoleArn: Systems Manager runs the task with its service-linked role.
      taskInvocationParameters: {
        maintenanceWindowRunCommandParameters: {
          comment: `Patch ${env}`,
          parameters: {
            Operation: ['Install'],
            RebootOption: [spec.rebootIfNeeded ? 'RebootIfNeeded' : 'NoReboot'],
          },
          cloudWatchOutputConfig: {
            cloudWatchOutputEnabled: true,
            cloudWatchLogGroupName: props.logGroupName,
          },
        },
      },
    });

    this.scanAssociation = new ssm.CfnAssociation(this, 'ScanAssociation', {
      associationName: names.association,
      name: RUN_PATCH_BASELINE,
      parameters: { Operation: ['Scan'] },
      targets,
      scheduleExpression: 'rate(1 day)',
      complianceSeverity: 'HIGH',
    });
  }
}

function validatePatchingProps(props: PatchingProps, maxConcurrency: string): void {
  const issues = new IssueCollector();
  const spec = props.spec;
  if (!(PATCH_DAYS as readonly string[]).includes(spec.day)) {
    issues.add('patching.day', spec.day, `one of ${PATCH_DAYS.join(', ')}`);
  }
  if (!Number.isInteger(spec.startHour) || spec.startHour < 0 || spec.startHour > 23) {
    issues.add('patching.startHour', spec.startHour, 'an hour from 0 to 23 (UTC)');
  }
  if (!Number.isInteger(spec.durationHours) || spec.durationHours <= CUTOFF_HOURS || spec.durationHours > 24) {
    issues.add(
      'patching.durationHours',
      spec.durationHours,
      `whole hours from ${CUTOFF_HOURS + 1} to 24 (no patching starts in the last ${CUTOFF_HOURS} hour)`,
    );
  }
  if (!Number.isInteger(spec.approveAfterDays) || spec.approveAfterDays < 0 || spec.approveAfterDays > 360) {
    issues.add('patching.approveAfterDays', spec.approveAfterDays, 'whole days from 0 to 360');
  }
  if (!Token.isUnresolved(maxConcurrency) && !MAX_CONCURRENCY.test(maxConcurrency)) {
    issues.add('maxConcurrency', maxConcurrency, "a count of instances ('1') or a percentage from 1% to 100% ('50%')");
  }
  if (!Token.isUnresolved(props.logGroupName) && !LOG_GROUP_NAME.test(props.logGroupName)) {
    issues.add('logGroupName', props.logGroupName, 'a log group name: 1 to 512 of A-Z a-z 0-9 . - _ / #');
  }
  if (!Token.isUnresolved(props.environment)) {
    const { baseline, ...others } = patchingNames(props.environment);
    const systems = Object.keys(OPERATING_SYSTEMS) as OperatingSystem[];
    const invalid = [...systems.map(baseline), ...Object.values(others)].find((name) => !SSM_NAME.test(name));
    if (invalid !== undefined) {
      issues.add(
        'environment',
        props.environment,
        `a name that keeps ${invalid} a Systems Manager name (3 to 128 of A-Z a-z 0-9 _ - .)`,
      );
    }
  }
  issues.throwIfAny('Invalid patching');
}
