import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, NIST80053R5Checks, type NagPack } from 'cdk-nag';
import {
  AUDIT_FILTER_PATTERNS,
  AUDIT_QUERIES,
  auditLogRetention,
  AuditTrail,
  Monitoring,
  PlatformChecks,
  RetainStatefulResources,
} from '../../lib/aws';
import {
  AUDIT_CONTROLS,
  AZURE_AUDIT_CONTROLS,
  defineEnvironment,
  type Environment,
  type EnvironmentInput,
  type Tier,
} from '../../lib/core';
import { devInput, errorOf, prodInput } from '../util/fixtures';

type Properties = Record<string, unknown>;

interface Built {
  readonly stack: Stack;
  readonly template: Template;
  readonly audit: AuditTrail;
  readonly monitoring: Monitoring;
  readonly env: Environment;
}

function build(input: EnvironmentInput): Built {
  const env = defineEnvironment(input);
  const stack = new Stack(new App(), 'Foundation', {
    env: { account: env.aws.account, region: env.aws.region },
    terminationProtection: env.tier === 'production',
  });
  RetainStatefulResources.applyTo(stack, { retainData: env.protection.retainData });
  const monitoring = new Monitoring(stack, 'Monitoring', { spec: env.monitoring, name: env.name });
  const audit = new AuditTrail(stack, 'AuditTrail', { spec: env.audit, environment: env.name, monitoring });
  return { stack, template: Template.fromStack(stack), audit, monitoring, env };
}

const dev = (): Built => build(devInput());
const prod = (): Built => build(prodInput());

/** The one resource of a type whose logical ID is that of `ref`, with its properties. */
function resourceOf(built: Built, type: string, ref: string): Properties {
  const id = (built.stack.resolve(ref) as { Ref: string }).Ref;
  const resource = built.template.findResources(type)[id];
  if (!resource) throw new Error(`no ${type} ${id}`);
  return resource as Properties;
}

