// The AWS half of the bench's reference point: the same three foundation stacks as stacks/aws (same
// construct IDs, so the same logical IDs and templates), written against aws-cdk-lib directly, with the
// environment values spelled out instead of resolved from the spec. Anything ours costs beyond this
// program is the price of the library (zod, spec resolution, naming, our constructs).
//
// The guardrails are the same work too: each stage gets cdk-nag's AwsSolutions pack (writing the
// acknowledgements into the template), NIST 800-53 R5 in production, a one-rule pack for production data
// safety and a plugin for CloudFormation's limits and termination protection, each as a validation plugin
// scoped to its stage. Those last two are written here, a few lines each, as a hand-written program would.
import {
  App,
  ArnFormat,
  Aspects,
  CfnDeletionPolicy,
  CfnResource,
  Duration,
  RemovalPolicy,
  Stack,
  Stage,
  TagManager,
  Tags,
  Validations,
  type IPolicyValidationContext,
  type IPolicyValidationPlugin,
  type PolicyValidationPluginReport,
  type PolicyViolation,
  type StackProps,
} from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import {
  AwsSolutionsChecks,
  NagMessageLevel,
  NagPack,
  NagRuleCompliance,
  NIST80053R5Checks,
  type NagPackProps,
} from 'cdk-nag';
import { Construct, type IConstruct } from 'constructs';
import * as fs from 'node:fs';
import * as path from 'node:path';
import cdkJson from '../../cdk.json';
import { parseBenchArgs } from '../args';

/** One environment, as stacks/environments resolves it. */
interface RawAwsEnvironment {
  readonly name: string;
  readonly tier: Tier;
  readonly account: string;
  readonly availabilityZones: readonly string[];
  readonly cidr: string;
  readonly cidrMask: number;
  readonly natGateways: number;
  readonly retention: logs.RetentionDays;
  readonly retainData: boolean;
}

type Tier = 'development' | 'production';

const REGION = 'eu-west-1';
const TAGS = { 'cost-center': 'platform', owner: 'platform-team', 'managed-by': 'platform-constructs' } as const;

/** dev, staging and prod with the tier defaults applied (stacks/environments, lib/core/tiers.ts). */
const ENVIRONMENTS: readonly RawAwsEnvironment[] = [
  {
    name: 'dev',
    tier: 'development',
    account: '111111111111',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    cidr: '10.10.0.0/16',
    cidrMask: 19,
    natGateways: 1,
    retention: logs.RetentionDays.ONE_MONTH,
    retainData: false,
  },
  {
    name: 'staging',
    tier: 'production',
    account: '222222222222',
    availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
    cidr: '10.20.0.0/16',
    cidrMask: 20,
    natGateways: 1,
    retention: logs.RetentionDays.ONE_YEAR,
    retainData: true,
  },
  {
    name: 'prod',
    tier: 'production',
    account: '333333333333',
    availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
    cidr: '10.30.0.0/16',
    cidrMask: 20,
    natGateways: 3,
    retention: logs.RetentionDays.ONE_YEAR,
    retainData: true,
  },
];

/** A stack with fixed availability zones: without the override, Vpc would look them up in context. */
class FixedZonesStack extends Stack {
  constructor(
    scope: Construct,
    id: string,
    private readonly zones: readonly string[],
    props: StackProps,
  ) {
    super(scope, id, props);
  }

  public override get availabilityZones(): string[] {
    return [...this.zones];
  }
}

/**
 * Tags the plain CfnResources that `Tags.of()` skips: aws-cdk-lib's singleton custom-resource provider (the
 * role and function that strip the default security group) is built that way. Ours tags them too.
 */
function tagPlainResources(scope: IConstruct, tags: Readonly<Record<string, string>>): void {
  const sorted = Object.keys(tags)
    .sort()
    .map((Key) => ({ Key, Value: tags[Key]! }));
  Aspects.of(scope).add({
    visit(node: IConstruct): void {
      if (
        CfnResource.isCfnResource(node) &&
        !TagManager.isTaggable(node) &&
        (node.cfnResourceType === 'AWS::IAM::Role' || node.cfnResourceType === 'AWS::Lambda::Function')
      ) {
        node.addPropertyOverride('Tags', sorted);
      }
    },
  });
}

