import { Fn, Stack, Token } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct, type IConstruct } from 'constructs';
import {
  checkProps,
  IssueCollector,
  PLATFORM_PREFIX,
  SEVERITIES,
  SpecError,
  type ApplicationEnvironment,
  type MonitoringSpec,
  type Severity,
} from '../core';
import { acknowledge } from './acknowledge';
import type { IMonitoring, INetwork } from './interfaces';
import { Monitoring } from './monitoring';
import { Network } from './network';

/** How one published value is stored in SSM and read back by a CloudFormation parameter. */
export interface PlatformParameterDefinition {
  /** The name below `/platform/<env>/`. */
  readonly path: string;
  /** What the value is, for the parameter's description. */
  readonly description: string;
  /** A StringList (one value per availability zone, in zone order) rather than a String. */
  readonly list: boolean;
  /**
   * The CloudFormation parameter type join reads the value with: `AWS::SSM::Parameter::Value<<type>>`, or
   * `<List<type>>` for a list. An AWS-specific type makes CloudFormation check, before it changes anything, that
   * the VPC or subnets exist in the team's account and region.
   */
  readonly valueType: ssm.ParameterValueType;
}

/**
 * Every value the foundation publishes for application teams and {@link PlatformEnvironment.join} reads, by key.
 * The one place both sides take the names from: `/platform/<env>/<path>`
 * ({@link platformParameterName}). Teams' deployments read these names: renaming or removing one breaks every
 * team that joins the environment (test/stacks/published-names.test.ts pins them).
 */
export const PLATFORM_PARAMETERS = {
  vpcId: {
    path: 'network/vpc-id',
    description: 'The VPC id',
    list: false,
    valueType: ssm.ParameterValueType.AWS_EC2_VPC_ID,
  },
  vpcCidrBlock: {
    path: 'network/vpc-cidr-block',
    description: "The VPC's CIDR block",
    list: false,
    valueType: ssm.ParameterValueType.STRING,
  },
  publicSubnetIds: {
    path: 'network/public-subnet-ids',
    description: 'The public subnet ids, one per availability zone in zone order',
    list: true,
    valueType: ssm.ParameterValueType.AWS_EC2_SUBNET_ID,
  },
  privateSubnetIds: {
    path: 'network/private-subnet-ids',
    description: 'The private subnet ids (with a route out through NAT), one per availability zone in zone order',
    list: true,
    valueType: ssm.ParameterValueType.AWS_EC2_SUBNET_ID,
  },
  publicRouteTableIds: {
    path: 'network/public-route-table-ids',
    description: 'The route tables of the public subnets, in the order of the public subnet ids',
    list: true,
    valueType: ssm.ParameterValueType.STRING,
  },
  privateRouteTableIds: {
    path: 'network/private-route-table-ids',
    description: 'The route tables of the private subnets, in the order of the private subnet ids',
    list: true,
    valueType: ssm.ParameterValueType.STRING,
  },
  clusterName: {
    path: 'containers/cluster-name',
    description: 'The name of the ECS cluster',
    list: false,
    valueType: ssm.ParameterValueType.STRING,
  },
  accessLogBucketName: {
    path: 'containers/access-log-bucket-name',
    description: "The name of the bucket the load balancers' access logs go to",
    list: false,
    valueType: ssm.ParameterValueType.STRING,
  },
  encryptionKeyArn: {
    path: 'monitoring/encryption-key-arn',
    description: 'The ARN of the KMS key encrypting the alert topics and the log groups under /platform/<env>/',
    list: false,
    valueType: ssm.ParameterValueType.STRING,
  },
  criticalTopicArn: {
    path: 'monitoring/critical-topic-arn',
    description: 'The ARN of the SNS topic of critical alerts',
    list: false,
    valueType: ssm.ParameterValueType.STRING,
  },
  warningTopicArn: {
    path: 'monitoring/warning-topic-arn',
    description: 'The ARN of the SNS topic of warning alerts',
    list: false,
    valueType: ssm.ParameterValueType.STRING,
  },
  applicationLogGroupName: {
    path: 'monitoring/application-log-group-name',
    description: 'The name of the application log group',
    list: false,
    valueType: ssm.ParameterValueType.STRING,
  },
} as const satisfies Readonly<Record<string, PlatformParameterDefinition>>;

/** The key of one published value ({@link PLATFORM_PARAMETERS}). */
export type PlatformParameter = keyof typeof PLATFORM_PARAMETERS;

