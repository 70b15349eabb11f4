import { ArnFormat, Stack, Tags } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  BACKUP_TAG,
  backupPlanName,
  checkProps,
  configurationFor,
  healthCheckPathProblem,
  IssueCollector,
  OPERATING_SYSTEM_IMAGES,
  PATCH_GROUP_TAG,
  patchGroupName,
  PLATFORM_PREFIX,
  portProblem,
  renderCloudInit,
  SERVER_SIZES,
  SERVER_TAG,
  serverMetricNamespace,
  type ServerSpec,
  withHealthProbe,
  zoneIndexOf,
} from '../core';
import { acknowledge, acknowledgeWildcardGrant, type WildcardGrant } from './acknowledge';
import { ConfigurationManagement } from './configuration-management';
import { ImagePin } from './image-pin';
import { protectionOf, RetainStatefulResources, tierOf } from './protection';
import type { IMonitoring } from './interfaces';
import { logRetentionOf } from './retention';
import { addServerAlarms, AWS_SERVER_HEALTH_METRIC } from './server-alarms';

/** Props of {@link Server}. */
export interface ServerProps {
  /** One resolved server definition (`servers[i]` of the spec). */
  readonly spec: ServerSpec;
  /** The environment name. */
  readonly environment: string;
  /** The VPC; instances go into its private subnets, instance `i` into the subnet of zone `i mod zones`. */
  readonly vpc: ec2.IVpc;
  /** The environment's monitoring: alarms, the log group the servers write to and the key of its log groups. */
  readonly monitoring: IMonitoring;
  /**
   * Instances refuse termination through the API (`disableApiTermination`).
   * @default - what the tier of its PlatformStack decides (`protection.deletionProtection`): true in production
   *   (and outside a PlatformStack), false in development
   */
  readonly deletionProtection?: boolean;
  /**
   * The value of the `platform:backup` tag the backup plan selects servers by.
   * @default - backupPlanName(environment), `platform-<env>`
   */
  readonly backupPlan?: string;
  /**
   * How long the image pin's function logs are kept, in days (a retention CloudWatch Logs offers).
   * @default - what the tier of its PlatformStack decides: 365 days in production (and outside a PlatformStack),
   *   30 in development
   */
  readonly logRetentionDays?: number;
}

/**
 * The wildcard grants of the instance policy ({@link renderInstanceStatements}), each action on each wildcard resource
 * accepted by name with why nothing narrower will do. An action or a wildcard resource added to the statements and not
 * here fails synthesis (Platform-WildcardGrant), so it is reviewed with its own reason.
 */