describe('AuditTrail', () => {
  test('records every management event of every region, validated and encrypted with its own key, to the bucket and log group', () => {
    const built = prod();
    const { stack, template, audit } = built;
    template.resourceCountIs('AWS::CloudTrail::Trail', 1);
    template.hasResourceProperties('AWS::CloudTrail::Trail', {
      TrailName: 'platform-prod-audit',
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      EnableLogFileValidation: true,
      IsLogging: true,
      KMSKeyId: stack.resolve(audit.key.keyArn),
      S3BucketName: stack.resolve(audit.bucket.bucketName),
      CloudWatchLogsLogGroupArn: stack.resolve(audit.logGroup.logGroupArn),
      CloudWatchLogsRoleArn: Match.anyValue(),
      EventSelectors: [{ IncludeManagementEvents: true, ReadWriteType: 'All' }],
    });
  });

  test('lets CloudTrail encrypt with the key only for this trail, and rotates the key', () => {
    const built = prod();
    const key = resourceOf(built, 'AWS::KMS::Key', built.audit.key.keyId) as {
      Properties: { EnableKeyRotation: boolean; KeyPolicy: { Statement: Properties[] } };
    };
    expect(key.Properties.EnableKeyRotation).toBe(true);
    const statement = key.Properties.KeyPolicy.Statement.find((s) => s.Sid === 'AllowCloudTrailToEncryptLogs');
    expect(statement).toEqual(
      expect.objectContaining({
        Action: 'kms:GenerateDataKey*',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Condition: expect.objectContaining({
          StringEquals: {
            'aws:SourceArn': {
              'Fn::Join': [
                '',
                ['arn:', { Ref: 'AWS::Partition' }, ':cloudtrail:eu-west-1:333333333333:trail/platform-prod-audit'],
              ],
            },
          },
        }) as unknown,
      }),
    );
  });

  test('delivers to a private, SSL-only, versioned bucket encrypted with the key and logging its accesses', () => {
    const built = prod();
    const { stack, template, audit } = built;
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: Match.absent(),
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: stack.resolve(audit.key.keyArn),
            },
          },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: {
        DestinationBucketName: stack.resolve(audit.accessLogBucket.bucketName),
        LogFilePrefix: 'trail/',
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: stack.resolve(audit.bucket.bucketName),
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            Principal: { AWS: '*' },
          }),
          Match.objectLike({ Action: 's3:PutObject', Principal: { Service: 'cloudtrail.amazonaws.com' } }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: stack.resolve(audit.accessLogBucket.bucketName),
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  test.each([
    ['development', 90, dev],
    ['production', 365, prod],
  ] as const)('in %s, expires audit records and access logs after %d days', (_tier, days, make) => {
    const built = make();
    for (const [bucket, rule] of [
      [built.audit.bucket, 'ExpireAuditRecords'],
      [built.audit.accessLogBucket, 'ExpireAccessLogs'],
    ] as const) {
      const props = resourceOf(built, 'AWS::S3::Bucket', bucket.bucketName).Properties as Properties;
      expect(props.LifecycleConfiguration).toEqual({
        Rules: [
          {
            Id: rule,
            Status: 'Enabled',
            ExpirationInDays: days,
            NoncurrentVersionExpiration: { NoncurrentDays: days },
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
          },
        ],
      });
    }
  });

  test('locks audit records in compliance mode for the retention in production', () => {
    const built = prod();
    const props = resourceOf(built, 'AWS::S3::Bucket', built.audit.bucket.bucketName).Properties as Properties;
    expect(props.ObjectLockEnabled).toBe(true);
    expect(props.ObjectLockConfiguration).toEqual({
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 365 } },
    });
  });

  test('does not lock audit records in development', () => {
    const built = dev();
    const props = resourceOf(built, 'AWS::S3::Bucket', built.audit.bucket.bucketName).Properties as Properties;
    expect(props.ObjectLockEnabled).toBeUndefined();
    expect(props.ObjectLockConfiguration).toBeUndefined();
  });

  test.each([
    ['development', 'Delete', dev],
    ['production', 'Retain', prod],
  ] as const)('in %s, the key, buckets and log group have DeletionPolicy %s', (_tier, policy, make) => {
    const built = make();
    const { audit } = built;
    const resources = [
      resourceOf(built, 'AWS::KMS::Key', audit.key.keyId),
      resourceOf(built, 'AWS::S3::Bucket', audit.bucket.bucketName),
      resourceOf(built, 'AWS::S3::Bucket', audit.accessLogBucket.bucketName),
      resourceOf(built, 'AWS::Logs::LogGroup', audit.logGroup.logGroupName),
    ];
    expect(resources.map((r) => [r.DeletionPolicy, r.UpdateReplacePolicy])).toEqual(
      resources.map(() => [policy, policy]),
    );
  });

  test.each([
    ['development', 90, dev],
    ['production', 365, prod],
  ] as const)(
    'in %s, the log group /platform/<env>/audit keeps events %d days, encrypted with the monitoring key',
    (_tier, days, make) => {
      const { stack, template, monitoring, env } = make();
      template.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: `/platform/${env.name}/audit`,
        RetentionInDays: days,
        KmsKeyId: stack.resolve(monitoring.encryptionKey.keyArn),
      });
    },
  );

  test('maps each audit retention to the shortest CloudWatch Logs retention that keeps it', () => {
    expect([90, 180, 365, 730, 1095, 2555].map((d) => auditLogRetention(d))).toEqual([90, 180, 365, 731, 1096, 2557]);
    expect(errorOf(() => auditLogRetention(4000)).message).toMatch(/audit\.retentionDays: 4000 .*at most 3653/);
  });

  test('has one metric filter and one alarm per CIS control, with its exact pattern, routed by severity', () => {
    const { stack, template, monitoring, env, audit } = prod();
    expect(AUDIT_CONTROLS.map((c) => c.control).sort()).toEqual(Object.keys(AUDIT_FILTER_PATTERNS).sort());
    // The audit controls, children of the audit log group (the application log group has the log patterns').
    const filters = Object.values(template.findResources('AWS::Logs::MetricFilter')).filter(
      (f) => JSON.stringify(f.Properties.LogGroupName) === JSON.stringify(stack.resolve(audit.logGroup.logGroupName)),
    );
    expect(filters).toHaveLength(AUDIT_CONTROLS.length);
    const topics = {
      critical: stack.resolve(monitoring.topics.critical.topicArn) as unknown,
      warning: stack.resolve(monitoring.topics.warning.topicArn) as unknown,
    };
    for (const control of AUDIT_CONTROLS) {
      template.hasResourceProperties('AWS::Logs::MetricFilter', {
        FilterPattern: AUDIT_FILTER_PATTERNS[control.control],
        MetricTransformations: [
          { MetricNamespace: `Platform/${env.name}`, MetricName: `audit-${control.control}`, MetricValue: '1' },
        ],
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `platform-prod-audit.${control.control}`,
        Namespace: `Platform/${env.name}`,
        MetricName: `audit-${control.control}`,
        Statistic: 'Sum',
        Period: 300,
        Threshold: 1,
        EvaluationPeriods: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [topics[control.severity]],
      });
    }
  });

  test('root use, CloudTrail changes and disabled or deleted keys are critical; the other controls warnings', () => {
    const critical = AUDIT_CONTROLS.filter((c) => c.severity === 'critical').map((c) => c.control);
    expect(critical.sort()).toEqual(['cloudtrail-changes', 'kms-key-disable-or-delete', 'root-account-use']);
    expect(AUDIT_CONTROLS).toHaveLength(15);
  });

  test('uses the CIS patterns for root use and unauthorized calls', () => {
    expect(AUDIT_FILTER_PATTERNS['root-account-use']).toBe(
      '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
    );
    expect(AUDIT_FILTER_PATTERNS['unauthorized-api-calls']).toBe(
      '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }',
    );
  });

  test('a spec override switches one audit alarm off and keeps its metric filter', () => {
    const input = devInput();
    const { template } = build({
      ...input,
      monitoring: {
        ...input.monitoring,
        alarms: { 'audit/unauthorized-api-calls': { enabled: false, reason: 'noisy read-only console probes' } },
      },
    });
    template.resourcePropertiesCountIs(
      'AWS::CloudWatch::Alarm',
      { AlarmName: 'platform-dev-audit.unauthorized-api-calls' },
      0,
    );
    template.resourcePropertiesCountIs(
      'AWS::Logs::MetricFilter',
      { FilterPattern: AUDIT_FILTER_PATTERNS['unauthorized-api-calls'] },
      1,
    );
  });

  test('accepts a spec override of an Azure-only audit id, and still refuses an audit id neither cloud has', () => {
    const input = devInput();
    const withOverride = (id: string): Built =>
      build({ ...input, monitoring: { ...input.monitoring, alarms: { [id]: { threshold: 3 } } } });
    const azureOnly = AZURE_AUDIT_CONTROLS[0]!.control;
    expect(AUDIT_FILTER_PATTERNS[azureOnly]).toBeUndefined();
    withOverride(`audit/${azureOnly}`).template.resourcePropertiesCountIs(
      'AWS::CloudWatch::Alarm',
      { AlarmName: `platform-dev-audit.${azureOnly}` },
      0,
    );
    expect(() => Template.fromStack(withOverride('audit/no-such-control').stack)).toThrow(/audit\/no-such-control/);
  });

  test('saves the by-user, by-resource, by-action and failed-calls queries over the audit log group', () => {
    const { stack, template, audit } = dev();
    expect(Object.keys(AUDIT_QUERIES).sort()).toEqual([
      'audit/by-action',
      'audit/by-resource',
      'audit/by-user',
      'audit/failed-calls',
    ]);
    for (const [name, query] of Object.entries(AUDIT_QUERIES)) {
      for (const field of [
        'eventTime',
        'userIdentity.arn',
        'eventSource',
        'eventName',
        'sourceIPAddress',
        'errorCode',
      ]) {
        expect(query).toContain(field);
      }
      expect(query).toContain('| sort eventTime desc');
      template.hasResourceProperties('AWS::Logs::QueryDefinition', {
        Name: `platform/dev/${name}`,
        QueryString: query,
        LogGroupNames: [stack.resolve(audit.logGroup.logGroupName)],
      });
    }
    expect(AUDIT_QUERIES['audit/failed-calls']).toContain('filter ispresent(errorCode)');
    expect(AUDIT_QUERIES['audit/by-action']).toContain(
      'filter not (eventName like /^(Get|List|Describe|Head|Lookup)/)',
    );
  });

  test('docs/monitoring.md gives the one command that runs each saved query', () => {
    const docs = readFileSync(join(__dirname, '..', '..', 'docs', 'monitoring.md'), 'utf8');
    for (const query of Object.values(AUDIT_QUERIES)) {
      expect(docs).toContain(
        `aws logs start-query --log-group-name /platform/<env>/audit --start-time $(date -d '-1 day' +%s) --end-time $(date +%s) --query-string '${query.replaceAll('\n', ' ')}'`,
      );
    }
  });

  test('refuses props that are not an audit section, naming each', () => {
    const stack = new Stack(new App(), 'Foundation');
    const env = defineEnvironment(devInput());
    const monitoring = new Monitoring(stack, 'Monitoring', { spec: env.monitoring, name: env.name });
    const message = errorOf(
      () =>
        new AuditTrail(stack, 'AuditTrail', {
          spec: { ...env.audit, retentionDays: '90' as unknown as 90 },
          environment: 7 as unknown as string,
          monitoring,
        }),
    ).message;
    expect(message).toMatch(/retentionDays/);
    expect(message).toMatch(/environment/);
  });
});