/** The alert topic parameter of each severity. */
const TOPIC_PARAMETERS: Readonly<Record<Severity, PlatformParameter>> = {
  critical: 'criticalTopicArn',
  warning: 'warningTopicArn',
};

/** The SSM name of one published value of an environment: `/platform/<env>/<path>`. */
export function platformParameterName(environment: string, parameter: PlatformParameter): string {
  return `/${PLATFORM_PREFIX}/${environment}/${PLATFORM_PARAMETERS[parameter].path}`;
}

/** The SSM names of every value an environment publishes, by key. */
export function platformParameterNames(environment: string): Readonly<Record<PlatformParameter, string>> {
  return Object.fromEntries(
    (Object.keys(PLATFORM_PARAMETERS) as PlatformParameter[]).map((p) => [p, platformParameterName(environment, p)]),
  ) as Record<PlatformParameter, string>;
}

/**
 * A platform environment's shared parts, as an application team's stack sees them
 * ({@link PlatformEnvironment.join}): typed interfaces over values read at deploy time.
 */
export interface IPlatformEnvironment extends IConstruct {
  /** The environment name (`prod`), the middle of every name (`platform-<env>-...`). */
  readonly environment: string;
  /** The environment's network: the VPC and its public and private subnets, one per zone in zone order. */
  readonly network: INetwork;
  /** The environment's ECS cluster, `platform-<env>`, in `network.vpc`. */
  readonly cluster: ecs.ICluster;
  /** The bucket the load balancers write their access logs to (ELB may deliver under any prefix). */
  readonly accessLogBucket: s3.IBucket;
  /** The key that encrypts the alert topics and may encrypt the log groups under `/platform/<env>/`. */
  readonly encryptionKey: kms.IKey;
  /** The application log group, `/platform/<env>/application`. */
  readonly applicationLogGroup: logs.ILogGroup;
  /** The alert topic of each severity. */
  readonly alertTopics: Readonly<Record<Severity, sns.ITopic>>;
  /**
   * The environment's monitoring: alarms created through it are named `platform-<env>-<id>` and notify the topic
   * of their severity, as the platform's own do.
   */
  readonly monitoring: IMonitoring;
}

/** Props of {@link PlatformEnvironment.join}. */
export interface JoinPlatformEnvironmentProps {
  /**
   * The platform environment as the application declares it (`defineApplication(...).environment`): its name
   * finds the published values, its AWS account and region must be the stack's, and its availability zones (the
   * platform's, in the platform's order) say how many subnets of each kind there are.
   */
  readonly spec: ApplicationEnvironment;
  /**
   * Tuning of the alarms created through `monitoring` (`monitoring.alarms`), and the log patterns counted in
   * the log groups it watches. `Application` applies its spec's own monitoring to its workloads.
   * @default - every alarm with its default tuning, no log patterns
   */
  readonly monitoring?: Pick<MonitoringSpec, 'alarms' | 'routing' | 'logPatterns'>;
  /**
   * A dashboard of the team's app that receives the rows constructs add through `monitoring`.
   * @default - none: the platform's dashboard belongs to the platform's stack and cannot be changed from here,
   *   so rows are not shown
   */
  readonly dashboard?: cloudwatch.Dashboard;
}

/** Props of {@link PlatformEnvironment.publish}: the foundation's shared parts. */
export interface PublishPlatformEnvironmentProps {
  /** The environment name. */
  readonly environment: string;
  /** The environment's network. */
  readonly network: INetwork;
  /** The key encrypting the alert topics and log groups (`Monitoring.encryptionKey`). */
  readonly encryptionKey: kms.IKey;
  /** The alert topic of each severity (`Monitoring.topics`). */
  readonly alertTopics: Readonly<Record<Severity, sns.ITopic>>;
  /** The application log group (`Monitoring.applicationLogGroup`). */
  readonly applicationLogGroup: logs.ILogGroup;
  /**
   * The container cluster and the access-log bucket of its load balancers (`ContainerCluster`).
   * @default - none: the cluster's values are not published, and a team that joins cannot run services or jobs
   */
  readonly containers?: { readonly cluster: ecs.ICluster; readonly accessLogBucket: s3.IBucket };
}

