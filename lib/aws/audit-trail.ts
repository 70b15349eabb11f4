import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import {
  AUDIT_CONTROL_PERIOD_MINUTES,
  AUDIT_CONTROLS,
  auditAlarmId,
  AZURE_AUDIT_CONTROLS,
  checkProps,
  PLATFORM_PREFIX,
  type AuditSpec,
} from '../core';
import { logAccessesTo, serverAccessLogBucket } from './access-logs';
import { acknowledge } from './acknowledge';
import type { IMonitoring } from './interfaces';
import { logMetricNamespace } from './log-analysis';
import { RetainStatefulResources } from './protection';

/** The name of an environment's trail: `platform-<env>-audit`. */
export function auditTrailName(environment: string): string {
  return `${PLATFORM_PREFIX}-${environment}-audit`;
}

/** The name of an environment's audit log group: `/platform/<env>/audit`. */
export function auditLogGroupName(environment: string): string {
  return `/${PLATFORM_PREFIX}/${environment}/audit`;
}

/**
 * The CloudWatch Logs metric filter pattern of each audit control (lib/core AUDIT_CONTROLS), as the CIS AWS
 * Foundations Benchmark section 4 and the Security Hub controls CloudWatch.1-14 give them.
 */
export const AUDIT_FILTER_PATTERNS: Readonly<Record<string, string>> = {
  'unauthorized-api-calls': '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }',
  'console-sign-in-without-mfa':
    '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
  'root-account-use':
    '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
  'iam-policy-changes':
    '{ ($.eventName = DeleteGroupPolicy) || ($.eventName = DeleteRolePolicy) || ($.eventName = DeleteUserPolicy) || ($.eventName = PutGroupPolicy) || ($.eventName = PutRolePolicy) || ($.eventName = PutUserPolicy) || ($.eventName = CreatePolicy) || ($.eventName = DeletePolicy) || ($.eventName = CreatePolicyVersion) || ($.eventName = DeletePolicyVersion) || ($.eventName = AttachRolePolicy) || ($.eventName = DetachRolePolicy) || ($.eventName = AttachUserPolicy) || ($.eventName = DetachUserPolicy) || ($.eventName = AttachGroupPolicy) || ($.eventName = DetachGroupPolicy) }',
  'cloudtrail-changes':
    '{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }',
  'console-auth-failures': '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
  'kms-key-disable-or-delete':
    '{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) }',
  's3-bucket-policy-changes':
    '{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }',
  'config-changes':
    '{ ($.eventSource = config.amazonaws.com) && (($.eventName = StopConfigurationRecorder) || ($.eventName = DeleteDeliveryChannel) || ($.eventName = PutDeliveryChannel) || ($.eventName = PutConfigurationRecorder)) }',
  'security-group-changes':
    '{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }',
  'nacl-changes':
    '{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }',
  'network-gateway-changes':
    '{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }',
  'route-table-changes':
    '{ ($.eventSource = ec2.amazonaws.com) && (($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable)) }',
  'vpc-changes':
    '{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }',
  'organizations-changes':
    '{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = AcceptHandshake) || ($.eventName = AttachPolicy) || ($.eventName = CreateAccount) || ($.eventName = CreateOrganizationalUnit) || ($.eventName = CreatePolicy) || ($.eventName = DeclineHandshake) || ($.eventName = DeleteOrganization) || ($.eventName = DeleteOrganizationalUnit) || ($.eventName = DeletePolicy) || ($.eventName = DetachPolicy) || ($.eventName = DisablePolicyType) || ($.eventName = EnablePolicyType) || ($.eventName = InviteAccountToOrganization) || ($.eventName = LeaveOrganization) || ($.eventName = MoveAccount) || ($.eventName = RemoveAccountFromOrganization) || ($.eventName = UpdatePolicy) || ($.eventName = UpdateOrganizationalUnit)) }',
};

/** The fields every saved audit query shows, newest first. */
const AUDIT_QUERY_FIELDS =
  'fields eventTime, userIdentity.arn, eventSource, eventName, resources.0.ARN, requestParameters, sourceIPAddress, errorCode';

/** The saved CloudWatch Logs Insights queries over the audit log group, by name (`audit/<name>`). */
export const AUDIT_QUERIES: Readonly<Record<string, string>> = {
  'audit/by-user': `${AUDIT_QUERY_FIELDS}\n| filter ispresent(userIdentity.arn)\n| sort eventTime desc\n| limit 200`,
  'audit/by-resource': `${AUDIT_QUERY_FIELDS}\n| filter ispresent(resources.0.ARN) or ispresent(requestParameters)\n| sort eventTime desc\n| limit 200`,
  'audit/by-action': `${AUDIT_QUERY_FIELDS}\n| filter not (eventName like /^(Get|List|Describe|Head|Lookup)/)\n| sort eventTime desc\n| limit 200`,
  'audit/failed-calls': `${AUDIT_QUERY_FIELDS}, errorMessage\n| filter ispresent(errorCode)\n| sort eventTime desc\n| limit 200`,
};