/** The key policy statement that lets CloudWatch Logs use the key for one log group, and nothing else. */
function logGroupKeyStatement(stack: Stack, sid: string, logGroupName: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid,
    principals: [new iam.ServicePrincipal(`logs.${REGION}.amazonaws.com`)],
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

/** Why the findings on aws-cdk-lib's default-SG handler (a Lambda run only by CloudFormation) are safe. */
const DEFAULT_SG_HANDLER_ACKNOWLEDGEMENTS: Readonly<Record<string, string>> = {
  'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]':
    'The AWS-managed basic execution policy only lets the handler write its own logs; aws-cdk-lib sets it',
  'NIST.800.53.R5-IAMNoInlinePolicy':
    "The inline policy is scoped to this VPC's default security group and lives and dies with the handler role",
  'NIST.800.53.R5-LambdaConcurrency':
    'CloudFormation invokes the handler once per deployment of the VPC; it takes no other traffic',
  'NIST.800.53.R5-LambdaDLQ':
    'CloudFormation invokes the handler synchronously and reports a failure in the stack events; nothing is queued',
  'NIST.800.53.R5-LambdaInsideVPC':
    'The handler calls only the EC2 API to empty the default security group; it reaches no resource in the VPC',
};

function buildFoundation(stage: Stage, env: RawAwsEnvironment): void {
  const stack = new FixedZonesStack(stage, 'foundation', env.availabilityZones, {
    env: { account: env.account, region: REGION },
    terminationProtection: env.retainData,
    description: `Platform ${env.name} (${env.tier}): network, encryption keys and logs`,
  });
  // A plain Construct named like ours, so that logical IDs (and thus templates) match ours exactly.
  const network = new Construct(stack, 'Network');
  const removalPolicy = env.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
  const logGroupName = `/platform/${env.name}/vpc-flow-logs`;

  const vpc = new ec2.Vpc(network, 'Resource', {
    ipAddresses: ec2.IpAddresses.cidr(env.cidr),
    availabilityZones: [...env.availabilityZones],
    natGateways: env.natGateways,
    natGatewayProvider: ec2.NatProvider.gateway(),
    enableDnsHostnames: true,
    enableDnsSupport: true,
    restrictDefaultSecurityGroup: true,
    subnetConfiguration: [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: env.cidrMask, mapPublicIpOnLaunch: false },
      { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: env.cidrMask },
      { name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: env.cidrMask },
    ],
  });
  // Ours acknowledges this validation warning too; without it the validated runs would do different work.
  Validations.of(vpc).acknowledge({
    id: 'CloudFormation-Validate::W3010',
    reason:
      'Availability zones are named in the spec on purpose: synthesis runs offline, and a subnet must never move zone (that replaces it)',
  });

  const key = new kms.Key(network, 'FlowLogKey', {
    description: `Encrypts the VPC flow logs of ${env.name}`,
    enableKeyRotation: true,
    rotationPeriod: Duration.days(365),
    removalPolicy,
  });
  key.addToResourcePolicy(logGroupKeyStatement(stack, 'AllowCloudWatchLogsForFlowLogGroup', logGroupName));
  const logGroup = new logs.LogGroup(network, 'FlowLogGroup', {
    logGroupName,
    retention: env.retention,
    encryptionKey: key,
    removalPolicy,
  });

  // The flow log role: trusted only for this account's flow logs, its grant in a customer-managed policy.
  const role = new iam.Role(network, 'FlowLogRole', {
    description: `Lets VPC Flow Logs write to ${logGroupName}`,
    assumedBy: new iam.ServicePrincipal('vpc-flow-logs.amazonaws.com', {
      conditions: {
        StringEquals: { 'aws:SourceAccount': env.account },
        ArnLike: {
          'aws:SourceArn': stack.formatArn({ service: 'ec2', resource: 'vpc-flow-log', resourceName: '*' }),
        },
      },
    }),
  });
  new iam.ManagedPolicy(network, 'FlowLogPolicy', {
    description: 'Writes VPC flow logs to their one log group',
    roles: [role],
    statements: [
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    ],
  });
  vpc.addFlowLog('FlowLog', {
    // Without policy updates: the destination would add the managed policy's grant inline again.
    destination: ec2.FlowLogDestination.toCloudWatchLogs(logGroup, role.withoutPolicyUpdates()),
    trafficType: ec2.FlowLogTrafficType.ALL,
  });

  // The default-SG handler (aws-cdk-lib's stack-wide provider) logs to an encrypted group with retention.
  const provider = stack.node.findChild('Custom::VpcRestrictDefaultSGCustomResourceProvider');
  const handlerLogGroupName = `/platform/${env.name}/vpc-default-sg-handler`;
  key.addToResourcePolicy(logGroupKeyStatement(stack, 'AllowCloudWatchLogsForDefaultSgHandler', handlerLogGroupName));
  const handlerLogGroup = new logs.LogGroup(provider, 'LogGroup', {
    logGroupName: handlerLogGroupName,
    retention: env.retention,
    encryptionKey: key,
    removalPolicy,
  });
  const handler = provider.node.findChild('Handler') as CfnResource;
  handler.addPropertyOverride('LoggingConfig', { LogGroup: handlerLogGroup.logGroupName });
  handler.node.addDependency(handlerLogGroup);
  for (const [id, reason] of Object.entries(DEFAULT_SG_HANDLER_ACKNOWLEDGEMENTS)) {
    Validations.of(provider).acknowledge({ id, reason });
  }

  Validations.of(vpc).acknowledge({
    id: 'NIST.800.53.R5-VPCDefaultSecurityGroupClosed',
    reason:
      'The Custom::VpcRestrictDefaultSG resource in the same stack removes every rule of the default security group',
  });
  for (const subnet of vpc.publicSubnets) {
    Validations.of(subnet).acknowledge({
      id: 'NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW',
      reason:
        'Public subnets exist to route to the internet gateway; they hold only NAT gateways and load balancers, and instances run in private subnets',
    });
  }
}