/**
 * A platform environment shared with application teams, who deploy their services and jobs onto it from their
 * own CDK apps without building a second network, cluster or alerting.
 *
 * How the values travel: the foundation publishes them ({@link PlatformEnvironment.publish}) as SSM String and
 * StringList parameters under stable names, `/platform/<env>/...` ({@link PLATFORM_PARAMETERS}); a team's stack
 * reads them ({@link PlatformEnvironment.join}) through CloudFormation parameters of type
 * `AWS::SSM::Parameter::Value<...>`, resolved when the team deploys: synthesis needs no credentials and does no
 * lookup (never `fromLookup`), so the same app synthesizes the same templates anywhere.
 *
 * Why not CloudFormation exports: an export another stack imports cannot be changed or removed, so every team's
 * import would freeze the platform's foundation (changing the VPC or the cluster would fail the platform's
 * deployment). SSM values are read when a team deploys and lock nothing on the platform's side. The cost:
 * nothing stops the platform from removing a parameter a team reads, so a test pins the published names
 * (test/stacks/published-names.test.ts); a renamed or removed name fails the team's next deployment.
 */
export class PlatformEnvironment {
  /**
   * Joins a platform environment from a team's stack: its network (`Network.fromAttributes`, one subnet of each
   * kind per zone of `spec.aws.availabilityZones`, in that order), ECS cluster, access-log bucket, key,
   * application log group, alert topics and monitoring, read from the environment's published SSM parameters at
   * deploy time. The cluster and the bucket are read on first use, so a team that runs no containers can join
   * an environment without a cluster.
   *
   * The stack must be in the environment's account and region (the parameters are read there). Alarms created
   * through `monitoring` are named `platform-<env>-<id>` and notify the topic of their severity; the platform's
   * topics accept them because they are in the platform's account and carry its name prefix.
   *
   * @example
   * const app = defineApplication({ name: 'payments', environment: { name: 'prod', tier: 'production', aws } });
   * const stack = new PlatformStack(cdkApp, 'payments', {
   *   env: app.environment.aws,
   *   availabilityZones: app.environment.aws.availabilityZones,
   *   tier: app.environment.tier,
   * });
   * const platform = PlatformEnvironment.join(stack, 'Platform', { spec: app.environment });
   * new Application(stack, 'Payments', { spec: app, platform });
   *
   * @throws SpecError when the application declared no AWS environment, or the stack is elsewhere
   */
  public static join(scope: Construct, id: string, props: JoinPlatformEnvironmentProps): IPlatformEnvironment {
    return new JoinedPlatformEnvironment(scope, id, props);
  }

  /**
   * Publishes what {@link PlatformEnvironment.join} reads, as SSM parameters `/platform/<env>/...` in the
   * foundation's account and region: the VPC id and CIDR block, the public and private subnet ids in zone order,
   * the key, the alert topics, the application log group and, when given, the cluster and the access-log bucket.
   *
   * @example
   * PlatformEnvironment.publish(foundation, 'PlatformEnvironment', {
   *   environment: env.name,
   *   network,
   *   encryptionKey: monitoring.encryptionKey,
   *   alertTopics: monitoring.topics,
   *   applicationLogGroup: monitoring.applicationLogGroup,
   *   containers,
   * });
   */
  public static publish(
    scope: Construct,
    id: string,
    props: PublishPlatformEnvironmentProps,
  ): PlatformEnvironmentPublication {
    return new PlatformEnvironmentPublication(scope, id, props);
  }

  private constructor() {}
}

/**
 * The SSM parameters a platform environment publishes for application teams ({@link PlatformEnvironment.publish}).
 * Each is a standard-tier String or StringList, its description saying that teams read it.
 */
export class PlatformEnvironmentPublication extends Construct {
  /** The parameters, by key. */
  public readonly parameters: ReadonlyMap<PlatformParameter, ssm.StringParameter | ssm.StringListParameter>;

