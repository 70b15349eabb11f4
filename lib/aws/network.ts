import { Annotations, ArnFormat, CfnResource, Duration, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge, PortableAssembly } from './acknowledge';
import type { IMonitoring, INetwork } from './interfaces';
import { addNetworkAlarms, TOP_TALKERS_QUERY } from './network-alarms';
import { RetainStatefulResources } from './protection';
import { logRetentionOf } from './retention';
import { checkName, checkProps, IssueCollector, type NetworkSpec, PLATFORM_PREFIX } from '../core';

/** The id of the stack-wide provider aws-cdk-lib adds for `restrictDefaultSecurityGroup`. */
const DEFAULT_SG_PROVIDER_ID = 'Custom::VpcRestrictDefaultSGCustomResourceProvider';

/** Why the findings on aws-cdk-lib's default-SG handler (a Lambda run only by CloudFormation) are safe. */
const DEFAULT_SG_HANDLER_ACKNOWLEDGEMENTS: readonly (readonly [string, string])[] = [
  [
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    'The AWS-managed basic execution policy only lets the handler write its own logs; aws-cdk-lib sets it',
  ],
  [
    'NIST.800.53.R5-IAMNoInlinePolicy',
    "The inline policy is scoped to this VPC's default security group and lives and dies with the handler role",
  ],
  [
    'NIST.800.53.R5-LambdaConcurrency',
    'CloudFormation invokes the handler once per deployment of the VPC; it takes no other traffic',
  ],
  [
    'NIST.800.53.R5-LambdaDLQ',
    'CloudFormation invokes the handler synchronously and reports a failure in the stack events; nothing is queued',
  ],
  [
    'NIST.800.53.R5-LambdaInsideVPC',
    'The handler calls only the EC2 API to empty the default security group; it reaches no resource in the VPC',
  ],
];

/** Props of {@link Network}. */
export interface NetworkProps {
  /** The environment's resolved network section: address space, zones, NAT gateways and subnet size. */
  readonly spec: NetworkSpec;
  /** The environment name; it names the flow log group (`/platform/<name>/vpc-flow-logs`). */
  readonly name: string;
  /** The availability zones to span, exactly `spec.zones` of them, all in the stack's region and stack's zones. */
  readonly availabilityZones: readonly string[];
  /**
   * How long VPC flow log records are kept (`toRetentionDays(env.monitoring.logRetentionDays)`). The flow log group
   * and its key are retained when they leave the stack unless the tier of the stack (or `RetainStatefulResources`)
   * says otherwise.
   * @default - what the tier of its PlatformStack decides: 365 days in production (and outside a PlatformStack),
   *   30 in development
   */
  readonly flowLogRetention?: logs.RetentionDays;
  /**
   * The environment's monitoring: the network registers its default alarms (NAT gateways) and the
   * top-talkers query over the flow logs there.
   * @default - no alarms
   */
  readonly monitoring?: IMonitoring;
  /**
   * The KMS key that encrypts the flow log group. The construct adds a key policy statement letting
   * CloudWatch Logs use it for the flow log group; an imported key's policy cannot be changed, so a warning
   * names the statement to add by hand.
   * @default - a new customer-managed key with yearly rotation
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * A VPC across explicit availability zones, with public, private (egress through NAT) and isolated subnets
 * of one size, VPC flow logs to a KMS-encrypted log group with retention, and a default security group
 * stripped of its rules.
 *
 * Subnets are laid out in order (public, then private, then isolated, each zone in turn), so the same
 * spec always gives the same CIDRs and logical IDs.
 *
 * @example
 * const network = new Network(stack, 'Network', {
 *   spec: env.network,
 *   name: env.name,
 *   availabilityZones: env.aws.availabilityZones,
 * });
 */
export class Network extends Construct implements INetwork {
  /** The VPC. */
  public readonly vpc: ec2.Vpc;
  /** The log group receiving the VPC flow logs. */
  public readonly flowLogGroup: logs.LogGroup;
  /** The key encrypting the flow log group. */
  public readonly encryptionKey: kms.IKey;
  /** Subnets with a route to the internet gateway (load balancers, NAT gateways). */
  public readonly publicSubnets: readonly ec2.ISubnet[];
  /** Subnets with outbound access through NAT (servers, containers). */
  public readonly privateSubnets: readonly ec2.ISubnet[];
  /** Subnets with no route out (databases, caches). */
  public readonly isolatedSubnets: readonly ec2.ISubnet[];

  /**
   * A network around an existing VPC, for constructs that take one (`network.vpc`): its subnets by kind are the
   * VPC's own (`publicSubnets`, `privateSubnets`, `isolatedSubnets`).
   */
  public static fromVpc(scope: Construct, id: string, vpc: ec2.IVpc): INetwork {
    return new ImportedNetwork(scope, id, () => vpc);
  }

