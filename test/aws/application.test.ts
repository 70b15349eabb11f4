import { App, CfnResource, Stage, TagManager, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, NIST80053R5Checks, type NagPack } from 'cdk-nag';
import {
  Application,
  PlatformChecks,
  PlatformEnvironment,
  PlatformStack,
  PolicyChecks,
  POLICY_METADATA_KEY,
  UNTAGGED_TYPES,
  type IPlatformEnvironment,
} from '../../lib/aws';
import {
  AWS_STATEFUL_TYPES,
  defineApplication,
  defineEnvironment,
  SpecError,
  type ApplicationSpec,
  type Environment,
  type ApplicationInput,
  type EnvironmentInput,
  type Tier,
} from '../../lib/core';
import { FoundationStack, WorkloadStack } from '../../stacks/aws';
import { devInput, errorOf, prodInput } from '../util/fixtures';
import { temporaryFolders } from '../util/temp';

type Resource = { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string };

const outdir = temporaryFolders('platform-application-');

const PROD_CERTIFICATE = 'arn:aws:acm:eu-west-1:333333333333:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789';
/** The team's service and job, as the team writes them (its workloads are named `payments-<name>`). */
const SERVICE = {
  name: 'api',
  image: 'public.ecr.aws/nginx/nginx:1.27',
  cpu: 0.5,
  memoryGiB: 1,
  port: 8080,
  public: true,
  awsCertificateArn: PROD_CERTIFICATE,
  autoscaling: { cpuPercent: 60, concurrentRequests: 50 },
};
const JOB = {
  name: 'settle',
  image: 'public.ecr.aws/nginx/nginx:1.27',
  cpu: 0.25,
  memoryGiB: 0.5,
  schedule: { cron: '0 2 * * *' },
};

/** The payments application in an environment (`prod` by default). */
function payments(overrides: Partial<ApplicationInput> = {}, env: Environment = prodPlatform()): ApplicationSpec {
  return defineApplication({
    name: 'payments',
    environment: { name: env.name, tier: env.tier, aws: { account: env.aws.account, region: env.aws.region } },
    tags: { team: 'payments' },
    services: [SERVICE],
    jobs: [JOB],
    ...overrides,
  });
}

/** The platform environment running the same workloads as its own (named as the application names them). */
function platformWith(input: EnvironmentInput, service: typeof SERVICE = SERVICE): Environment {
  return defineEnvironment({
    ...input,
    services: [{ ...service, name: `payments-${service.name}` }],
    jobs: [{ ...JOB, name: `payments-${JOB.name}` }],
  });
}

function prodPlatform(): Environment {
  return platformWith(prodInput());
}

interface TeamApp {
  readonly app: App;
  readonly stage: Stage;
  readonly stack: PlatformStack;
  readonly platform: IPlatformEnvironment;
  readonly application: Application;
}

/** A team's app: one stage, one stack in the environment, the platform joined, the application in it. */
function teamApp(spec: ApplicationSpec): TeamApp {
  const app = new App({ outdir: outdir() });
  const stage = new Stage(app, 'payments-prod');
  const stack = new PlatformStack(stage, 'payments', {
    env: { account: spec.environment.aws!.account, region: spec.environment.aws!.region },
    availabilityZones: spec.environment.aws!.availabilityZones,
    tier: spec.environment.tier,
  });
  const platform = PlatformEnvironment.join(stack, 'Platform', { spec: spec.environment });
  const application = new Application(stack, 'Payments', { spec, platform });
  return { app, stage, stack, platform, application };
}

/** The platform's own workload stack for the same environment. */
function platformWorkloads(env: Environment): WorkloadStack {
  const stage = new Stage(new App({ outdir: outdir() }), `platform-${env.name}`);
  const foundation = new FoundationStack(stage, 'foundation', env);
  return new WorkloadStack(stage, 'workloads', env, foundation, { services: env.services, jobs: env.jobs });
}