/** Resource types that hold data, as the production data-safety rule knows them (lib/core/stateful.ts). */
const STATEFUL_TYPES: ReadonlySet<string> = new Set([
  'AWS::Backup::BackupVault',
  'AWS::Cognito::UserPool',
  'AWS::DocDB::DBCluster',
  'AWS::DynamoDB::GlobalTable',
  'AWS::DynamoDB::Table',
  'AWS::EC2::Volume',
  'AWS::ECR::Repository',
  'AWS::EFS::FileSystem',
  'AWS::ElastiCache::ReplicationGroup',
  'AWS::FSx::FileSystem',
  'AWS::Kinesis::Stream',
  'AWS::KMS::Key',
  'AWS::Logs::LogGroup',
  'AWS::Neptune::DBCluster',
  'AWS::OpenSearchService::Domain',
  'AWS::RDS::DBCluster',
  'AWS::RDS::DBInstance',
  'AWS::Redshift::Cluster',
  'AWS::S3::Bucket',
  'AWS::SecretsManager::Secret',
  'AWS::SQS::Queue',
]);
const KEEPS_DATA: ReadonlySet<CfnDeletionPolicy | undefined> = new Set([
  CfnDeletionPolicy.RETAIN,
  CfnDeletionPolicy.SNAPSHOT,
]);

/** Platform-StatefulRetained as a cdk-nag pack: production resources that hold data are retained. */
class StatefulRetainedChecks extends NagPack {
  public readonly name = 'Platform';

  constructor(
    private readonly tier: Tier,
    props?: NagPackProps,
  ) {
    super(undefined, props);
    this.packName = 'Platform';
  }

  protected checkResource(node: CfnResource): void {
    if (this.tier !== 'production') return;
    this.applyRule({
      ruleSuffixOverride: 'StatefulRetained',
      info: 'A production resource that holds data can be deleted or replaced with its data.',
      explanation: 'Set removalPolicy: RemovalPolicy.RETAIN.',
      level: NagMessageLevel.ERROR,
      node,
      rule: (resource: CfnResource) => {
        if (!STATEFUL_TYPES.has(resource.cfnResourceType)) return NagRuleCompliance.NOT_APPLICABLE;
        const { deletionPolicy, updateReplacePolicy } = resource.cfnOptions;
        return KEEPS_DATA.has(deletionPolicy) && KEEPS_DATA.has(updateReplacePolicy)
          ? NagRuleCompliance.COMPLIANT
          : NagRuleCompliance.NON_COMPLIANT;
      },
    });
  }
}

/** Runs a cdk-nag pack over one stage only (cdk-nag's own `validate` walks the whole app). */
class StagePack implements IPolicyValidationPlugin {
  public readonly name: string;

  constructor(
    private readonly pack: NagPack,
    private readonly stage: Stage,
  ) {
    this.name = pack.name;
  }

  public validate(): PolicyValidationPluginReport {
    const { violations } = this.pack.validateScope(this.stage);
    return { success: violations.every((v) => v.severity !== 'error'), violations };
  }
}