  constructor(scope: Construct, id: string, props: PublishPlatformEnvironmentProps) {
    super(scope, id);
    checkProps('PlatformEnvironmentPublication', this.node.path, props, {
      environment: { kind: 'string', allowed: 'the environment name' },
      network: { kind: 'object', allowed: 'the environment network (Network)' },
      encryptionKey: { kind: 'object', allowed: "the environment's key (Monitoring.encryptionKey)" },
      alertTopics: {
        kind: 'object',
        allowed: 'the alert topic of each severity (Monitoring.topics)',
        fields: {
          critical: { kind: 'object', allowed: 'the critical alert topic' },
          warning: { kind: 'object', allowed: 'the warning alert topic' },
        },
      },
      applicationLogGroup: { kind: 'object', allowed: 'the application log group (Monitoring.applicationLogGroup)' },
      containers: {
        kind: 'object',
        optional: true,
        allowed: 'the cluster and access-log bucket (ContainerCluster)',
        fields: {
          cluster: { kind: 'object', allowed: 'the ECS cluster' },
          accessLogBucket: { kind: 'object', allowed: 'the access-log bucket' },
        },
      },
    });
    const vpc = props.network.vpc;
    const values: Partial<Record<PlatformParameter, string | string[]>> = {
      vpcId: vpc.vpcId,
      vpcCidrBlock: vpc.vpcCidrBlock,
      publicSubnetIds: props.network.publicSubnets.map((s) => s.subnetId),
      privateSubnetIds: props.network.privateSubnets.map((s) => s.subnetId),
      publicRouteTableIds: props.network.publicSubnets.map((s) => s.routeTable.routeTableId),
      privateRouteTableIds: props.network.privateSubnets.map((s) => s.routeTable.routeTableId),
      encryptionKeyArn: props.encryptionKey.keyArn,
      criticalTopicArn: props.alertTopics.critical.topicArn,
      warningTopicArn: props.alertTopics.warning.topicArn,
      applicationLogGroupName: props.applicationLogGroup.logGroupName,
      ...(props.containers && {
        clusterName: props.containers.cluster.clusterName,
        accessLogBucketName: props.containers.accessLogBucket.bucketName,
      }),
    };
    const parameters = new Map<PlatformParameter, ssm.StringParameter | ssm.StringListParameter>();
    for (const key of Object.keys(PLATFORM_PARAMETERS) as PlatformParameter[]) {
      const value = values[key];
      if (value === undefined) continue;
      parameters.set(key, this.publishOne(props.environment, key, value));
    }
    this.parameters = parameters;
  }

  private publishOne(
    environment: string,
    key: PlatformParameter,
    value: string | string[],
  ): ssm.StringParameter | ssm.StringListParameter {
    const definition: PlatformParameterDefinition = PLATFORM_PARAMETERS[key];
    const common = {
      parameterName: platformParameterName(environment, key),
      description: `${definition.description.replace('<env>', environment)} of the platform environment ${environment}. Application teams read it when they deploy (PlatformEnvironment.join): renaming or removing it breaks their deployments.`,
      tier: ssm.ParameterTier.STANDARD,
    };
    const id = key.charAt(0).toUpperCase() + key.slice(1);
    return Array.isArray(value)
      ? new ssm.StringListParameter(this, id, { ...common, stringListValue: value })
      : new ssm.StringParameter(this, id, { ...common, stringValue: value });
  }
}

/** A platform environment joined from a team's stack ({@link PlatformEnvironment.join}). */
class JoinedPlatformEnvironment extends Construct implements IPlatformEnvironment {
  public readonly environment: string;
  public readonly network: INetwork;
  public readonly encryptionKey: kms.IKey;
  public readonly applicationLogGroup: logs.ILogGroup;
  public readonly alertTopics: Readonly<Record<Severity, sns.ITopic>>;
  public readonly monitoring: IMonitoring;
  private importedCluster?: ecs.ICluster;
  private importedBucket?: s3.IBucket;

  constructor(scope: Construct, id: string, props: JoinPlatformEnvironmentProps) {
    super(scope, id);
    const aws = validateJoinProps(this, props);
    this.environment = props.spec.name;

    const zones = aws.availabilityZones;
    const subnets = (key: PlatformParameter): string[] => {
      const list = this.readList(key);
      return zones.map((_zone, i) => Fn.select(i, list));
    };
    this.network = Network.fromAttributes(this, 'Network', {
      vpcId: this.read('vpcId'),
      vpcCidrBlock: this.read('vpcCidrBlock'),
      availabilityZones: [...zones],
      publicSubnetIds: subnets('publicSubnetIds'),
      privateSubnetIds: subnets('privateSubnetIds'),
      // Named, so that a gateway endpoint or a route a team adds lands in the right table.
      publicSubnetRouteTableIds: subnets('publicRouteTableIds'),
      privateSubnetRouteTableIds: subnets('privateRouteTableIds'),
    });
    acknowledge(
      Stack.of(this),
      'CloudFormation-Validate::W2001',
      'PlatformEnvironment.join reads every value the platform publishes; one the application does not use (the public subnets of an app with no public service) stays an unused parameter, which CloudFormation resolves and ignores',
    );

    this.monitoring = Monitoring.fromAttributes(this, 'Monitoring', {
      environment: this.environment,
      encryptionKeyArn: this.read('encryptionKeyArn'),
      topicArns: Object.fromEntries(SEVERITIES.map((s) => [s, this.read(TOPIC_PARAMETERS[s])])) as Record<
        Severity,
        string
      >,
      applicationLogGroupName: this.read('applicationLogGroupName'),
      ...(props.monitoring && { spec: props.monitoring }),
      ...(props.dashboard && { dashboard: props.dashboard }),
    });
    this.encryptionKey = this.monitoring.encryptionKey;
    this.applicationLogGroup = this.monitoring.applicationLogGroup;
    this.alertTopics = Object.fromEntries(
      SEVERITIES.map((s) => [s, sns.Topic.fromTopicArn(this, `${s}Topic`, this.read(TOPIC_PARAMETERS[s]))]),
    ) as Record<Severity, sns.ITopic>;
  }

