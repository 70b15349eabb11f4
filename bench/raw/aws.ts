// The AWS half of the bench's reference point: the same three foundation stacks as stacks/aws (same
// construct IDs, so the same logical IDs and templates), written against aws-cdk-lib directly, with the
// environment values spelled out instead of resolved from the spec. Anything ours costs beyond this
// program is the price of the library (zod, spec resolution, naming, our constructs).
import {
  App,
  ArnFormat,
  Aspects,
  CfnResource,
  Duration,
  RemovalPolicy,
  Stack,
  Stage,
  TagManager,
  Tags,
  Validations,
  type StackProps,
} from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, type IConstruct } from 'constructs';
import * as path from 'node:path';
import cdkJson from '../../cdk.json';
import { parseBenchArgs } from '../args';

/** One environment, as stacks/environments resolves it. */
interface RawAwsEnvironment {
  readonly name: string;
  readonly tier: string;
  readonly account: string;
  readonly availabilityZones: readonly string[];
  readonly cidr: string;
  readonly cidrMask: number;
  readonly natGateways: number;
  readonly retention: logs.RetentionDays;
  readonly retainData: boolean;
}

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
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchLogsForFlowLogGroup',
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
    }),
  );
  const logGroup = new logs.LogGroup(network, 'FlowLogGroup', {
    logGroupName,
    retention: env.retention,
    encryptionKey: key,
    removalPolicy,
  });
  vpc.addFlowLog('FlowLog', {
    destination: ec2.FlowLogDestination.toCloudWatchLogs(logGroup),
    trafficType: ec2.FlowLogTrafficType.ALL,
  });
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
    // The same context as stacks/aws/app.ts: cdk.json's feature flags and metadata settings.
    context: {
      ...cdkJson.context,
      'aws:cdk:enable-path-metadata': cdkJson.pathMetadata,
      'aws:cdk:enable-asset-metadata': cdkJson.assetMetadata,
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
  }
  app.synth();
}

if (require.main === module) {
  const args = parseBenchArgs(process.argv.slice(2));
  synthRawAws(path.join(args.outdir, 'cdk.out'), args.validation);
}