describe('AuditTrail on the dashboard (AWS)', () => {
  test("every audit alarm is in the environment dashboard's alarm status grid", () => {
    const built = prod();
    const [dashboard] = Object.values(built.template.findResources('AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(built.stack.resolve(dashboard!.Properties.DashboardBody));
    const alarms = built.template.findResources('AWS::CloudWatch::Alarm');
    const audit = Object.entries(alarms).filter(([, a]) =>
      String((a.Properties as { AlarmName: string }).AlarmName).startsWith('platform-prod-audit'),
    );
    expect(audit).toHaveLength(15);
    // The grid names each alarm by its ARN, a GetAtt of the alarm's logical ID.
    const missing = audit.map(([id]) => id).filter((id) => !body.includes(`"${id}"`) && !body.includes(`\\"${id}\\"`));
    expect(missing).toEqual([]);
  });
});

describe('AuditTrail guardrails (AWS)', () => {
  function findings(stack: Stack, tier: Tier): string[] {
    const packs: NagPack[] = [
      new AwsSolutionsChecks(),
      new PlatformChecks(undefined, { tier }),
      ...(tier === 'production' ? [new NIST80053R5Checks()] : []),
    ];
    return packs.flatMap((pack) =>
      pack
        .validateScope(stack)
        .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`)),
    );
  }

  test('a production audit trail has no unacknowledged AwsSolutions, NIST 800-53 R5 or Platform finding', () => {
    expect(findings(prod().stack, 'production')).toEqual([]);
  });

  test('a development audit trail has no unacknowledged AwsSolutions or Platform finding', () => {
    expect(findings(dev().stack, 'development')).toEqual([]);
  });
});

describe('AuditTrail delivery role', () => {
  test('CloudTrail writes to the audit log group only, through a managed policy, trusted for this trail only', () => {
    const { template, stack, audit } = prod();
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: stack.resolve(audit.logGroup.logGroupArn),
          },
        ],
      },
    });
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'cloudtrail.amazonaws.com' },
            Condition: { StringEquals: Match.objectLike({ 'aws:SourceAccount': '333333333333' }) },
          }),
        ],
      },
    });
  });
});