/** The retention periods CloudWatch Logs offers, in days, ascending (not `INFINITE`). */
const CLOUDWATCH_RETENTION_DAYS: readonly number[] = Object.values(logs.RetentionDays)
  .filter((v): v is number => typeof v === 'number' && v !== logs.RetentionDays.INFINITE)
  .sort((a, b) => a - b);

/**
 * The shortest CloudWatch Logs retention that keeps records at least `days` (730 -> 731, 2555 -> 2557): the
 * audit retentions are counted in whole years, CloudWatch's in its own steps.
 * @throws Error naming the value when it exceeds every retention CloudWatch Logs offers.
 */
export function auditLogRetention(days: number): logs.RetentionDays {
  const match = CLOUDWATCH_RETENTION_DAYS.find((d) => d >= days);
  if (match === undefined) {
    throw new Error(`audit.retentionDays: ${days} - CloudWatch Logs keeps at most ${CLOUDWATCH_RETENTION_DAYS.at(-1)}`);
  }
  return match as logs.RetentionDays;
}

/** Props of {@link AuditTrail}. */
export interface AuditTrailProps {
  /** The environment's resolved audit section: `defineEnvironment(...).audit`. */
  readonly spec: AuditSpec;
  /** The environment name: the trail is `platform-<env>-audit`, its log group `/platform/<env>/audit`. */
  readonly environment: string;
  /**
   * The environment's monitoring: its key encrypts the log group, its registry creates the alarms, and it keeps
   * the saved queries.
   */
  readonly monitoring: IMonitoring;
}

/**
 * The environment's record of who did what, and when: a multi-region CloudTrail trail of every management event
 * (read and write), with log file validation, encrypted with its own KMS key, delivered to an SSL-only, private,
 * versioned S3 bucket (server access logs to a second bucket; Object Lock in compliance mode when the spec says
 * `immutable`) and to the log group `/platform/<env>/audit`. On the log group: the CIS AWS Foundations monitoring
 * controls as metric filters with alarms `audit/<control>` (lib/core AUDIT_CONTROLS), and the saved queries
 * `audit/by-user`, `audit/by-resource`, `audit/by-action` and `audit/failed-calls`. The Azure side has a class
 * of the same name.
 *
 * @example
 * if (env.audit.enabled) new AuditTrail(this, 'AuditTrail', { spec: env.audit, environment: env.name, monitoring });
 */
export class AuditTrail extends Construct {
  /** The trail. */
  public readonly trail: cloudtrail.Trail;
  /** The key that encrypts the trail's log files and its bucket. */
  public readonly key: kms.Key;
  /** The bucket the trail delivers its log files to. */
  public readonly bucket: s3.Bucket;
  /** The bucket that receives the server access logs of {@link bucket}. */
  public readonly accessLogBucket: s3.Bucket;
  /** The log group the trail delivers its events to, `/platform/<env>/audit`. */
  public readonly logGroup: logs.LogGroup;
  /** The metric filter of each audit control, by control. */
  public readonly filters: ReadonlyMap<string, logs.MetricFilter>;

