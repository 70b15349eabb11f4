import { Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { acknowledge } from './acknowledge';

/** Options of {@link serverAccessLogBucket}. */
export interface ServerAccessLogBucketOptions {
  /** What the bucket logs the accesses of, for the acknowledgements' reasons (`the audit bucket`). */
  readonly of: string;
  /** How long the logs (and their old versions) are kept. */
  readonly retention: Duration;
  /** Why the logs need no copy in another region (the S3 replication finding's reason). */
  readonly whyNoReplica: string;
  /**
   * What happens to the bucket when it leaves the stack.
   * @default - aws-cdk-lib's default (retained), or what the stack's protection aspect sets
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A bucket for the server access logs of another bucket: S3-managed encryption (S3 delivers access logs to no other),
 * private, SSL only, versioned, owner-enforced, its logs and their old versions expired after `retention`; with the
 * cdk-nag findings no setting can fix acknowledged, each with its reason. Send a bucket's logs to it with
 * {@link logAccessesTo}.
 */
export function serverAccessLogBucket(scope: Construct, id: string, options: ServerAccessLogBucketOptions): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    versioned: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    ...(options.removalPolicy !== undefined && { removalPolicy: options.removalPolicy }),
    lifecycleRules: [
      {
        id: 'ExpireAccessLogs',
        expiration: options.retention,
        noncurrentVersionExpiration: options.retention,
        abortIncompleteMultipartUploadAfter: Duration.days(7),
      },
    ],
  });
  const itself = `This bucket holds the server access logs of ${options.of}; logging its own accesses would need another log bucket, which would need one in turn`;
  acknowledge(bucket, 'AwsSolutions-S1', itself);
  acknowledge(bucket, 'NIST.800.53.R5-S3BucketLoggingEnabled', itself);
  acknowledge(
    bucket,
    'NIST.800.53.R5-S3DefaultEncryptionKMS',
    'Amazon S3 delivers server access logs only to buckets encrypted with S3-managed keys (SSE-S3), not SSE-KMS',
  );
  acknowledge(bucket, 'NIST.800.53.R5-S3BucketReplicationEnabled', options.whyNoReplica);
  return bucket;
}

/**
 * Sends the server access logs of `bucket` to `target` under `prefix`, through a bucket policy for the S3 logging
 * service (limited to `bucket` in this account), whatever the app's `@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy`
 * flag: the ACL it would otherwise grant is refused by buckets that enforce bucket-owner object ownership.
 *
 * @param bucket the bucket whose accesses are logged
 * @param target the access-log bucket (SSE-S3: S3 delivers access logs to no other encryption)
 * @param prefix the key prefix of the logs in `target`, such as `trail/`
 */
export function logAccessesTo(bucket: s3.Bucket, target: s3.Bucket, prefix: string): void {
  const stack = Stack.of(bucket);
  target.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowS3ServerAccessLogs',
      principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
      actions: ['s3:PutObject'],
      resources: [target.arnForObjects(`${prefix}*`)],
      conditions: {
        ArnLike: { 'aws:SourceArn': bucket.bucketArn },
        StringEquals: { 'aws:SourceAccount': stack.account },
      },
    }),
  );
  (bucket.node.defaultChild as s3.CfnBucket).loggingConfiguration = {
    destinationBucketName: target.bucketName,
    logFilePrefix: prefix,
  };
}