/** CloudFormation's per-template limits with 10 % headroom, and termination protection in production. */
class StackLimits implements IPolicyValidationPlugin {
  public readonly name = 'Platform-Stack';

  constructor(
    private readonly stage: Stage,
    private readonly tier: Tier,
  ) {}

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const stacks = new Map(
      this.stage.node
        .findAll()
        .filter(Stack.isStack)
        .map((s) => [s.node.path, s]),
    );
    const violations: PolicyViolation[] = [];
    for (const { stackConstructPath, templatePath } of context.stackTemplates) {
      const stack = stacks.get(stackConstructPath);
      if (!stack) continue;
      const body = fs.readFileSync(templatePath);
      const template = JSON.parse(body.toString('utf8')) as Record<string, object | undefined>;
      const problems: string[] = [];
      const limits = { Resources: 500, Outputs: 200, Parameters: 200, Mappings: 200 } as const;
      for (const [section, max] of Object.entries(limits)) {
        const count = Object.keys(template[section] ?? {}).length;
        if (count >= max * 0.9) problems.push(`${stack.stackName} has ${count} ${section}, limit ${max}`);
      }
      if (body.length >= 1_000_000 * 0.9) problems.push(`${stack.stackName} template is ${body.length} bytes`);
      if (stack.stackName.length > 128) problems.push(`stack name ${stack.stackName} is over 128 characters`);
      if (this.tier === 'production' && !stack.terminationProtection) {
        problems.push(`${stack.stackName} has no termination protection`);
      }
      for (const description of problems) {
        violations.push({
          ruleName: 'Platform-Stack',
          description,
          severity: 'error',
          violatingResources: [{ templatePath, constructPath: stackConstructPath, locations: [] }],
        });
      }
    }
    return { success: violations.length === 0, violations };
  }
}

/** The guardrails of one stage: the packs, scoped to it, and their names in each template's Metadata. */
function addGuardrails(stage: Stage, tier: Tier): void {
  const nist = tier === 'production';
  const packs: NagPack[] = [
    // With the stage as scope, AwsSolutions also copies every acknowledgement into the template.
    new AwsSolutionsChecks(stage, { writeSuppressionsToCloudFormation: true }),
    new StatefulRetainedChecks(tier),
  ];
  if (nist) packs.push(new NIST80053R5Checks());
  Validations.of(stage).addPlugins(...packs.map((p) => new StagePack(p, stage)), new StackLimits(stage, tier));
  const record = {
    Tier: tier,
    Packs: ['AwsSolutions', ...(nist ? ['NIST.800.53.R5'] : []), 'Platform', 'Platform-Stack'],
  };
  for (const stack of stage.node.findAll().filter(Stack.isStack)) {
    stack.templateOptions.metadata = { ...stack.templateOptions.metadata, PlatformConstructs: record };
  }
}

/**
 * Synthesizes the three environments' foundation stacks into `outdir` with plain aws-cdk-lib.
 *
 * @param outdir - the cloud assembly folder (created if missing).
 * @param validation - validate the templates against the CloudFormation schemas, as ours does by default.
 */
export function synthRawAws(outdir: string, validation: boolean): void {
  const app = new App({
    outdir,
    // The same context as stacks/aws/app.ts: cdk.json's feature flags and metadata settings, and no
    // creation stack traces.
    context: {
      ...cdkJson.context,
      'aws:cdk:enable-path-metadata': cdkJson.pathMetadata,
      'aws:cdk:enable-asset-metadata': cdkJson.assetMetadata,
      'aws:cdk:disable-creation-stack-traces': true,
    },
    analyticsReporting: cdkJson.versionReporting,
    stackTraces: false,
    builtinCloudFormationValidation: validation,
  });
  for (const env of ENVIRONMENTS) {
    const stage = new Stage(app, `platform-${env.name}`, { env: { account: env.account, region: REGION } });
    buildFoundation(stage, env);
    const tags = { ...TAGS, environment: env.name };
    for (const [key, value] of Object.entries(tags)) Tags.of(stage).add(key, value);
    tagPlainResources(stage, tags);
    addGuardrails(stage, env.tier);
  }
  app.synth();
}

if (require.main === module) {
  const args = parseBenchArgs(process.argv.slice(2));
  synthRawAws(path.join(args.outdir, 'cdk.out'), args.validation);
}