  constructor(scope: Construct, id: string, props: AuditTrailProps) {
    super(scope, id);
    checkProps('AuditTrail', this.node.path, props, {
      spec: {
        kind: 'object',
        allowed: "the environment's resolved audit section: defineEnvironment(...).audit",
        fields: {
          enabled: { kind: 'boolean', allowed: 'true or false' },
          retentionDays: { kind: 'number', allowed: 'the days audit records are kept' },
          immutable: { kind: 'boolean', allowed: 'true or false' },
        },
      },
      environment: { kind: 'string', allowed: 'the environment name' },
      monitoring: {
        kind: 'object',
        allowed: "the environment's monitoring (Monitoring, or Monitoring.fromAttributes)",
      },
    });
    const { spec, environment, monitoring } = props;
    const stack = Stack.of(this);
    const removalPolicy = RetainStatefulResources.removalPolicyOf(this);
    const retention = Duration.days(spec.retentionDays);
    const trailName = auditTrailName(environment);

    this.key = new kms.Key(this, 'Key', {
      description: `Encrypts the audit trail of ${environment}`,
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
      removalPolicy,
    });
    // CloudTrail encrypts the log files of this trail only (the aws:SourceArn condition), in this account.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudTrailToEncryptLogs',
        principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
        actions: ['kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          StringEquals: {
            'aws:SourceArn': stack.formatArn({ service: 'cloudtrail', resource: 'trail', resourceName: trailName }),
          },
          StringLike: {
            'kms:EncryptionContext:aws:cloudtrail:arn': `arn:${stack.partition}:cloudtrail:*:${stack.account}:trail/*`,
          },
        },
      }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudTrailToDescribeKey',
        principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
        actions: ['kms:DescribeKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );

    this.accessLogBucket = serverAccessLogBucket(this, 'AccessLogs', {
      of: 'the audit bucket',
      retention,
      removalPolicy,
      whyNoReplica:
        'Server access logs are kept for audit in one region with versioning and retention; they are not needed to restore any service',
    });

    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy,
      ...(spec.immutable && {
        objectLockEnabled: true,
        objectLockDefaultRetention: s3.ObjectLockRetention.compliance(retention),
      }),
      lifecycleRules: [
        {
          id: 'ExpireAuditRecords',
          expiration: retention,
          noncurrentVersionExpiration: retention,
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
    });
    logAccessesTo(this.bucket, this.accessLogBucket, 'trail/');
    acknowledge(
      this.bucket,
      'NIST.800.53.R5-S3BucketReplicationEnabled',
      'The trail is multi-region and its log files are versioned, validated by digest files and (in production) locked in compliance mode; a copy in a second region adds no record CloudTrail does not already keep for 90 days in its event history',
    );

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName: auditLogGroupName(environment),
      encryptionKey: monitoring.encryptionKey,
      retention: auditLogRetention(spec.retentionDays),
      removalPolicy,
    });

    this.trail = new cloudtrail.Trail(this, 'Resource', {
      trailName,
      bucket: this.bucket,
      encryptionKey: this.key,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableFileValidation: true,
      managementEvents: cloudtrail.ReadWriteType.ALL,
    });
    this.sendToLogGroup(trailName);

    this.filters = addAuditControls(this, this.logGroup, environment, monitoring);
    // The Azure-only ids (lib/core AZURE_AUDIT_CONTROLS), so that one spec tunes both clouds' audit alarms.
    for (const { control } of AZURE_AUDIT_CONTROLS) monitoring.declareAlarmElsewhere(auditAlarmId(control));
    for (const [name, query] of Object.entries(AUDIT_QUERIES)) monitoring.addQuery(name, query, [this.logGroup]);
  }

  /**
   * Delivers the trail's events to the log group through a role of this construct with a customer-managed policy
   * (aws-cdk-lib's `sendToCloudWatchLogs` writes an inline one, NIST IAMNoInlinePolicy), trusted only by this
   * trail of this account (no confused deputy).
   */
  private sendToLogGroup(trailName: string): void {
    const stack = Stack.of(this);
    const role = new iam.Role(this, 'LogsRole', {
      description: `Lets CloudTrail write the events of ${trailName} to ${this.logGroup.logGroupName}`,
      assumedBy: new iam.ServicePrincipal('cloudtrail.amazonaws.com', {
        conditions: {
          StringEquals: {
            'aws:SourceAccount': stack.account,
            'aws:SourceArn': stack.formatArn({ service: 'cloudtrail', resource: 'trail', resourceName: trailName }),
          },
        },
      }),
    });
    const policy = new iam.ManagedPolicy(this, 'LogsPolicy', {
      description: 'Writes the audit trail events to their one log group',
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [this.logGroup.logGroupArn],
        }),
      ],
    });
    const cfn = this.trail.node.defaultChild as cloudtrail.CfnTrail;
    cfn.cloudWatchLogsLogGroupArn = this.logGroup.logGroupArn;
    cfn.cloudWatchLogsRoleArn = role.roleArn;
    // CloudTrail checks the role when the trail is created or updated: the policy must be attached by then.
    cfn.node.addDependency(policy);
  }
}

/**
 * The audit controls on the audit log group: for each, a metric filter (`Control-<control>`, a child of the
 * group) adding 1 to `audit-<control>` in the namespace `Platform/<env>` per matching event, and the alarm
 * `audit/<control>` through the registry, firing on one event in 5 minutes.
 * @returns the metric filters, by control
 */
function addAuditControls(
  scope: Construct,
  logGroup: logs.LogGroup,
  environment: string,
  monitoring: IMonitoring,
): Map<string, logs.MetricFilter> {
  const filters = new Map<string, logs.MetricFilter>();
  for (const { control, threshold, severity, description, firstResponse } of AUDIT_CONTROLS) {
    const pattern = AUDIT_FILTER_PATTERNS[control];
    if (pattern === undefined) continue; // a control only the Azure side has
    const filter = logGroup.addMetricFilter(`Control-${control}`, {
      filterPattern: logs.FilterPattern.literal(pattern),
      metricNamespace: logMetricNamespace(environment),
      metricName: `audit-${control}`,
      metricValue: '1',
    });
    filters.set(control, filter);
    monitoring.addAlarm(scope, auditAlarmId(control), {
      threshold,
      severity,
      description,
      firstResponse,
      metric: filter.metric({
        statistic: cloudwatch.Stats.SUM,
        period: Duration.minutes(AUDIT_CONTROL_PERIOD_MINUTES),
      }),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
  return filters;
}