/** Replaces every reference (Ref, Fn::*) by a marker: the two stacks reach the shared parts differently. */
function withoutReferences(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutReferences);
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::'))) return '<reference>';
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, withoutReferences(v)]),
    );
  }
  return value;
}

/** The resources of a stack by type: each one's properties without references and tags, sorted. */
function resourcesByType(stack: Stack): Record<string, string[]> {
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, Resource>;
  const byType: Record<string, string[]> = {};
  for (const resource of Object.values(resources)) {
    // Scaling policy names are made from the construct path, which differs between the two apps.
    const properties = { ...resource.Properties };
    delete properties.Tags;
    delete properties.PolicyName;
    (byType[resource.Type] ??= []).push(JSON.stringify(withoutReferences(properties)));
  }
  for (const list of Object.values(byType)) list.sort();
  return byType;
}

function packsFor(tier: Tier): NagPack[] {
  return [
    new AwsSolutionsChecks(),
    new PlatformChecks(undefined, { tier }),
    ...(tier === 'production' ? [new NIST80053R5Checks()] : []),
  ];
}

describe('Application (AWS)', () => {
  const prod = prodPlatform();
  const team = teamApp(payments());
  const template = Template.fromStack(team.stack);
  const resources = template.toJSON().Resources as Record<string, Resource>;

  test("builds the same service and job resources as the platform's workload stack, with the same properties", () => {
    // defineApplication resolves the team's workloads to the specs the platform gives its own of those names.
    expect(team.application.services.size).toBe(1);
    expect(payments().services).toEqual(prod.services);
    expect(payments().jobs).toEqual(prod.jobs);
    const ours = resourcesByType(team.stack);
    const platforms = resourcesByType(platformWorkloads(prod));
    // The application's own dashboard is the one addition: the platform's lives in its foundation.
    const { 'AWS::CloudWatch::Dashboard': dashboards, ...rest } = ours;
    expect(dashboards).toHaveLength(1);
    expect(Object.keys(rest).sort()).toEqual(Object.keys(platforms).sort());
    for (const type of Object.keys(platforms)) expect([type, rest[type]]).toEqual([type, platforms[type]]);
    // The comparison covers the resources that matter, by key property.
    expect(rest['AWS::ECS::Service']?.join()).toContain('"MinimumHealthyPercent":100');
    expect(rest['AWS::ElasticLoadBalancingV2::LoadBalancer']?.join()).toContain(
      '{"Key":"deletion_protection.enabled","Value":"true"}',
    );
    expect(rest['AWS::Logs::LogGroup']?.join()).toContain('"RetentionInDays":365');
  });

  test('services and jobs sit under Services/<name> and Jobs/<name>, exposed by name', () => {
    expect([...team.application.services.keys()]).toEqual(['payments-api']);
    expect([...team.application.jobs.keys()]).toEqual(['payments-settle']);
    expect(team.application.services.get('payments-api')?.node.path).toBe(
      'payments-prod/payments/Payments/Services/payments-api',
    );
    expect(team.application.jobs.get('payments-settle')?.node.path).toBe(
      'payments-prod/payments/Payments/Jobs/payments-settle',
    );
  });

  test('runs in the joined network and cluster, logging to the platform bucket with the platform key', () => {
    const service = team.application.services.get('payments-api')!;
    const stack = team.stack;
    const platform = team.platform;
    const ecsService = resources[stack.getLogicalId(service.service.node.defaultChild as CfnResource)]!;
    expect(ecsService.Properties?.Cluster).toEqual(stack.resolve(platform.cluster.clusterName));
    expect(
      (ecsService.Properties?.NetworkConfiguration as { AwsvpcConfiguration: { Subnets: unknown } }).AwsvpcConfiguration
        .Subnets,
    ).toEqual(platform.network.privateSubnets.map((s) => stack.resolve(s.subnetId)));
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Subnets: platform.network.publicSubnets.map((s) => stack.resolve(s.subnetId)),
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'access_logs.s3.bucket', Value: stack.resolve(platform.accessLogBucket.bucketName) },
      ]),
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/platform/prod/services/payments-api',
      KmsKeyId: stack.resolve(platform.encryptionKey.keyArn),
    });
  });

  test("alarms are named like the platform's and notify the joined topic of their severity", () => {
    const alarms = Object.values(resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThan(5);
    const topics = [team.platform.alertTopics.critical, team.platform.alertTopics.warning].map((t) =>
      team.stack.resolve(t.topicArn),
    );
    for (const alarm of alarms) {
      const props = alarm.Properties!;
      expect(props.AlarmName).toMatch(/^platform-prod-(service|job|check)\.payments-/);
      const severity = (props.AlarmDescription as string).startsWith('[critical]') ? 0 : 1;
      expect([props.AlarmName, props.AlarmActions]).toEqual([props.AlarmName, [topics[severity]]]);
    }
  });

  test('the application dashboard, platform-<env>-<application>, has a row per workload', () => {
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'platform-prod-payments' });
    const dashboard = Object.values(resources).find((r) => r.Type === 'AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboard?.Properties?.DashboardBody);
    expect(body).toContain('## Services: payments-api');
    expect(body).toContain('## Jobs: payments-settle');
  });

  test('the stack passes the production guardrails with zero unacknowledged findings', () => {
    const findings = packsFor('production').flatMap((pack) =>
      pack
        .validateScope(team.stage)
        .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`)),
    );
    expect(findings).toEqual([]);
  });

  test('synthesis with PolicyChecks registered succeeds', () => {
    const checked = teamApp(payments());
    PolicyChecks.applyTo(checked.stage, { tier: 'production' });
    const assembly = checked.app.synth().getNestedAssembly(checked.stage.artifactId);
    const template = assembly.getStackArtifact(checked.stack.artifactId).template as {
      Metadata: Record<string, { Tier: string }>;
    };
    expect(template.Metadata[POLICY_METADATA_KEY]?.Tier).toBe('production');
  });

  test('production retains every stateful resource, and its load balancers refuse deletion', () => {
    const stateful = Object.values(resources).filter((r) => AWS_STATEFUL_TYPES.has(r.Type));
    expect(stateful.length).toBeGreaterThan(2);
    for (const resource of stateful)
      expect([resource.Type, resource.DeletionPolicy]).toEqual([resource.Type, 'Retain']);
  });

  test('development deletes its stateful resources with the stack, and its load balancers may be deleted', () => {
    const service = { ...SERVICE, awsCertificateArn: PROD_CERTIFICATE.replace('333333333333', '111111111111') };
    const dev = platformWith(devInput(), service);
    const devTeam = teamApp(payments({ services: [service] }, dev));
    expect(devTeam.application.services.get('payments-api')?.loadBalancer.node.path).toContain('Services/payments-api');
    const devResources = Template.fromStack(devTeam.stack).toJSON().Resources as Record<string, Resource>;
    const stateful = Object.values(devResources).filter((r) => AWS_STATEFUL_TYPES.has(r.Type));
    expect(stateful.length).toBeGreaterThan(2);
    for (const resource of stateful)
      expect([resource.Type, resource.DeletionPolicy]).toEqual([resource.Type, 'Delete']);
    Template.fromStack(devTeam.stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'deletion_protection.enabled', Value: 'false' }]),
    });
  });

  test("every taggable resource carries the spec's tags", () => {
    const taggable = team.stack.node
      .findAll()
      .filter(CfnResource.isCfnResource)
      .filter((r) => TagManager.isTaggable(r) && !UNTAGGED_TYPES.includes(r.cfnResourceType));
    expect(taggable.length).toBeGreaterThan(10);
    for (const resource of taggable) {
      const tags = JSON.stringify(resources[team.stack.getLogicalId(resource)]?.Properties?.Tags);
      expect([resource.node.path, tags]).toEqual([resource.node.path, expect.stringContaining('"team"')]);
    }
  });

  test("the application's alarm tuning applies to its alarms", () => {
    const tuned = teamApp(
      payments({
        monitoring: {
          alarms: {
            'service/payments-api/cpu': { threshold: 95 },
            'job/payments-settle/failed': { enabled: false, reason: 'The settlement job reports its own failures' },
          },
        },
      }),
    );
    const tunedTemplate = Template.fromStack(tuned.stack);
    tunedTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'platform-prod-service.payments-api.cpu',
      Threshold: 95,
    });
    const names = Object.values(tunedTemplate.findResources('AWS::CloudWatch::Alarm')).map(
      (r) => (r as Resource).Properties?.AlarmName,
    );
    expect(names).not.toContain('platform-prod-job.payments-settle.failed');
    expect(names).toContain('platform-prod-service.payments-api.memory');
  });

  test('an alarm override naming none of the application alarms fails synthesis', () => {
    const spec = payments();
    // Built past defineApplication, which may refuse it itself: the construct must still catch it.
    const wrong = teamApp({
      ...spec,
      monitoring: { ...spec.monitoring, alarms: { 'service/other/cpu': { threshold: 95 } } },
    });
    expect(errorOf(() => wrong.app.synth()).message).toContain('service/other/cpu');
  });

  test('a platform joined for another environment is refused', () => {
    const stack = new PlatformStack(new App({ outdir: outdir() }), 'payments', {
      env: { account: prod.aws.account, region: prod.aws.region },
      availabilityZones: prod.aws.availabilityZones,
    });
    const platform = PlatformEnvironment.join(stack, 'Platform', {
      spec: { name: 'staging', tier: 'production', aws: prod.aws },
    });
    const error = errorOf(() => new Application(stack, 'Payments', { spec: payments(), platform }));
    expect(error).toBeInstanceOf(SpecError);
    expect(error.message).toMatch(/platform: "staging" - the environment the spec joins \(prod\)/);
  });

  test('a platform joined in another stack is refused', () => {
    const app = new App({ outdir: outdir() });
    const stackProps = {
      env: { account: prod.aws.account, region: prod.aws.region },
      availabilityZones: prod.aws.availabilityZones,
    };
    const joinedIn = new PlatformStack(app, 'shared', stackProps);
    const platform = PlatformEnvironment.join(joinedIn, 'Platform', { spec: payments().environment });
    const other = new PlatformStack(app, 'payments', stackProps);
    expect(errorOf(() => new Application(other, 'Payments', { spec: payments(), platform })).message).toMatch(
      /platform: "shared\/Platform" - a platform environment joined in this application's stack/,
    );
  });

  test('props passed by hand without a spec are reported, not a TypeError', () => {
    const stack = new PlatformStack(new App({ outdir: outdir() }), 'payments', {
      env: { account: prod.aws.account, region: prod.aws.region },
      availabilityZones: prod.aws.availabilityZones,
    });
    const message = errorOf(
      () =>
        new Application(stack, 'Payments', {} as unknown as { spec: ApplicationSpec; platform: IPlatformEnvironment }),
    ).message;
    expect(message).toContain('Invalid Application props (payments/Payments)');
    expect(message).toMatch(/props\.spec: \(missing\) - required/);
    expect(message).toMatch(/props\.platform: \(missing\) - required/);
  });
});

describe('Application API checks (AWS)', () => {
  const internalApi = { ...SERVICE, name: 'ledger', public: false, port: 9000 };
  /** An inline script as text, each reference (the load balancer's DNS name) as `<LogicalId.Attribute>`. */
  function scriptText(script: unknown): string {
    if (typeof script === 'string') return script;
    const join = (script as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
    return join[1]
      .map((part) => {
        if (typeof part === 'string') return part;
        const [id, attribute] = (part as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'];
        return `<${id}.${attribute}>`;
      })
      .join(join[0]);
  }
  function withChecks(): TeamApp {
    return teamApp(
      payments({
        services: [SERVICE, { ...internalApi, healthCheckPath: '/healthz' }],
        checks: {
          endpoints: [
            { name: 'partner', url: 'https://partner.example.com/health', headers: { Accept: 'application/json' } },
          ],
        },
      }),
    );
  }

  test("every check of the spec is a canary: the services' on their load balancers, the URL's as given", () => {
    const team = withChecks();
    const { application, stack } = team;
    expect([...application.checks.keys()]).toEqual(['payments-api', 'payments-ledger', 'payments-partner']);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Synthetics::Canary', 3);
    const canaries = Object.values(template.findResources('AWS::Synthetics::Canary')).map(
      (c) => c.Properties as { Name: string; Code: { Script: unknown }; VPCConfig?: unknown },
    );
    const byName = Object.fromEntries(canaries.map((c) => [c.Name, c]));
    const api = scriptText(byName['platform-prod-payments-api']!.Code.Script);
    // The service's URL is its load balancer's DNS name plus the health path, over https; the DNS name is not on
    // the service's certificate, so the host name is not verified (the chain and the expiry are).
    const lb = stack.resolve(application.services.get('payments-api')!.loadBalancer.loadBalancerDnsName) as {
      'Fn::GetAtt': [string, string];
    };
    expect(api).toContain(`"url": "https://<${lb['Fn::GetAtt'][0]}.DNSName>/"`);
    expect(api).toContain('"verifyTlsHostname": false');
    expect(byName['platform-prod-payments-api']!.VPCConfig).toBeUndefined();
    const ledger = scriptText(byName['platform-prod-payments-ledger']!.Code.Script);
    expect(ledger).toMatch(/"url": "https:\/\/<PaymentsServicespaymentsledgerLoadBalancer\w+\.DNSName>\/healthz"/);
    expect(byName['platform-prod-payments-ledger']!.VPCConfig).toMatchObject({ SecurityGroupIds: [expect.anything()] });
    const partner = scriptText(byName['platform-prod-payments-partner']!.Code.Script);
    expect(partner).toContain('"url": "https://partner.example.com/health"');
    expect(partner).toContain('"verifyTlsHostname": true');
  });

  test("an internal service's load balancer admits its check's security group on the listener port", () => {
    const { application, stack } = withChecks();
    const check = application.checks.get('payments-ledger')!;
    const service = application.services.get('payments-ledger')!;
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: stack.resolve(service.loadBalancerSecurityGroup.securityGroupId),
      SourceSecurityGroupId: stack.resolve(check.securityGroup!.securityGroupId),
      FromPort: 443,
      ToPort: 443,
      IpProtocol: 'tcp',
    });
  });

  test("the checks share the application's own artifacts bucket, retained and kept 90 days in production", () => {
    const { application, stack } = withChecks();
    const buckets = [...application.checks.values()].map((c) => c.artifactsBucket);
    expect(new Set(buckets).size).toBe(1);
    expect(buckets[0]!.node.path).toBe('payments-prod/payments/Payments/CheckArtifacts');
    const template = Template.fromStack(stack);
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 90 })] },
      }),
    });
    expect(
      Object.values(template.findResources('AWS::CloudWatch::Alarm'))
        .map((a) => (a.Properties as { AlarmName: string }).AlarmName)
        .filter((n) => n.startsWith('platform-prod-check.'))
        .sort(),
    ).toEqual([
      'platform-prod-check.payments-api.latency',
      'platform-prod-check.payments-api.success',
      'platform-prod-check.payments-api.tls',
      'platform-prod-check.payments-ledger.latency',
      'platform-prod-check.payments-ledger.success',
      'platform-prod-check.payments-ledger.tls',
      'platform-prod-check.payments-partner.latency',
      'platform-prod-check.payments-partner.success',
      'platform-prod-check.payments-partner.tls',
    ]);
  });

  test('with checks the application has no unacknowledged AwsSolutions, NIST 800-53 R5 or Platform finding', () => {
    const { stack } = withChecks();
    const findings = packsFor('production').flatMap((pack) =>
      pack
        .validateScope(stack)
        .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`)),
    );
    expect(findings).toEqual([]);
  });
});