export function renderInstanceWildcardGrants(stack: Stack): WildcardGrant[] {
  const bucket = (name: string): string => `arn:${stack.partition}:s3:::${name}-${stack.region}/*`;
  return [
    {
      actions: [
        'ssm:UpdateInstanceInformation',
        'ssm:ListAssociations',
        'ssm:ListInstanceAssociations',
        'ssm:DescribeAssociation',
        'ssm:UpdateAssociationStatus',
        'ssm:UpdateInstanceAssociationStatus',
        'ssm:PutComplianceItems',
        'ssm:PutConfigurePackageResult',
        'ssm:PutInventory',
        'ssm:GetManifest',
        'ssm:GetDeployablePatchSnapshotForInstance',
      ],
      resources: ['*'],
      reason:
        "The SSM agent's own calls (registration, State Manager associations, inventory, compliance, patch snapshots), on * as AWS's AmazonSSMManagedInstanceCore grants them: some have no resource-level permissions, the others name the calling instance, whose ID exists only once it runs",
    },
    {
      actions: [
        'ssmmessages:CreateControlChannel',
        'ssmmessages:CreateDataChannel',
        'ssmmessages:OpenControlChannel',
        'ssmmessages:OpenDataChannel',
        'ec2messages:AcknowledgeMessage',
        'ec2messages:DeleteMessage',
        'ec2messages:FailMessage',
        'ec2messages:GetEndpoint',
        'ec2messages:GetMessages',
        'ec2messages:SendReply',
      ],
      resources: ['*'],
      reason:
        'The Session Manager and Run Command message channels (ssmmessages, ec2messages) have no resource-level permissions',
    },
    {
      actions: ['ec2:DescribeTags', 'ec2:DescribeVolumes'],
      resources: ['*'],
      reason:
        "EC2 Describe actions have no resource-level permissions; the CloudWatch agent reads the instance's tags and volumes for its metric dimensions, as AWS's CloudWatchAgentServerPolicy grants them",
    },
    {
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      reason:
        "cloudwatch:PutMetricData has no resource-level permissions; the condition limits it to the definition's own namespace",
    },
    {
      actions: ['ssm:GetDocument', 'ssm:DescribeDocument'],
      resources: [
        stack.formatArn({ service: 'ssm', account: '', resource: 'document', resourceName: '*' }),
        stack.formatArn({ service: 'ssm', resource: 'document', resourceName: `${PLATFORM_PREFIX}-*` }),
      ],
      reason:
        "Associations run AWS-owned documents (AWS-ConfigureAWSPackage, AmazonCloudWatch-ManageAgent, AWS-RunPatchBaseline, AWS-ApplyAnsiblePlaybooks) and the library's own platform-* configuration documents; reading documents discloses nothing secret",
    },
    {
      actions: ['ssm:GetParameter'],
      resources: [
        stack.formatArn({
          service: 'ssm',
          resource: 'parameter',
          resourceName: `AmazonCloudWatch-${PLATFORM_PREFIX}-*`,
        }),
      ],
      reason:
        "The CloudWatch agent reads its configuration from the library's own AmazonCloudWatch-platform-* parameters",
    },
    {
      actions: ['logs:DescribeLogGroups'],
      resources: [
        stack.formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: '*',
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      reason: 'logs:DescribeLogGroups lists by prefix and has no narrower resource; it reveals names only',
    },
    {
      actions: ['s3:GetObject'],
      resources: [bucket('aws-ssm'), bucket('patch-baseline-snapshot'), bucket('amazon-ssm-packages')],
      reason:
        'Read-only access to the AWS-owned buckets Systems Manager downloads plugins, patch snapshots and the CloudWatch agent package from',
    },
  ];
}

/**
 * `count` identical Linux servers on EC2, spread over the zones, configured and monitored:
 * - in private subnets, without a public IP or SSH key: shells go through Session Manager
 *   (`aws ssm start-session`), which the instance role allows; the security group admits nothing inbound and
 *   lets out HTTPS and HTTP only (package mirrors, AWS APIs);
 * - IMDSv2 required, an explicit encrypted gp3 root volume, detailed monitoring, EBS-optimized, and
 *   `disableApiTermination` when deletion protection is on;
 * - the image the definition was created with is kept for good (ImagePin) unless the spec pins one, so a newer
 *   public image never replaces a running server;
 * - configuration (cloud-init) and the CloudWatch agent through State Manager (ConfigurationManagement), an
 *   Ansible playbook on a schedule when the spec gives one;
 * - tags for backup (`platform:backup`), patching (`PatchGroup`) and configuration (`platform:server`);
 * - default alarms per instance: recovery, status checks, CPU, memory and disk;
 * - with `spec.healthCheck`: the health probe in the configuration (a systemd timer that requests
 *   `http://127.0.0.1:<port><path>` every minute, lib/core/server-health.ts), reporting 1 or 0 to the CloudWatch
 *   agent's StatsD listener on the loopback ({@link renderHealthReport}, {@link withStatsdListener}), and a
 *   critical `health` alarm per instance that fires after 3 minutes without a healthy probe or without any report
 *   (AWS_SERVER_HEALTH_METRIC has the metric's name, namespace and dimensions). On Azure the probe reports the same
 *   0-1 measure through syslog instead.
 */
export class Server extends Construct {
  /** The instances, in order: instance `i` runs in zone `i mod zones`. */
  public readonly instances: readonly ec2.Instance[];
  /** The role every instance of the definition has. */
  public readonly role: iam.Role;
  /** The security group of the instances. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The configuration management of the definition. */
  public readonly configuration: ConfigurationManagement;

  constructor(scope: Construct, id: string, props: ServerProps) {
    super(scope, id);
    checkProps('Server', this.node.path, props, {
      spec: {
        kind: 'object',
        allowed: 'the resolved server definition: defineEnvironment(...).servers[i]',
        fields: {
          name: { kind: 'string', allowed: 'the kebab-case server name' },
          size: { kind: 'string', allowed: 'a server size' },
          os: { kind: 'object', allowed: 'the operating system per cloud, { aws, azure }' },
          count: { kind: 'number', allowed: 'how many instances' },
          diskGiB: { kind: 'number', allowed: 'the root disk size in GiB' },
          configuration: { kind: 'object', allowed: 'the resolved configuration' },
          image: { kind: 'object', allowed: 'the image pins ({} for the latest)' },
          healthCheck: {
            kind: 'object',
            optional: true,
            allowed: 'the health endpoint, { port, path }, such as { port: 80, path: "/healthz" }',
          },
        },
      },
      environment: { kind: 'string', allowed: 'the environment name' },
      vpc: { kind: 'object', allowed: 'the VPC (Network.vpc, or Network.fromAttributes(...).vpc)' },
      monitoring: {
        kind: 'object',
        allowed: "the environment's monitoring (Monitoring, or Monitoring.fromAttributes)",
      },
      deletionProtection: { kind: 'boolean', optional: true, allowed: 'true or false' },
      backupPlan: { kind: 'string', optional: true, allowed: 'the backup plan name' },
      logRetentionDays: { kind: 'number', optional: true, allowed: 'a retention CloudWatch Logs offers, in days' },
    });
    const deletionProtection = props.deletionProtection ?? protectionOf(this).deletionProtection;
    const spec = props.spec;
    const os = spec.os.aws;
    const image = OPERATING_SYSTEM_IMAGES[os];
    const subnets = props.vpc.privateSubnets;
    validateServerProps(props, subnets.length);
    const base = `${PLATFORM_PREFIX}-${props.environment}-${spec.name}`;
    const logGroup = props.monitoring.applicationLogGroup;

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `${base}: no inbound traffic (shells through Session Manager); HTTPS and HTTP out`,
      allowAllOutbound: false,
    });
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'AWS APIs and HTTPS package mirrors');
    this.securityGroup.addEgressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.tcp(80),
      'HTTP package mirrors (apt signs its indexes)',
    );

    this.role = new iam.Role(this, 'Role', {
      description: `Instances of ${base}: Session Manager, State Manager, patching, the CloudWatch agent`,
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
    });
    const policy = new iam.ManagedPolicy(this, 'Policy', {
      description: `Least privilege of the instances of ${base}`,
      roles: [this.role],
      statements: renderInstanceStatements(
        Stack.of(this),
        logGroup,
        serverMetricNamespace(props.environment, spec.name),
      ),
    });
    for (const grant of renderInstanceWildcardGrants(Stack.of(this))) acknowledgeWildcardGrant(policy, grant);

    const machineImage = spec.image.awsImageId
      ? ec2.MachineImage.genericLinux({ [Stack.of(this).region]: spec.image.awsImageId })
      : new ImagePin(this, 'Image', {
          parameterName: image.awsImageParameter ?? '',
          logGroupName: `/${PLATFORM_PREFIX}/${props.environment}/image-pin`,
          encryptionKey: props.monitoring.encryptionKey,
          retention: logRetentionOf(this, props.logRetentionDays),
        }).machineImage();

    const size = SERVER_SIZES[spec.size];
    this.instances = Array.from({ length: spec.count }, (_, i) => {
      const subnet = subnets[zoneIndexOf(i, subnets.length, spec.name)]!;
      const instance = new ec2.Instance(this, `Instance${i + 1}`, {
        vpc: props.vpc,
        vpcSubnets: { subnets: [subnet] },
        instanceType: new ec2.InstanceType(size.awsInstanceType),
        machineImage,
        role: this.role,
        securityGroup: this.securityGroup,
        instanceName: `${base}-${i + 1}`,
        httpEndpoint: true,
        httpTokens: ec2.HttpTokens.REQUIRED,
        httpPutResponseHopLimit: 1,
        detailedMonitoring: true,
        ebsOptimized: true,
        disableApiTermination: deletionProtection,
        propagateTagsToVolumeOnCreation: true,
        blockDevices: [
          {
            deviceName: image.awsRootDevice ?? '/dev/xvda',
            volume: ec2.BlockDeviceVolume.ebs(spec.diskGiB, {
              encrypted: true,
              volumeType: ec2.EbsDeviceVolumeType.GP3,
              deleteOnTermination: true,
            }),
          },
        ],
      });
      // A replaced or removed instance takes its root volume with it: EC2 instances have no removal policy of their
      // own, so the instance is kept unless RetainStatefulResources lets a development stack delete it.
      instance.applyRemovalPolicy(RetainStatefulResources.removalPolicyOf(this));
      acknowledge(
        instance,
        'CloudFormation-Validate::W3010',
        'The zone follows from the instance number (instance i in zone i mod zones), so adding servers never moves one; synthesis runs offline',
      );
      // Only a development tier may go without it: a production server without it fails the guardrails until its
      // team acknowledges that itself.
      if (!deletionProtection && tierOf(this) === 'development') {
        acknowledge(
          instance,
          'AwsSolutions-EC29',
          'A development-tier server: development tiers are disposable and hold no production data, so terminating an instance loses nothing the next deployment does not rebuild; production-tier servers set disableApiTermination',
        );
      }
      return instance;
    });
    // The instances (and, through propagation, their volumes) carry what backup, State Manager and Patch
    // Manager select them by.
    for (const instance of this.instances) {
      Tags.of(instance).add(BACKUP_TAG, props.backupPlan ?? backupPlanName(props.environment));
      Tags.of(instance).add(SERVER_TAG, `${props.environment}-${spec.name}`);
      Tags.of(instance).add(PATCH_GROUP_TAG, patchGroupName(props.environment, os));
    }

    const configuration = configurationFor(spec.configuration, spec.ansible, 'aws');
    this.configuration = new ConfigurationManagement(this, 'Configuration', {
      environment: props.environment,
      server: spec.name,
      os,
      cloudConfig: renderCloudInit(
        spec.healthCheck ? withHealthProbe(configuration, spec.healthCheck, renderHealthReport()) : configuration,
        os,
      ),
      logGroupName: logGroup.logGroupName,
      ...(spec.ansible && { ansible: spec.ansible }),
      // The probe's reports reach CloudWatch through the agent's StatsD listener.
      ...(spec.healthCheck && { statsd: true }),
    });
    addServerAlarms(
      this,
      {
        environment: props.environment,
        name: spec.name,
        os,
        instances: this.instances,
        ...(spec.healthCheck && { healthCheck: spec.healthCheck }),
      },
      props.monitoring,
    );
  }
}