  /**
   * A network created elsewhere (the platform's foundation stack, another app), from the IDs of its VPC and
   * subnets, without a lookup: synthesis needs no credentials. The subnet lists are in zone order, one subnet per
   * zone of `availabilityZones` (the order `Network` creates them in).
   *
   * @example
   * const network = Network.fromAttributes(stack, 'Network', {
   *   vpcId: 'vpc-0123456789abcdef0',
   *   vpcCidrBlock: '10.40.0.0/16',
   *   availabilityZones: env.aws.availabilityZones,
   *   publicSubnetIds: ['subnet-0a', 'subnet-0b'],
   *   privateSubnetIds: ['subnet-1a', 'subnet-1b'],
   * });
   */
  public static fromAttributes(scope: Construct, id: string, attrs: ec2.VpcAttributes): INetwork {
    return new ImportedNetwork(scope, id, (network) => ec2.Vpc.fromVpcAttributes(network, 'Resource', attrs));
  }

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    checkProps('Network', this.node.path, props, {
      spec: {
        kind: 'object',
        allowed: "the environment's resolved network section: defineEnvironment(...).network",
        fields: {
          cidr: { kind: 'string', allowed: 'the address space, such as 10.10.0.0/16' },
          zones: { kind: 'number', allowed: 'how many availability zones to span' },
          natGateways: { kind: 'number', allowed: 'how many NAT gateways' },
        },
      },
      name: { kind: 'string', allowed: 'the environment name' },
      availabilityZones: { kind: 'array', allowed: "the zones to span, such as ['eu-west-1a', 'eu-west-1b']" },
      flowLogRetention: { kind: 'number', optional: true, allowed: 'a logs.RetentionDays' },
      monitoring: { kind: 'object', optional: true, allowed: "the environment's monitoring" },
      encryptionKey: { kind: 'object', optional: true, allowed: 'a KMS key (kms.IKey)' },
    });
    const retention = props.flowLogRetention ?? logRetentionOf(this);
    const logGroupName = `/${PLATFORM_PREFIX}/${props.name}/vpc-flow-logs`;
    validateNetworkProps(props, logGroupName);

    this.vpc = new ec2.Vpc(this, 'Resource', renderVpcProps(props));
    acknowledge(
      this.vpc,
      'CloudFormation-Validate::W3010',
      'Availability zones are named in the spec on purpose: synthesis runs offline, and a subnet must never move zone (that replaces it)',
    );

    this.encryptionKey =
      props.encryptionKey ??
      new kms.Key(this, 'FlowLogKey', {
        description: `Encrypts the VPC flow logs of ${props.name}`,
        enableKeyRotation: true,
        rotationPeriod: Duration.days(365),
        removalPolicy: RetainStatefulResources.removalPolicyOf(this),
      });
    // CloudWatch Logs encrypts with the key on the log group's behalf; the encryption context condition
    // limits that to this one log group. A given key needs the same statement, or the log group fails to deploy.
    const statement = renderFlowLogKeyStatement(Stack.of(this), logGroupName);
    if (!this.encryptionKey.addToResourcePolicy(statement).statementAdded) {
      Annotations.of(this).addWarningV2(
        'platform-constructs:network-imported-key-policy',
        `The imported key's policy cannot be changed here: allow logs.${Stack.of(this).region}.amazonaws.com to use it for ${logGroupName} (kms:EncryptionContext:aws:logs:arn), or the flow log group fails to deploy`,
      );
    }

