import { Duration, Stack, Token } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct } from 'constructs';
import { checkProps, IssueCollector, PLATFORM_PREFIX } from '../core';
import { acknowledge } from './acknowledge';
import { protectionOf, RetainStatefulResources } from './protection';

/** The name of an environment's ECS cluster, `platform-<env>`: the dashboard finds service metrics by it. */
export function containerClusterName(environment: string): string {
  return `${PLATFORM_PREFIX}-${environment}`;
}

/** Props of {@link ContainerCluster}. */
export interface ContainerClusterProps {
  /** The environment name; the cluster is `platform-<name>`. */
  readonly name: string;
  /** The VPC the services of the cluster run in. */
  readonly vpc: ec2.IVpc;
  /**
   * How long load balancer access logs (and their earlier versions) are kept, in days. The bucket is retained when
   * it leaves the stack; `RetainStatefulResources` lets a development stack delete it (never emptied
   * automatically: a bucket still holding logs fails to delete, which keeps the logs).
   * @default - what the tier of its PlatformStack decides: 365 days in production (and outside a PlatformStack),
   *   30 in development
   */
  readonly logRetentionDays?: number;
}

/**
 * The container platform of one environment, shared by all its services: an ECS cluster `platform-<env>`
 * with Container Insights (the source of the running-task alarms), and the bucket every service's load
 * balancer writes its access logs to (each under its own prefix, the service name).
 *
 * The bucket: S3-managed encryption (the only kind ELB log delivery supports), every public access blocked,
 * TLS-only requests, versioning, object ownership enforced by the bucket owner (no ACLs), and a lifecycle
 * expiring logs after `logRetentionDays`. Its policy lets Elastic Load Balancing deliver logs for this
 * account under any prefix, so adding a service never changes this stack.
 *
 * @example
 * const containers = new ContainerCluster(foundation, 'Containers', { name: env.name, vpc: network.vpc });
 */
export class ContainerCluster extends Construct {
  /** The ECS cluster, `platform-<env>`. */
  public readonly cluster: ecs.Cluster;
  /** The bucket receiving the access logs of the services' load balancers. */
  public readonly accessLogBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: ContainerClusterProps) {
    super(scope, id);
    checkProps('ContainerCluster', this.node.path, props, {
      name: { kind: 'string', allowed: 'the environment name' },
      vpc: { kind: 'object', allowed: 'the VPC (Network.vpc, or Network.fromAttributes(...).vpc)' },
      logRetentionDays: { kind: 'number', optional: true, allowed: 'the days access logs are kept' },
    });
    const retentionDays = props.logRetentionDays ?? protectionOf(this).logRetentionDays;
    validateContainerClusterProps(this, props, retentionDays);

    this.cluster = new ecs.Cluster(this, 'Resource', {
      clusterName: containerClusterName(props.name),
      vpc: props.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });

    this.accessLogBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RetainStatefulResources.removalPolicyOf(this),
      lifecycleRules: [
        {
          id: 'ExpireAccessLogs',
          expiration: Duration.days(retentionDays),
          noncurrentVersionExpiration: Duration.days(retentionDays),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
    });
    allowLoadBalancerAccessLogs(this.accessLogBucket);
    acknowledgeAccessLogBucket(this.accessLogBucket);
  }
}

/**
 * Lets Elastic Load Balancing deliver application load balancer access logs for the stack's account to a
 * bucket, under any prefix (`<prefix>/AWSLogs/<account>/...`). In regions opened before August 2022 the
 * delivering principal is the region's ELB account, in later ones the `logdelivery.elasticloadbalancing`
 * service. ContainerCluster calls it for its own bucket; call it for a bucket of your own.
 * @returns false when the bucket is imported and its policy cannot be changed here
 */
export function allowLoadBalancerAccessLogs(bucket: s3.IBucket): boolean {
  const stack = Stack.of(bucket);
  const elbAccount = RegionInfo.get(stack.region).elbv2Account;
  const principal = elbAccount
    ? new iam.AccountPrincipal(elbAccount)
    : new iam.ServicePrincipal('logdelivery.elasticloadbalancing.amazonaws.com');
  return bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowLoadBalancerAccessLogs',
      principals: [principal],
      actions: ['s3:PutObject'],
      resources: [bucket.arnForObjects(`*/AWSLogs/${stack.account}/*`)],
    }),
  ).statementAdded;
}

/** What cdk-nag reports on an access-log bucket that no setting can fix, and why each is safe. */
const ACCESS_LOG_BUCKET_ACKNOWLEDGEMENTS: readonly (readonly [string, string])[] = [
  [
    'AwsSolutions-S1',
    'This bucket holds access logs itself; logging its own accesses would need another log bucket, which would need one in turn',
  ],
  [
    'NIST.800.53.R5-S3BucketLoggingEnabled',
    'This bucket holds access logs itself; logging its own accesses would need another log bucket, which would need one in turn',
  ],
  [
    'NIST.800.53.R5-S3DefaultEncryptionKMS',
    'Elastic Load Balancing delivers access logs only to buckets encrypted with S3-managed keys (SSE-S3), not SSE-KMS',
  ],
  [
    'NIST.800.53.R5-S3BucketReplicationEnabled',
    'Access logs are kept for audit in one region with versioning and retention; they are not needed to restore any service',
  ],
];

function acknowledgeAccessLogBucket(bucket: s3.Bucket): void {
  for (const [rule, reason] of ACCESS_LOG_BUCKET_ACKNOWLEDGEMENTS) acknowledge(bucket, rule, reason);
}

function validateContainerClusterProps(scope: Construct, props: ContainerClusterProps, retentionDays: number): void {
  const issues = new IssueCollector();
  const at = `containers.${props.name}`;
  const region = Stack.of(scope).region;
  if (Token.isUnresolved(region)) {
    issues.add(
      `${at}.region`,
      region,
      'a stack with an explicit region (the ELB log delivery principal depends on it)',
    );
  }
  if (!Number.isInteger(retentionDays) || retentionDays < 1) {
    issues.add(`${at}.logRetentionDays`, retentionDays, 'a whole number of days, at least 1');
  }
  issues.throwIfAny('Invalid container cluster');
}
