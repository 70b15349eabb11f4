import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import {
  acknowledgementsOn,
  allowLoadBalancerAccessLogs,
  ContainerCluster,
  containerClusterName,
  PlatformChecks,
  PlatformStack,
  RetainStatefulResources,
  type ContainerClusterProps,
} from '../../lib/aws';

const ZONES = ['eu-west-1a', 'eu-west-1b'];

interface Built {
  readonly stack: PlatformStack;
  readonly template: Template;
  readonly containers: ContainerCluster;
}

function build(props: Partial<ContainerClusterProps> = {}, region = 'eu-west-1', retainData?: boolean): Built {
  const stack = new PlatformStack(new App(), 'Foundation', {
    env: { account: '333333333333', region },
    availabilityZones: ZONES.map((z) => z.replace('eu-west-1', region)),
  });
  if (retainData !== undefined) RetainStatefulResources.applyTo(stack, { retainData });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1, restrictDefaultSecurityGroup: false });
  const containers = new ContainerCluster(stack, 'Containers', { name: 'prod', vpc, ...props });
  return { stack, template: Template.fromStack(stack), containers };
}

function bucketProperties(built: Built): Record<string, unknown> {
  const resources = built.template.toJSON().Resources as Record<string, { Properties: Record<string, unknown> }>;
  return resources[built.stack.resolve(built.containers.accessLogBucket.bucketName).Ref as string]!.Properties;
}

function bucketPolicyStatements(built: Built): Record<string, unknown>[] {
  const policies = built.template.findResources('AWS::S3::BucketPolicy');
  expect(Object.keys(policies)).toHaveLength(1);
  return Object.values(policies)[0]!.Properties.PolicyDocument.Statement as Record<string, unknown>[];
}

describe('ContainerCluster (AWS)', () => {
  let built: Built;
  beforeAll(() => {
    built = build();
  });

  test('an ECS cluster named platform-<env> with Container Insights on', () => {
    built.template.resourceCountIs('AWS::ECS::Cluster', 1);
    built.template.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterName: 'platform-prod',
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
    });
    expect(containerClusterName('prod')).toBe('platform-prod');
  });

  test('the access-log bucket is SSE-S3 encrypted (what ELB log delivery supports), versioned, private, owner-enforced', () => {
    expect(bucketProperties(built)).toEqual(
      expect.objectContaining({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        VersioningConfiguration: { Status: 'Enabled' },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
      }),
    );
  });

  test('access logs and their earlier versions expire after 365 days by default', () => {
    expect(bucketProperties(built).LifecycleConfiguration).toEqual({
      Rules: [
        {
          Id: 'ExpireAccessLogs',
          Status: 'Enabled',
          ExpirationInDays: 365,
          NoncurrentVersionExpiration: { NoncurrentDays: 365 },
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
        },
      ],
    });
  });

  test('logRetentionDays sets the expiry of the access logs', () => {
    const short = build({ logRetentionDays: 30 });
    expect(bucketProperties(short).LifecycleConfiguration).toEqual({
      Rules: [expect.objectContaining({ ExpirationInDays: 30, NoncurrentVersionExpiration: { NoncurrentDays: 30 } })],
    });
  });

  test('the bucket is retained by default', () => {
    built.template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('in a stack whose data is not retained, the bucket is deleted with the stack, but never emptied automatically', () => {
    const disposable = build({}, 'eu-west-1', false);
    disposable.template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
    disposable.template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
  });

  test('requests without TLS are denied', () => {
    expect(bucketPolicyStatements(built)).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 's3:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
  });

  test("the region's ELB account may deliver access logs for this account under any prefix", () => {
    const bucketArn = { 'Fn::GetAtt': [built.stack.resolve(built.containers.accessLogBucket.bucketName).Ref, 'Arn'] };
    expect(bucketPolicyStatements(built)).toContainEqual({
      Sid: 'AllowLoadBalancerAccessLogs',
      Effect: 'Allow',
      Action: 's3:PutObject',
      Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::156460612806:root']] } },
      Resource: { 'Fn::Join': ['', [bucketArn, '/*/AWSLogs/333333333333/*']] },
    });
  });

  test('in a region opened after August 2022 the ELB log delivery service delivers instead', () => {
    const newer = build({}, 'eu-south-2');
    expect(bucketPolicyStatements(newer)).toContainEqual(
      expect.objectContaining({
        Sid: 'AllowLoadBalancerAccessLogs',
        Principal: { Service: 'logdelivery.elasticloadbalancing.amazonaws.com' },
      }),
    );
  });

  test('allowLoadBalancerAccessLogs reports an imported bucket, whose policy cannot change here', () => {
    const stack = new Stack(new App(), 'Other', { env: { account: '333333333333', region: 'eu-west-1' } });
    expect(allowLoadBalancerAccessLogs(s3.Bucket.fromBucketName(stack, 'Imported', 'logs-bucket'))).toBe(false);
    expect(allowLoadBalancerAccessLogs(new s3.Bucket(stack, 'Own'))).toBe(true);
  });

  test('the findings no setting can fix are acknowledged with their reasons, and only those', () => {
    expect(Object.keys(acknowledgementsOn(built.containers.accessLogBucket)).sort()).toEqual([
      'AwsSolutions-S1',
      'NIST.800.53.R5-S3BucketLoggingEnabled',
      'NIST.800.53.R5-S3BucketReplicationEnabled',
      'NIST.800.53.R5-S3DefaultEncryptionKMS',
    ]);
    expect(acknowledgementsOn(built.containers.accessLogBucket)['NIST.800.53.R5-S3DefaultEncryptionKMS']).toMatch(
      /only to buckets encrypted with S3-managed keys/,
    );
  });

  test('no unacknowledged AwsSolutions, NIST 800-53 R5 or Platform finding in production', () => {
    const findings = [
      new AwsSolutionsChecks(),
      new NIST80053R5Checks(),
      new PlatformChecks(undefined, { tier: 'production' }),
    ]
      .flatMap((pack) => pack.validateScope(built.containers).violations)
      .flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`));
    expect(findings).toEqual([]);
  });
});

describe('ContainerCluster validation (AWS)', () => {
  test('a stack without an explicit region is refused: the log delivery principal depends on it', () => {
    const stack = new Stack(new App(), 'Agnostic');
    const vpc = new ec2.Vpc(stack, 'Vpc', { restrictDefaultSecurityGroup: false });
    expect(() => new ContainerCluster(stack, 'Containers', { name: 'prod', vpc })).toThrow(
      /Invalid container cluster \(1 problem\):\n {2}- containers\.prod\.region: .* - a stack with an explicit region/,
    );
  });

  test('a log retention below one day is refused, naming containers.<env>.logRetentionDays', () => {
    expect(() => build({ logRetentionDays: 0 })).toThrow(
      'Invalid container cluster (1 problem):\n  - containers.prod.logRetentionDays: 0 - a whole number of days, at least 1',
    );
  });
});

describe('ContainerCluster logical IDs', () => {
  test('the bucket and the cluster keep their logical IDs: a changed ID would replace them', () => {
    const { stack, containers } = build();
    expect(stack.resolve(containers.accessLogBucket.bucketName)).toEqual({ Ref: 'ContainersAccessLogsEB588F33' });
    expect(stack.resolve(containers.cluster.clusterName)).toEqual({ Ref: 'Containers681425D7' });
  });
});