  public get cluster(): ecs.ICluster {
    this.importedCluster ??= ecs.Cluster.fromClusterAttributes(this, 'Cluster', {
      clusterName: this.read('clusterName'),
      vpc: this.network.vpc,
      securityGroups: [],
    });
    return this.importedCluster;
  }

  public get accessLogBucket(): s3.IBucket {
    this.importedBucket ??= s3.Bucket.fromBucketName(this, 'AccessLogBucket', this.read('accessLogBucketName'));
    return this.importedBucket;
  }

  /** A String value, through a CloudFormation parameter of its SSM type (one per name and stack). */
  private read(key: PlatformParameter): string {
    const definition: PlatformParameterDefinition = PLATFORM_PARAMETERS[key];
    return ssm.StringParameter.valueForTypedStringParameterV2(
      this,
      platformParameterName(this.environment, key),
      definition.valueType,
    );
  }

  /** A StringList value, through a CloudFormation parameter of its SSM list type (one per name and stack). */
  private readList(key: PlatformParameter): string[] {
    const definition: PlatformParameterDefinition = PLATFORM_PARAMETERS[key];
    return ssm.StringListParameter.valueForTypedListParameter(
      this,
      platformParameterName(this.environment, key),
      definition.valueType,
    );
  }
}

function validateJoinProps(
  scope: Construct,
  props: JoinPlatformEnvironmentProps,
): NonNullable<ApplicationEnvironment['aws']> {
  checkProps('PlatformEnvironment.join', scope.node.path, props, {
    spec: {
      kind: 'object',
      allowed: 'the environment the application joins (defineApplication(...).environment)',
      fields: { name: { kind: 'string', allowed: 'the platform environment name' } },
    },
    monitoring: { kind: 'object', optional: true, allowed: 'the alarm tuning (a monitoring section)' },
    dashboard: { kind: 'object', optional: true, allowed: 'a CloudWatch dashboard of this app' },
  });
  const aws = props.spec.aws;
  if (aws === undefined) {
    throw new SpecError(
      [
        {
          path: 'spec.aws',
          value: aws,
          message: `the AWS account, region and availability zones of ${props.spec.name}: the application declares no AWS environment (environment.aws in defineApplication)`,
        },
      ],
      `Invalid PlatformEnvironment.join props (${scope.node.path})`,
    );
  }
  const issues = new IssueCollector();
  if (!/^[a-z][a-z0-9-]*$/.test(props.spec.name)) {
    issues.add('spec.name', props.spec.name, 'a platform environment name (lowercase letters, digits and hyphens)');
  }
  if (aws.availabilityZones.length < 2) {
    issues.add('spec.aws.availabilityZones', aws.availabilityZones, "the environment's zones, at least 2");
  }
  const stack = Stack.of(scope);
  if (!Token.isUnresolved(stack.account) && stack.account !== aws.account) {
    issues.add(
      'spec.aws.account',
      aws.account,
      `the account of the stack (${stack.account}): the environment's parameters are read in the stack's account`,
    );
  }
  if (!Token.isUnresolved(stack.region) && stack.region !== aws.region) {
    issues.add(
      'spec.aws.region',
      aws.region,
      `the region of the stack (${stack.region}): the environment's parameters are read in the stack's region`,
    );
  }
  issues.throwIfAny(`Invalid PlatformEnvironment.join props (${scope.node.path})`);
  return aws;
}