    this.flowLogGroup = new logs.LogGroup(this, 'FlowLogGroup', {
      logGroupName,
      retention,
      encryptionKey: this.encryptionKey,
      removalPolicy: RetainStatefulResources.removalPolicyOf(this),
    });
    const flowLog = this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(this.flowLogGroup, this.flowLogRole(logGroupName)),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });
    // aws-cdk-lib acknowledges a validation rule on the flow log with the caller's stack trace: absolute paths of
    // this machine in the assembly, in whatever stack the network is.
    new PortableAssembly().visit(flowLog);
    this.encryptDefaultSecurityGroupHandlerLogs(props, retention);
    acknowledge(
      this.vpc,
      'NIST.800.53.R5-VPCDefaultSecurityGroupClosed',
      'The Custom::VpcRestrictDefaultSG resource in the same stack removes every rule of the default security group',
    );
    for (const subnet of this.vpc.publicSubnets) {
      acknowledge(
        subnet,
        'NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW',
        'Public subnets exist to route to the internet gateway; they hold only NAT gateways and load balancers, and instances run in private subnets',
      );
    }

    if (props.monitoring) {
      addNetworkAlarms(this, this.vpc, props.monitoring);
      props.monitoring.addQuery('top-talkers', TOP_TALKERS_QUERY, [this.flowLogGroup]);
    }

    this.publicSubnets = this.vpc.publicSubnets;
    this.privateSubnets = this.vpc.privateSubnets;
    this.isolatedSubnets = this.vpc.isolatedSubnets;
  }

  /**
   * The role VPC Flow Logs assumes, with a customer-managed policy rather than an inline one (NIST
   * IAMNoInlinePolicy), trusted only for flow logs of this account (no confused deputy).
   */
  private flowLogRole(logGroupName: string): iam.IRole {
    const stack = Stack.of(this);
    const role = new iam.Role(this, 'FlowLogRole', {
      description: `Lets VPC Flow Logs write to ${logGroupName}`,
      assumedBy: new iam.ServicePrincipal('vpc-flow-logs.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({ service: 'ec2', resource: 'vpc-flow-log', resourceName: '*' }),
          },
        },
      }),
    });
    new iam.ManagedPolicy(this, 'FlowLogPolicy', {
      description: 'Writes VPC flow logs to their one log group',
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
          resources: [this.flowLogGroup.logGroupArn],
        }),
      ],
    });
    // The destination would add the same grant inline again; the managed policy already holds it.
    return role.withoutPolicyUpdates();
  }

  /**
   * aws-cdk-lib empties the default security group with a Lambda-backed custom resource (one per stack),
   * whose logs would go to an auto-created group with no retention and no encryption. Give that Lambda a log
   * group like the flow logs': encrypted with the same key, kept for the same time.
   */
  private encryptDefaultSecurityGroupHandlerLogs(props: NetworkProps, retention: logs.RetentionDays): void {
    const stack = Stack.of(this);
    const provider = stack.node.tryFindChild(DEFAULT_SG_PROVIDER_ID);
    const handler = provider?.node.tryFindChild('Handler');
    if (!provider || !(handler instanceof CfnResource) || provider.node.tryFindChild('LogGroup')) return;
    const logGroupName = `/${PLATFORM_PREFIX}/${props.name}/vpc-default-sg-handler`;
    this.encryptionKey.addToResourcePolicy(
      renderFlowLogKeyStatement(stack, logGroupName, 'AllowCloudWatchLogsForDefaultSgHandler'),
    );
    const logGroup = new logs.LogGroup(provider, 'LogGroup', {
      logGroupName,
      retention,
      encryptionKey: this.encryptionKey,
      removalPolicy: RetainStatefulResources.removalPolicyOf(this),
    });
    handler.addPropertyOverride('LoggingConfig', { LogGroup: logGroup.logGroupName });
    handler.node.addDependency(logGroup);
    // cdk-nag skips this provider's raw CfnResources at synthesis, but judges them in the template (npm run
    // check, any template linter): these acknowledgements are written there with their reasons.
    for (const [rule, reason] of DEFAULT_SG_HANDLER_ACKNOWLEDGEMENTS) acknowledge(provider, rule, reason);
  }
}

/** A network created elsewhere ({@link Network.fromVpc}, {@link Network.fromAttributes}). */
class ImportedNetwork extends Construct implements INetwork {
  public readonly vpc: ec2.IVpc;

  /** @param vpcOf the VPC, given or imported under this construct */
  constructor(scope: Construct, id: string, vpcOf: (network: Construct) => ec2.IVpc) {
    super(scope, id);
    this.vpc = vpcOf(this);
  }

  public get publicSubnets(): readonly ec2.ISubnet[] {
    return this.vpc.publicSubnets;
  }

  public get privateSubnets(): readonly ec2.ISubnet[] {
    return this.vpc.privateSubnets;
  }

  public get isolatedSubnets(): readonly ec2.ISubnet[] {
    return this.vpc.isolatedSubnets;
  }
}

/** The key policy statement that lets CloudWatch Logs use a key for one log group, and nothing else. */
export function renderFlowLogKeyStatement(
  stack: Stack,
  logGroupName: string,
  sid = 'AllowCloudWatchLogsForFlowLogGroup',
): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid,
    principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
    actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    resources: ['*'],
    conditions: {
      ArnEquals: {
        'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      },
    },
  });
}

/** Maps the neutral network section to the Vpc props; pure, testable without synthesis. */
export function renderVpcProps(props: Pick<NetworkProps, 'spec' | 'availabilityZones'>): ec2.VpcProps {
  const cidrMask = props.spec.awsSubnetPrefix;
  return {
    ipAddresses: ec2.IpAddresses.cidr(props.spec.cidr),
    availabilityZones: [...props.availabilityZones],
    natGateways: props.spec.natGateways,
    natGatewayProvider: ec2.NatProvider.gateway(),
    enableDnsHostnames: true,
    enableDnsSupport: true,
    restrictDefaultSecurityGroup: true,
    subnetConfiguration: [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask, mapPublicIpOnLaunch: false },
      { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask },
      { name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask },
    ],
  };
}

function validateNetworkProps(props: NetworkProps, logGroupName: string): void {
  const issues = new IssueCollector();
  const zones = props.availabilityZones;
  if (!zones.some((z) => Token.isUnresolved(z)) && zones.length !== props.spec.zones) {
    issues.add('availabilityZones', zones, `exactly spec.zones (${props.spec.zones}) availability zones`);
  }
  if (props.spec.natGateways < 1 || props.spec.natGateways > props.spec.zones) {
    issues.add('spec.natGateways', props.spec.natGateways, `1 to spec.zones (${props.spec.zones})`);
  }
  const nameProblem = checkName('awsLogGroup', logGroupName);
  if (nameProblem) issues.add('name', props.name, `gives the log group name "${logGroupName}", which ${nameProblem}`);
  issues.throwIfAny('Invalid Network props');
}