/**
 * The lines the health probe runs on AWS after each probe (`withHealthProbe`'s report): it logs the result to the
 * journal (`journalctl -t platform-health`) and sends `$HEALTH` as a StatsD gauge to the CloudWatch agent on the
 * loopback, with bash's `/dev/udp` (no netcat, no AWS CLI, no credentials on the command line). UDP does not wait
 * for the agent: a report sent while it is not running is lost, and the alarm counts the minute as missing.
 */
export function renderHealthReport(): string[] {
  const { metricName, statsdHost, statsdPort } = AWS_SERVER_HEALTH_METRIC;
  return ['echo "health: $HEALTH"', `printf '${metricName}:%s|g\\n' "$HEALTH" > /dev/udp/${statsdHost}/${statsdPort}`];
}

/** The instance role's statements: each action on the narrowest resource the service allows. */
export function renderInstanceStatements(
  stack: Stack,
  logGroup: logs.ILogGroup,
  namespace: string,
): iam.PolicyStatement[] {
  const bucket = (name: string): string => `arn:${stack.partition}:s3:::${name}-${stack.region}/*`;
  return [
    new iam.PolicyStatement({
      sid: 'SessionAndStateManager',
      actions: [
        'ssm:UpdateInstanceInformation',
        'ssm:ListAssociations',
        'ssm:ListInstanceAssociations',
        'ssm:DescribeAssociation',
        'ssm:UpdateAssociationStatus',
        'ssm:UpdateInstanceAssociationStatus',
        'ssm:PutComplianceItems',
        'ssm:PutConfigurePackageResult',
        'ssm:PutInventory',
        'ssm:GetManifest',
        'ssm:GetDeployablePatchSnapshotForInstance',
        'ssmmessages:CreateControlChannel',
        'ssmmessages:CreateDataChannel',
        'ssmmessages:OpenControlChannel',
        'ssmmessages:OpenDataChannel',
        'ec2messages:AcknowledgeMessage',
        'ec2messages:DeleteMessage',
        'ec2messages:FailMessage',
        'ec2messages:GetEndpoint',
        'ec2messages:GetMessages',
        'ec2messages:SendReply',
        'ec2:DescribeTags',
        'ec2:DescribeVolumes',
      ],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'ReadDocuments',
      actions: ['ssm:GetDocument', 'ssm:DescribeDocument'],
      // AWS-owned documents have no account in their ARN; the library's own configuration documents do.
      resources: [
        stack.formatArn({ service: 'ssm', account: '', resource: 'document', resourceName: '*' }),
        stack.formatArn({ service: 'ssm', resource: 'document', resourceName: `${PLATFORM_PREFIX}-*` }),
      ],
    }),
    new iam.PolicyStatement({
      sid: 'ReadAgentConfiguration',
      actions: ['ssm:GetParameter'],
      resources: [
        stack.formatArn({
          service: 'ssm',
          resource: 'parameter',
          resourceName: `AmazonCloudWatch-${PLATFORM_PREFIX}-*`,
        }),
      ],
    }),
    new iam.PolicyStatement({
      sid: 'AgentMetrics',
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': namespace } },
    }),
    new iam.PolicyStatement({
      sid: 'WriteLogs',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
      // The log group's ARN ends in `:*`, which covers its streams.
      resources: [logGroup.logGroupArn],
    }),
    new iam.PolicyStatement({
      sid: 'FindLogGroups',
      // The SSM agent checks that a command's output log group exists before it streams there (patching).
      actions: ['logs:DescribeLogGroups'],
      resources: [
        stack.formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: '*',
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
    }),
    new iam.PolicyStatement({
      sid: 'SystemsManagerBuckets',
      actions: ['s3:GetObject'],
      resources: [bucket('aws-ssm'), bucket('patch-baseline-snapshot'), bucket('amazon-ssm-packages')],
    }),
  ];
}

function validateServerProps(props: ServerProps, zones: number): void {
  const issues = new IssueCollector();
  const spec = props.spec;
  const at = `servers.${spec.name}`;
  const image = OPERATING_SYSTEM_IMAGES[spec.os.aws];
  if (zones === 0) issues.add(`${at}.subnet`, spec.subnet, 'a VPC with private subnets');
  if (!image.awsImageParameter && !spec.image.awsImageId) {
    issues.add(`${at}.os.aws`, spec.os.aws, 'an operating system with an AWS image, or image.awsImageId');
  }
  const min = image.minDiskGiB.aws ?? 1;
  if (spec.diskGiB < min) issues.add(`${at}.diskGiB`, spec.diskGiB, `at least ${min} GiB for ${spec.os.aws}`);
  if (spec.count < 1) issues.add(`${at}.count`, spec.count, 'at least 1');
  const check = spec.healthCheck;
  if (check) {
    // The same rules as the spec's, for a definition built without it.
    const portIssue = typeof check.port === 'number' ? portProblem(check.port) : 'a TCP port, 1 to 65535';
    if (portIssue) issues.add(`${at}.healthCheck.port`, check.port, portIssue);
    const pathIssue =
      typeof check.path === 'string' ? healthCheckPathProblem(check.path) : 'an absolute URL path such as /healthz';
    if (pathIssue) issues.add(`${at}.healthCheck.path`, check.path, pathIssue);
  }
  issues.throwIfAny('Invalid server');
}
