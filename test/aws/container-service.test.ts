import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack, type CfnResource } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { AwsSolutionsChecks, NIST80053R5Checks, type NagPack } from 'cdk-nag';
import {
  acknowledge,
  acknowledgementsOn,
  ContainerCluster,
  ContainerService,
  loadBalancerName,
  Monitoring,
  Network,
  PlatformChecks,
  PlatformStack,
  renderExecutionStatements,
  renderServiceWidgets,
  renderTaskSize,
  RetainStatefulResources,
  AWS_SERVICE_ALARM_BASICS,
  type ContainerServiceProps,
} from '../../lib/aws';
import { serviceAlarmId, serviceAlarmKindsOn } from '../../lib/core';
import {
  defineEnvironment,
  type Environment,
  type EnvironmentInput,
  type ServiceSpec,
  type SpecError,
  type SpecIssue,
  type Tier,
} from '../../lib/core';
import { exampleKeyVaultId } from '../../stacks/environments/workloads';
import { devInput, errorOf, prodInput } from '../util/fixtures';

type ServiceInput = NonNullable<EnvironmentInput['services']>[number];
type Properties = Record<string, unknown>;

const CERTIFICATE = 'arn:aws:acm:eu-west-1:111111111111:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789';
/** An ACM certificate must be in the account (and region) of its load balancer: production's own. */
const PROD_CERTIFICATE = CERTIFICATE.replace('111111111111', '333333333333');
const WEB: ServiceInput = {
  name: 'web',
  image: 'public.ecr.aws/nginx/nginx:1.27',
  cpu: 0.25,
  memoryGiB: 0.5,
  port: 80,
  public: true,
  awsCertificateArn: CERTIFICATE,
  autoscaling: { cpuPercent: 60, concurrentRequests: 50 },
};
/** The web service as production runs it, with production's certificate. */
const PROD_WEB: ServiceInput = { ...WEB, awsCertificateArn: PROD_CERTIFICATE };
const API: ServiceInput = {
  name: 'api',
  image: 'public.ecr.aws/docker/library/httpd:2.4',
  cpu: 0.5,
  memoryGiB: 1,
  port: 8080,
  healthCheckPath: '/healthz',
  environment: { LOG_LEVEL: 'info' },
  secrets: { DB_PASSWORD: 'api-db-password' },
};

/** A foundation stack (monitoring, network, container cluster) and a compute stack with the services, as deployed. */
interface Built {
  readonly env: Environment;
  readonly foundation: PlatformStack;
  readonly compute: PlatformStack;
  readonly monitoring: Monitoring;
  readonly network: Network;
  readonly containers: ContainerCluster;
  readonly services: ReadonlyMap<string, ContainerService>;
  readonly template: Template;
}

interface BuildOptions {
  readonly base?: EnvironmentInput;
  readonly monitoring?: EnvironmentInput['monitoring'];
  readonly props?: Partial<ContainerServiceProps>;
}

function envWith(services: ServiceInput[], options: BuildOptions = {}): Environment {
  const base = options.base ?? devInput();
  return defineEnvironment({
    ...base,
    azure: { ...base.azure, keyVaultId: exampleKeyVaultId(base.name) },
    monitoring: { ...base.monitoring, ...options.monitoring },
    services,
  });
}

function build(services: ServiceInput[], options: BuildOptions = {}): Built {
  const env = envWith(services, options);
  const app = new App();
  const stackProps = {
    env: { account: env.aws.account, region: env.aws.region },
    availabilityZones: env.aws.availabilityZones,
    tier: env.tier,
  };
  const foundation = new PlatformStack(app, 'Foundation', stackProps);
  const monitoring = new Monitoring(foundation, 'Monitoring', { spec: env.monitoring, name: env.name });
  const network = new Network(foundation, 'Network', {
    spec: env.network,
    name: env.name,
    availabilityZones: env.aws.availabilityZones,
  });
  const containers = new ContainerCluster(foundation, 'Containers', { name: env.name, vpc: network.vpc });
  const compute = new PlatformStack(app, 'Compute', stackProps);
  const built = new Map(
    env.services.map((spec) => [
      spec.name,
      new ContainerService(compute, spec.name, {
        spec,
        environment: env.name,
        cluster: containers.cluster,
        vpc: network.vpc,
        monitoring,
        accessLogBucket: containers.accessLogBucket,
        deletionProtection: env.protection.deletionProtection,
        ...options.props,
      }),
    ]),
  );
  return {
    env,
    foundation,
    compute,
    monitoring,
    network,
    containers,
    services: built,
    template: Template.fromStack(compute),
  };
}

function serviceOf(built: Built, name: string): ContainerService {
  const service = built.services.get(name);
  if (!service) throw new Error(`no service ${name}`);
  return service;
}

/** The synthesized Properties of the resource behind a reference (`{ Ref }` or `{ Fn::GetAtt }`). */
function propertiesOf(built: Built, reference: string): Properties {
  const resolved = built.compute.resolve(reference) as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
  const logicalId = resolved.Ref ?? resolved['Fn::GetAtt']?.[0];
  const resources = built.template.toJSON().Resources as Record<string, { Properties: Properties }>;
  const found = logicalId === undefined ? undefined : resources[logicalId];
  if (!found) throw new Error(`no resource behind ${JSON.stringify(resolved)}`);
  return found.Properties;
}

function containerOf(built: Built, name: string): Properties {
  const definitions = propertiesOf(built, serviceOf(built, name).taskDefinition.taskDefinitionArn)
    .ContainerDefinitions as Properties[];
  expect(definitions).toHaveLength(1);
  return definitions[0]!;
}

function alarmProperties(template: Template, alarmName: string): Properties {
  const found = Object.values(
    template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: alarmName } }),
  );
  expect(found).toHaveLength(1);
  return found[0]!.Properties as Properties;
}

function serviceAlarmNames(template: Template): string[] {
  return Object.values(template.findResources('AWS::CloudWatch::Alarm'))
    .map((a) => String(a.Properties.AlarmName))
    .filter((name) => name.includes('-service.'))
    .sort();
}

function ingressOf(built: Built, group: ec2.SecurityGroup): unknown {
  return propertiesOf(built, group.securityGroupId).SecurityGroupIngress;
}

describe('ContainerService (AWS)', () => {
  let built: Built;
  beforeAll(() => {
    built = build([WEB, API]);
  });

  describe('the Fargate service', () => {
    test('named after the spec, in the cluster, running desiredCount tasks on the latest platform version', () => {
      const web = serviceOf(built, 'web');
      built.template.resourceCountIs('AWS::ECS::Service', 2);
      expect(propertiesOf(built, web.service.serviceArn)).toEqual(
        expect.objectContaining({
          ServiceName: 'web',
          Cluster: built.compute.resolve(built.containers.cluster.clusterName),
          DesiredCount: 1,
          LaunchType: 'FARGATE',
          PlatformVersion: 'LATEST',
          EnableECSManagedTags: true,
          PropagateTags: 'SERVICE',
        }),
      );
    });

    test('tasks run in the private subnets, without a public IP, in the service security group', () => {
      const web = serviceOf(built, 'web');
      expect(propertiesOf(built, web.service.serviceArn).NetworkConfiguration).toEqual({
        AwsvpcConfiguration: {
          AssignPublicIp: 'DISABLED',
          SecurityGroups: [built.compute.resolve(web.securityGroup.securityGroupId)],
          Subnets: built.network.vpc.privateSubnets.map((s) => built.compute.resolve(s.subnetId)),
        },
      });
    });

    test('rolling deployments roll back on failure and keep half the tasks in development', () => {
      const properties = propertiesOf(built, serviceOf(built, 'web').service.serviceArn);
      expect(properties.DeploymentConfiguration).toEqual(
        expect.objectContaining({
          DeploymentCircuitBreaker: { Enable: true, Rollback: true },
          MinimumHealthyPercent: 50,
          MaximumPercent: 200,
        }),
      );
      expect(properties.HealthCheckGracePeriodSeconds).toBe(60);
    });

    test('production keeps every task running during a deployment (minimum healthy 100%)', () => {
      const prod = build([PROD_WEB], { base: prodInput() });
      expect(propertiesOf(prod, serviceOf(prod, 'web').service.serviceArn).DeploymentConfiguration).toEqual(
        expect.objectContaining({ MinimumHealthyPercent: 100, MaximumPercent: 200 }),
      );
    });

    test("the minimum healthy share is the spec's minHealthyPercent, whatever the environment it came from", () => {
      // A development spec changed by hand rather than by defineEnvironment: the construct reads the field, no tier.
      const spec: ServiceSpec = { ...envWith([API]).services[0]!, minHealthyPercent: 100 };
      const { compute, service } = buildOne(spec);
      const { Ref } = compute.resolve(service.service.serviceArn) as { Ref: string };
      const resources = Template.fromStack(compute).toJSON().Resources as Record<string, { Properties: Properties }>;
      expect(resources[Ref]!.Properties.DeploymentConfiguration).toEqual(
        expect.objectContaining({ MinimumHealthyPercent: 100 }),
      );
    });
  });

  describe('the task definition', () => {
    test('CPU units and MiB follow the spec (vCPU x 1024, GiB x 1024), family platform-<env>-<name>', () => {
      expect(propertiesOf(built, serviceOf(built, 'api').taskDefinition.taskDefinitionArn)).toEqual(
        expect.objectContaining({
          Family: 'platform-dev-api',
          Cpu: '512',
          Memory: '1024',
          NetworkMode: 'awsvpc',
          RequiresCompatibilities: ['FARGATE'],
          RuntimePlatform: { CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' },
        }),
      );
      expect(renderTaskSize({ cpu: 0.25, memoryGiB: 0.5 })).toEqual({ cpu: 256, memoryLimitMiB: 512 });
      expect(renderTaskSize({ cpu: 4, memoryGiB: 8 })).toEqual({ cpu: 4096, memoryLimitMiB: 8192 });
    });

    test('one essential container: the image reference, the port, awslogs into the service log group', () => {
      const web = serviceOf(built, 'web');
      expect(containerOf(built, 'web')).toEqual({
        Name: 'web',
        Image: 'public.ecr.aws/nginx/nginx:1.27',
        Essential: true,
        PortMappings: [{ ContainerPort: 80, Protocol: 'tcp' }],
        LogConfiguration: {
          LogDriver: 'awslogs',
          Options: {
            'awslogs-group': built.compute.resolve(web.logGroup.logGroupName),
            'awslogs-stream-prefix': 'web',
            'awslogs-region': 'eu-west-1',
          },
        },
      });
    });

    test('plain settings are environment variables, secrets come from Secrets Manager by name', () => {
      const container = containerOf(built, 'api');
      expect(container.Environment).toEqual([{ Name: 'LOG_LEVEL', Value: 'info' }]);
      expect(container.Secrets).toEqual([
        {
          Name: 'DB_PASSWORD',
          ValueFrom: {
            'Fn::Join': [
              '',
              ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:eu-west-1:111111111111:secret:api-db-password'],
            ],
          },
        },
      ]);
      expect(JSON.stringify(container.Environment)).not.toContain('api-db-password');
    });

    test('plain settings are acknowledged for AwsSolutions-ECS2 only when there are some', () => {
      expect(Object.keys(acknowledgementsOn(serviceOf(built, 'api').taskDefinition))).toEqual(['AwsSolutions-ECS2']);
      expect(acknowledgementsOn(serviceOf(built, 'web').taskDefinition)).toEqual({});
      expect(containerOf(built, 'web').Environment).toBeUndefined();
    });
  });

  describe('logs', () => {
    test('/platform/<env>/services/<name>, encrypted with the environment key; a development tier keeps it 30 days and deletes it with the stack', () => {
      const api = serviceOf(built, 'api');
      built.template.hasResource('AWS::Logs::LogGroup', {
        Properties: {
          LogGroupName: '/platform/dev/services/api',
          RetentionInDays: 30,
          KmsKeyId: Match.objectLike({ 'Fn::ImportValue': Match.stringLikeRegexp('Monitoring') }),
        },
        DeletionPolicy: 'Delete',
        UpdateReplacePolicy: 'Delete',
      });
      expect(built.compute.resolve(api.logGroup.logGroupName)).toEqual({ Ref: expect.stringMatching(/^apiLogs/) });
    });

    test('a production tier keeps the log group 365 days and retains it', () => {
      const prod = build([API], { base: prodInput() });
      prod.template.hasResource('AWS::Logs::LogGroup', {
        Properties: { LogGroupName: '/platform/prod/services/api', RetentionInDays: 365 },
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
    });

    test('logRetentionDays sets the retention of the log group, over the tier', () => {
      const long = build([API], { props: { logRetentionDays: 90 } });
      long.template.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: '/platform/dev/services/api',
        RetentionInDays: 90,
      });
    });

    test('in a stack whose data is not retained (RetainStatefulResources), the log group is deleted with it', () => {
      const spec = envWith([API]).services[0]!;
      const { compute } = buildOne(spec, 'full', {}, false);
      Template.fromStack(compute).hasResource('AWS::Logs::LogGroup', {
        Properties: Match.objectLike({ LogGroupName: '/platform/dev/services/api' }),
        DeletionPolicy: 'Delete',
        UpdateReplacePolicy: 'Delete',
      });
    });

    test("the environment's log patterns are counted in the service's logs", () => {
      const filters = Object.values(built.template.findResources('AWS::Logs::MetricFilter')).map(
        (f) => f.Properties.LogGroupName,
      );
      const api = built.compute.resolve(serviceOf(built, 'api').logGroup.logGroupName);
      expect(filters.filter((g) => JSON.stringify(g) === JSON.stringify(api))).toHaveLength(
        built.env.monitoring.logPatterns.length,
      );
    });
  });

  describe('roles', () => {
    test('the service waits for the execution policy, so its first tasks can pull, log and read secrets', () => {
      const api = serviceOf(built, 'api');
      const [policyId] = Object.keys(
        built.template.findResources('AWS::IAM::ManagedPolicy', {
          Properties: { Roles: [built.compute.resolve(api.executionRole.roleName)] },
        }),
      );
      const serviceId = built.compute.getLogicalId(api.service.node.defaultChild as CfnResource);
      const dependsOn = built.template.toJSON().Resources[serviceId].DependsOn as string[];
      expect(dependsOn).toContain(policyId);
    });

    test('the execution role holds one customer-managed policy: write the logs, read the secrets', () => {
      const api = serviceOf(built, 'api');
      const policies = Object.values(
        built.template.findResources('AWS::IAM::ManagedPolicy', {
          Properties: { Roles: [built.compute.resolve(api.executionRole.roleName)] },
        }),
      );
      expect(policies.map((p) => p.Properties.PolicyDocument.Statement)).toEqual([
        [
          {
            Sid: 'WriteLogs',
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: built.compute.resolve(api.logGroup.logGroupArn),
          },
          {
            Sid: 'ReadSecrets',
            Effect: 'Allow',
            Action: 'secretsmanager:GetSecretValue',
            Resource: {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':secretsmanager:eu-west-1:111111111111:secret:api-db-password-??????',
                ],
              ],
            },
          },
        ],
      ]);
    });

    test('two variables reading one secret grant it once', () => {
      const shared = build([
        { ...API, secrets: { DB_PASSWORD: 'api-db-password', DB_PASSWORD_OLD: 'api-db-password' } },
      ]);
      const statements = Object.values(shared.template.findResources('AWS::IAM::ManagedPolicy')).flatMap(
        (p) => p.Properties.PolicyDocument.Statement as Properties[],
      );
      expect(statements.find((s) => s.Sid === 'ReadSecrets')!.Resource).toEqual({
        'Fn::Join': [
          '',
          ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:eu-west-1:111111111111:secret:api-db-password-??????'],
        ],
      });
      expect((containerOf(shared, 'api').Secrets as Properties[]).map((s) => s.Name)).toEqual([
        'DB_PASSWORD',
        'DB_PASSWORD_OLD',
      ]);
    });

    test('no inline policy and no AWS managed policy anywhere in the services', () => {
      built.template.resourceCountIs('AWS::IAM::Policy', 0);
      const roles = Object.values(built.template.findResources('AWS::IAM::Role'));
      // Two services, each with its execution and task role.
      expect(roles).toHaveLength(4);
      for (const role of roles) {
        expect(role.Properties.ManagedPolicyArns).toBeUndefined();
        expect(role.Properties.Policies).toBeUndefined();
      }
    });

    test('both roles are assumed by ECS tasks; the task role starts without permissions', () => {
      const web = serviceOf(built, 'web');
      for (const role of [web.taskRole, web.executionRole]) {
        expect(propertiesOf(built, role.roleArn).AssumeRolePolicyDocument).toEqual({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'ecs-tasks.amazonaws.com' } }],
        });
      }
      expect(
        built.template.findResources('AWS::IAM::ManagedPolicy', {
          Properties: { Roles: [built.compute.resolve(web.taskRole.roleName)] },
        }),
      ).toEqual({});
    });

    test('an image in a private ECR registry may be pulled from its repository, and only that one', () => {
      const statements = renderExecutionStatements(new Stack(), {
        logGroupArn: 'arn:aws:logs:eu-west-1:111111111111:log-group:/platform/dev/services/api:*',
        secretNames: [],
        repositoryArns: ['arn:aws:ecr:eu-west-1:111111111111:repository/api'],
      }).map((s) => s.toStatementJson() as Properties);
      expect(statements.map((s) => [s.Sid, s.Action, s.Resource])).toEqual([
        [
          'WriteLogs',
          ['logs:CreateLogStream', 'logs:PutLogEvents'],
          'arn:aws:logs:eu-west-1:111111111111:log-group:/platform/dev/services/api:*',
        ],
        [
          'PullImage',
          ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
          'arn:aws:ecr:eu-west-1:111111111111:repository/api',
        ],
        ['AuthorizeRegistry', 'ecr:GetAuthorizationToken', '*'],
      ]);
    });

    test('a reference to an ECR repository grants the pull, with the registry login wildcard acknowledged', () => {
      const ecr = build([{ ...API, image: '111111111111.dkr.ecr.eu-west-1.amazonaws.com/team/api:1.4.2' }]);
      const api = serviceOf(ecr, 'api');
      const [policy] = Object.values(
        ecr.template.findResources('AWS::IAM::ManagedPolicy', {
          Properties: { Roles: [ecr.compute.resolve(api.executionRole.roleName)] },
        }),
      );
      expect(policy!.Properties.PolicyDocument.Statement).toContainEqual({
        Sid: 'PullImage',
        Effect: 'Allow',
        Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
        Resource: {
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecr:eu-west-1:111111111111:repository/team/api']],
        },
      });
      const executionPolicy = api.node.findChild('ExecutionPolicy');
      expect(Object.keys(acknowledgementsOn(executionPolicy))).toEqual(['AwsSolutions-IAM5[Resource::*]']);
    });

    test('a reference to a FIPS endpoint of an ECR registry grants the pull from the same repository', () => {
      const fips = build([{ ...API, image: '111111111111.dkr.ecr-fips.us-east-1.amazonaws.com/team/api:1.4.2' }]);
      const api = serviceOf(fips, 'api');
      const [policy] = Object.values(
        fips.template.findResources('AWS::IAM::ManagedPolicy', {
          Properties: { Roles: [fips.compute.resolve(api.executionRole.roleName)] },
        }),
      );
      expect(policy!.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({
          Sid: 'PullImage',
          Resource: {
            'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecr:us-east-1:111111111111:repository/team/api']],
          },
        }),
      );
    });
  });

  describe('an image built from a directory', () => {
    let root: string;
    let dockerBefore: string | undefined;
    beforeAll(() => {
      root = fs.mkdtempSync(path.join(os.tmpdir(), 'container-service-'));
      fs.mkdirSync(path.join(root, 'services', 'api'), { recursive: true });
      fs.writeFileSync(path.join(root, 'services', 'api', 'Dockerfile'), 'FROM public.ecr.aws/nginx/nginx:1.27\n');
      dockerBefore = process.env.CDK_DOCKER;
      // Any attempt to run docker during synthesis would fail.
      process.env.CDK_DOCKER = path.join(root, 'no-docker-here');
    });
    afterAll(() => {
      if (dockerBefore === undefined) delete process.env.CDK_DOCKER;
      else process.env.CDK_DOCKER = dockerBefore;
      fs.rmSync(root, { recursive: true, force: true });
    });

    const directoryApi = (): ServiceInput => ({
      ...API,
      image: { directory: 'services/api', azureReference: 'myacr.azurecr.io/api:1.0' },
    });

    test('becomes a CDK asset: synthesis hashes the directory and needs no docker', () => {
      const asset = build([directoryApi()], { props: { imageRoot: root } });
      const assembly = (asset.compute.node.root as App).synth();
      const manifest = JSON.parse(
        fs.readFileSync(path.join(assembly.directory, `${asset.compute.artifactId}.assets.json`), 'utf8'),
      ) as { dockerImages: Record<string, { source: { directory: string; platform: string } }> };
      expect(Object.values(manifest.dockerImages).map((i) => i.source.platform)).toEqual(['linux/amd64']);
      expect(containerOf(asset, 'api').Image).toEqual({
        'Fn::Sub': expect.stringMatching(
          /^111111111111\.dkr\.ecr\.eu-west-1\.\$\{AWS::URLSuffix\}\/cdk-hnb659fds-container-assets-111111111111-eu-west-1:[0-9a-f]{64}$/,
        ),
      });
    });

    test('the execution role may pull from the asset repository', () => {
      const asset = build([directoryApi()], { props: { imageRoot: root } });
      const statements = Object.values(asset.template.findResources('AWS::IAM::ManagedPolicy')).flatMap(
        (p) => p.Properties.PolicyDocument.Statement as Properties[],
      );
      expect(statements.map((s) => s.Sid)).toEqual(['WriteLogs', 'ReadSecrets', 'PullImage', 'AuthorizeRegistry']);
      expect(JSON.stringify(statements.find((s) => s.Sid === 'PullImage')!.Resource)).toContain(
        'repository/cdk-hnb659fds-container-assets-111111111111-eu-west-1',
      );
    });

    test('a directory without a Dockerfile is refused, naming services.<name>.image.directory', () => {
      const missing: ServiceInput = { ...directoryApi(), image: { directory: 'nowhere', azureReference: 'a.io/b:1' } };
      expect(() => build([missing], { props: { imageRoot: root } })).toThrow(
        /services\.api\.image\.directory: ".*nowhere" - a directory with a Dockerfile/,
      );
    });
  });

  describe('the load balancer', () => {
    test('a public service gets an internet-facing load balancer in the public subnets', () => {
      const web = serviceOf(built, 'web');
      expect(propertiesOf(built, web.loadBalancer.loadBalancerArn)).toEqual(
        expect.objectContaining({
          Name: 'dev-web',
          Scheme: 'internet-facing',
          Type: 'application',
          Subnets: built.network.vpc.publicSubnets.map((s) => built.compute.resolve(s.subnetId)),
          SecurityGroups: [built.compute.resolve(web.loadBalancerSecurityGroup.securityGroupId)],
        }),
      );
    });

    test('an internal service gets an internal load balancer in the private subnets', () => {
      const api = serviceOf(built, 'api');
      expect(propertiesOf(built, api.loadBalancer.loadBalancerArn)).toEqual(
        expect.objectContaining({
          Name: 'dev-api',
          Scheme: 'internal',
          Subnets: built.network.vpc.privateSubnets.map((s) => built.compute.resolve(s.subnetId)),
        }),
      );
    });

    test('access logs go to the bucket under the service name; invalid header fields are dropped', () => {
      const attributes = propertiesOf(built, serviceOf(built, 'web').loadBalancer.loadBalancerArn)
        .LoadBalancerAttributes as { Key: string; Value: unknown }[];
      expect(Object.fromEntries(attributes.map((a) => [a.Key, a.Value]))).toEqual({
        'deletion_protection.enabled': 'false',
        'routing.http.drop_invalid_header_fields.enabled': 'true',
        'access_logs.s3.enabled': 'true',
        'access_logs.s3.bucket': built.compute.resolve(built.containers.accessLogBucket.bucketName),
        'access_logs.s3.prefix': 'web',
      });
    });

    test('adding a service leaves the bucket policy of the foundation unchanged', () => {
      const one = Template.fromStack(build([API]).foundation).findResources('AWS::S3::BucketPolicy');
      expect(Template.fromStack(built.foundation).findResources('AWS::S3::BucketPolicy')).toEqual(one);
    });

    test('deletionProtection turns on the deletion protection of the load balancer', () => {
      const protectedLb = build([WEB], { props: { deletionProtection: true } });
      const attributes = propertiesOf(protectedLb, serviceOf(protectedLb, 'web').loadBalancer.loadBalancerArn)
        .LoadBalancerAttributes as { Key: string; Value: unknown }[];
      expect(attributes).toContainEqual({ Key: 'deletion_protection.enabled', Value: 'true' });
    });

    test('the name is <env>-<name>, cut and hashed to 32 characters when longer, always the same', () => {
      expect(loadBalancerName('dev', 'web')).toBe('dev-web');
      const long = loadBalancerName('integration', 'customer-accounts-api');
      expect(long).toHaveLength(32);
      expect(long).toMatch(/^integration-customer-acco-[0-9a-f]{6}$/);
      expect(loadBalancerName('integration', 'customer-accounts-api')).toBe(long);
      expect(loadBalancerName('integration', 'customer-accounts-app')).not.toBe(long);
      expect(loadBalancerName('staging', 'twenty-character-nm')).toBe('staging-twenty-character-nm');
    });

    test('with a certificate: HTTPS on 443 with the TLS 1.2+ policy forwards, HTTP on 80 redirects to it', () => {
      const web = serviceOf(built, 'web');
      expect(propertiesOf(built, web.listener.listenerArn)).toEqual({
        LoadBalancerArn: built.compute.resolve(web.loadBalancer.loadBalancerArn),
        Port: 443,
        Protocol: 'HTTPS',
        SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
        Certificates: [{ CertificateArn: CERTIFICATE }],
        DefaultActions: [{ Type: 'forward', TargetGroupArn: built.compute.resolve(web.targetGroup.targetGroupArn) }],
      });
      built.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
        LoadBalancerArn: built.compute.resolve(web.loadBalancer.loadBalancerArn),
        Port: 80,
        Protocol: 'HTTP',
        DefaultActions: [
          { Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } },
        ],
      });
      expect(web.url).toMatch(/^https:\/\//);
    });

    test('without a certificate in development: one HTTP listener on 80 forwards, acknowledged as a development tier', () => {
      const api = serviceOf(built, 'api');
      const listeners = built.template.findResources('AWS::ElasticLoadBalancingV2::Listener', {
        Properties: { LoadBalancerArn: built.compute.resolve(api.loadBalancer.loadBalancerArn) },
      });
      expect(
        Object.values(listeners).map((l) => [l.Properties.Port, l.Properties.Protocol, l.Properties.DefaultActions]),
      ).toEqual([
        [80, 'HTTP', [{ Type: 'forward', TargetGroupArn: built.compute.resolve(api.targetGroup.targetGroupArn) }]],
      ]);
      const acknowledged = acknowledgementsOn(api.listener);
      expect(Object.keys(acknowledged).sort()).toEqual([
        'NIST.800.53.R5-ALBHttpToHttpsRedirection',
        'NIST.800.53.R5-ELBv2ACMCertificateRequired',
      ]);
      expect(acknowledged['NIST.800.53.R5-ALBHttpToHttpsRedirection']).toMatch(
        /^A development-tier service is served over HTTP: development tiers hold no production data/,
      );
      expect(api.url).toMatch(/^http:\/\//);
    });

    test('the target group checks the health check path and drains tasks for 30 seconds', () => {
      const api = serviceOf(built, 'api');
      expect(propertiesOf(built, api.targetGroup.targetGroupArn)).toEqual(
        expect.objectContaining({
          TargetType: 'ip',
          Protocol: 'HTTP',
          Port: 8080,
          HealthCheckPath: '/healthz',
          HealthCheckIntervalSeconds: 15,
          HealthCheckTimeoutSeconds: 5,
          HealthyThresholdCount: 2,
          UnhealthyThresholdCount: 3,
          Matcher: { HttpCode: '200-399' },
          TargetGroupAttributes: expect.arrayContaining([{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }]),
        }),
      );
      expect(propertiesOf(built, serviceOf(built, 'api').service.serviceArn).LoadBalancers).toEqual([
        {
          ContainerName: 'api',
          ContainerPort: 8080,
          TargetGroupArn: built.compute.resolve(api.targetGroup.targetGroupArn),
        },
      ]);
    });

    test('a web ACL, when given, is associated with the load balancer instead of acknowledging the finding', () => {
      const webAclArn = 'arn:aws:wafv2:eu-west-1:111111111111:regional/webacl/platform/0a1b2c3d';
      const waf = build([WEB], { props: { webAclArn } });
      const web = serviceOf(waf, 'web');
      waf.template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
        ResourceArn: waf.compute.resolve(web.loadBalancer.loadBalancerArn),
        WebACLArn: webAclArn,
      });
      expect(acknowledgementsOn(web.loadBalancer)['NIST.800.53.R5-ALBWAFEnabled']).toBeUndefined();
      expect(acknowledgementsOn(serviceOf(built, 'web').loadBalancer)['NIST.800.53.R5-ALBWAFEnabled']).toMatch(
        /^A development-tier service takes no web ACL: development tiers hold no production data/,
      );
      waf.template.resourceCountIs('AWS::WAFv2::WebACL', 0);
    });
  });

  describe('security groups', () => {
    test('a public load balancer admits HTTPS and HTTP from anywhere, acknowledged for AwsSolutions-EC23', () => {
      const web = serviceOf(built, 'web');
      expect(ingressOf(built, web.loadBalancerSecurityGroup)).toEqual([
        { CidrIp: '0.0.0.0/0', Description: 'HTTPS', FromPort: 443, IpProtocol: 'tcp', ToPort: 443 },
        { CidrIp: '0.0.0.0/0', Description: 'HTTP, redirected to HTTPS', FromPort: 80, IpProtocol: 'tcp', ToPort: 80 },
      ]);
      expect(Object.keys(acknowledgementsOn(web.loadBalancerSecurityGroup))).toEqual(['AwsSolutions-EC23']);
    });

    test('an internal load balancer admits its listener port from the VPC only', () => {
      const api = serviceOf(built, 'api');
      expect(ingressOf(built, api.loadBalancerSecurityGroup)).toEqual([
        {
          CidrIp: built.compute.resolve(built.network.vpc.vpcCidrBlock),
          Description: 'HTTP',
          FromPort: 80,
          IpProtocol: 'tcp',
          ToPort: 80,
        },
      ]);
      expect(JSON.stringify(ingressOf(built, api.loadBalancerSecurityGroup))).not.toContain('0.0.0.0/0');
    });

    test('the tasks admit only the load balancer, on the container port; the load balancer reaches only them', () => {
      const api = serviceOf(built, 'api');
      expect(ingressOf(built, api.securityGroup)).toBeUndefined();
      const ingress = built.template.findResources('AWS::EC2::SecurityGroupIngress', {
        Properties: { GroupId: built.compute.resolve(api.securityGroup.securityGroupId) },
      });
      expect(Object.values(ingress).map((i) => i.Properties)).toEqual([
        expect.objectContaining({
          IpProtocol: 'tcp',
          FromPort: 8080,
          ToPort: 8080,
          SourceSecurityGroupId: built.compute.resolve(api.loadBalancerSecurityGroup.securityGroupId),
        }),
      ]);
      const egress = built.template.findResources('AWS::EC2::SecurityGroupEgress', {
        Properties: { GroupId: built.compute.resolve(api.loadBalancerSecurityGroup.securityGroupId) },
      });
      expect(Object.values(egress).map((e) => e.Properties)).toEqual([
        expect.objectContaining({
          FromPort: 8080,
          ToPort: 8080,
          DestinationSecurityGroupId: built.compute.resolve(api.securityGroup.securityGroupId),
        }),
      ]);
    });

    test('every security group says what it admits', () => {
      const api = serviceOf(built, 'api');
      expect(propertiesOf(built, api.loadBalancerSecurityGroup.securityGroupId).GroupDescription).toBe(
        'platform-dev-api load balancer: 80 from the VPC; the container port to the tasks',
      );
      expect(propertiesOf(built, api.securityGroup.securityGroupId).GroupDescription).toBe(
        'platform-dev-api tasks: port 8080 from the load balancer only; all outbound (images, secrets, dependencies)',
      );
    });
  });

  describe('autoscaling', () => {
    function scalingPolicies(b: Built, name: string): Properties[] {
      const scaling = serviceOf(b, name).scaling;
      if (!scaling) throw new Error(`${name} has no scaling`);
      const target = scaling.node.findChild('Target') as appscaling.ScalableTarget;
      return Object.values(
        b.template.findResources('AWS::ApplicationAutoScaling::ScalingPolicy', {
          Properties: { ScalingTargetId: b.compute.resolve(target.scalableTargetId) },
        }),
      ).map((p) => p.Properties as Properties);
    }

    test('the task count scales between minCount and maxCount', () => {
      built.template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
        MinCapacity: 1,
        MaxCapacity: 4,
        ScalableDimension: 'ecs:service:DesiredCount',
        ServiceNamespace: 'ecs',
      });
    });

    test('CPU and requests per task are tracked; requests per second become requests per minute', () => {
      const policies = scalingPolicies(built, 'web').map(
        (p) => p.TargetTrackingScalingPolicyConfiguration as Properties,
      );
      expect(policies).toEqual([
        expect.objectContaining({
          TargetValue: 60,
          PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
          ScaleOutCooldown: 60,
          ScaleInCooldown: 300,
        }),
        expect.objectContaining({
          TargetValue: 3000,
          PredefinedMetricSpecification: expect.objectContaining({ PredefinedMetricType: 'ALBRequestCountPerTarget' }),
        }),
      ]);
    });

    test('memory is tracked when the spec asks for it; the default CPU rule is 70%', () => {
      const memory = build([{ ...API, autoscaling: { memoryPercent: 80 } }]);
      expect(
        scalingPolicies(memory, 'api').map((p) => {
          const config = p.TargetTrackingScalingPolicyConfiguration as {
            TargetValue: number;
            PredefinedMetricSpecification: { PredefinedMetricType: string };
          };
          return [config.PredefinedMetricSpecification.PredefinedMetricType, config.TargetValue];
        }),
      ).toEqual([
        ['ECSServiceAverageCPUUtilization', 70],
        ['ECSServiceAverageMemoryUtilization', 80],
      ]);
    });

    test('a spec without autoscaling rules gets no scalable target', () => {
      const env = envWith([API]);
      const spec: ServiceSpec = { ...env.services[0]!, autoscaling: {} };
      const fixed = buildOne(spec);
      Template.fromStack(fixed.compute).resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 0);
      expect(fixed.service.scaling).toBeUndefined();
    });
  });

  describe('alarms', () => {
    test('six default alarms per service, named platform-<env>-service.<name>.<kind>', () => {
      expect(serviceAlarmNames(built.template)).toEqual(
        ['api', 'web'].flatMap((s) => serviceAlarmKindsOn('aws').map((k) => `platform-dev-service.${s}.${k}`)).sort(),
      );
      expect(serviceAlarmId('web', '5xx-rate')).toBe('service/web/5xx-rate');
    });

    test('5xx-rate (critical): target 5xx per request >= 5% over 5 minutes', () => {
      const alarm = alarmProperties(built.template, 'platform-dev-service.web.5xx-rate');
      expect(alarm).toEqual(
        expect.objectContaining({
          Threshold: 5,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          EvaluationPeriods: 1,
          TreatMissingData: 'notBreaching',
          AlarmDescription: expect.stringMatching(/^\[critical\] 5% or more of a service's requests failed/),
        }),
      );
      const metrics = alarm.Metrics as Properties[];
      expect(metrics[0]).toEqual({
        Id: 'expr_1',
        Expression: 'IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)',
        Label: '5xx responses, % of requests',
        ReturnData: true,
      });
      expect(
        metrics.slice(1).map((m) => [m.Id, (m.MetricStat as Properties).Period, (m.MetricStat as Properties).Stat]),
      ).toEqual([
        ['errors', 300, 'Sum'],
        ['requests', 300, 'Sum'],
      ]);
      expect(JSON.stringify(metrics)).toContain('HTTPCode_Target_5XX_Count');
    });

    test('unhealthy (critical): an unhealthy target for 3 minutes', () => {
      expect(alarmProperties(built.template, 'platform-dev-service.web.unhealthy')).toEqual(
        expect.objectContaining({
          MetricName: 'UnHealthyHostCount',
          Namespace: 'AWS/ApplicationELB',
          Statistic: 'Maximum',
          Period: 60,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          EvaluationPeriods: 3,
          AlarmDescription: expect.stringMatching(/^\[critical\]/),
        }),
      );
    });

    test('latency-p99 (warning): the p99 response time above 1 s for 3 x 5 minutes', () => {
      expect(alarmProperties(built.template, 'platform-dev-service.web.latency-p99')).toEqual(
        expect.objectContaining({
          MetricName: 'TargetResponseTime',
          ExtendedStatistic: 'p99',
          Period: 300,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanThreshold',
          EvaluationPeriods: 3,
          AlarmDescription: expect.stringMatching(/^\[warning\] The slowest 1% .* longer than 1 s for 15 minutes/),
        }),
      );
    });

    test.each(['cpu', 'memory'] as const)('%s (warning): the service average above 90%% for 15 minutes', (kind) => {
      expect(alarmProperties(built.template, `platform-dev-service.web.${kind}`)).toEqual(
        expect.objectContaining({
          Namespace: 'AWS/ECS',
          MetricName: kind === 'cpu' ? 'CPUUtilization' : 'MemoryUtilization',
          Dimensions: [
            { Name: 'ClusterName', Value: built.compute.resolve(built.containers.cluster.clusterName) },
            { Name: 'ServiceName', Value: 'web' },
          ],
          Statistic: 'Average',
          Period: 300,
          Threshold: 90,
          ComparisonOperator: 'GreaterThanThreshold',
          EvaluationPeriods: 3,
          AlarmDescription: expect.stringMatching(/^\[warning\] .* more than 90% of its .* for 15 minutes/),
        }),
      );
    });

    test('running-below-desired (critical): Container Insights desired minus running above 0 for 5 minutes', () => {
      const alarm = alarmProperties(built.template, 'platform-dev-service.web.running-below-desired');
      expect(alarm).toEqual(
        expect.objectContaining({
          Threshold: 0,
          ComparisonOperator: 'GreaterThanThreshold',
          EvaluationPeriods: 5,
          AlarmDescription: expect.stringMatching(/^\[critical\] A service ran fewer instances/),
        }),
      );
      const metrics = alarm.Metrics as {
        Id: string;
        Expression?: string;
        MetricStat?: { Metric: Properties; Period: number };
      }[];
      expect(metrics[0]!.Expression).toBe('desired - running');
      expect(
        metrics
          .slice(1)
          .map((m) => [m.Id, m.MetricStat!.Metric.Namespace, m.MetricStat!.Metric.MetricName, m.MetricStat!.Period]),
      ).toEqual([
        ['desired', 'ECS/ContainerInsights', 'DesiredTaskCount', 60],
        ['running', 'ECS/ContainerInsights', 'RunningTaskCount', 60],
      ]);
    });

    test('every alarm notifies its severity channel and says what to do first', () => {
      const kinds = serviceAlarmKindsOn('aws') as (keyof typeof AWS_SERVICE_ALARM_BASICS)[];
      expect([...kinds].sort()).toEqual([
        '5xx-rate',
        'cpu',
        'latency-p99',
        'memory',
        'running-below-desired',
        'unhealthy',
      ]);
      for (const kind of kinds) {
        const alarm = alarmProperties(built.template, `platform-dev-service.api.${kind}`);
        expect(alarm.AlarmActions).toHaveLength(1);
        expect(alarm.AlarmDescription).toContain(`First response: ${AWS_SERVICE_ALARM_BASICS[kind].firstResponse}`);
      }
    });

    test('the spec tunes or switches off a service alarm by its id', () => {
      const reason = 'The api serves batch uploads; long requests are expected';
      const tuned = build([WEB, API], {
        monitoring: {
          alarms: {
            'service/api/latency-p99': { enabled: false, reason },
            'service/web/cpu': { threshold: 75 },
            // An Azure-only alarm: accepted, and nothing is created for it here.
            'service/web/5xx-count': { threshold: 20 },
          },
        },
      });
      expect(serviceAlarmNames(tuned.template)).not.toContain('platform-dev-service.api.latency-p99');
      expect(serviceAlarmNames(tuned.template)).toHaveLength(11);
      expect(alarmProperties(tuned.template, 'platform-dev-service.web.cpu').Threshold).toBe(75);
      expect(tuned.monitoring.disabledAlarms).toEqual(new Map([['service/api/latency-p99', reason]]));
    });
  });

  describe('dashboard', () => {
    test('a row per service in the foundation dashboard, which references nothing of the compute stack', () => {
      const dashboards = Object.values(
        Template.fromStack(built.foundation).findResources('AWS::CloudWatch::Dashboard'),
      );
      expect(dashboards).toHaveLength(1);
      const body = JSON.stringify(dashboards[0]!.Properties.DashboardBody);
      expect(body).toContain('## Services: web');
      expect(body).toContain('## Services: api');
      expect(body).not.toContain('Fn::ImportValue');
      // The foundation never depends on the compute stack.
      expect(built.foundation.dependencies).toEqual([]);
    });

    test('the widgets name the cluster, the service and the load balancer literally, never a token', () => {
      const widgets = renderServiceWidgets('dev', 'web', 'dev-web');
      // Rendered in any stack, the only reference left is the region of the dashboard's own stack.
      const json = JSON.stringify(new Stack().resolve(widgets.map((w) => w.toJson()))).replaceAll(
        '{"Ref":"AWS::Region"}',
        '"<region>"',
      );
      expect(json).not.toMatch(/"Ref"|Fn::/);
      expect(json).toContain('"ClusterName","platform-dev","ServiceName","web"');
      expect(json).toContain(
        `SEARCH('{AWS/ApplicationELB,LoadBalancer} MetricName=\\"RequestCount\\" LoadBalancer=app/dev-web', 'Sum', 300)`,
      );
      expect(widgets.map((w) => w.width)).toEqual([6, 6, 6, 6]);
      expect(widgets.every((w) => w instanceof cloudwatch.GraphWidget)).toBe(true);
    });
  });

  test('one public service with HTTPS and CPU and request autoscaling creates 23 resources and a metric filter per log pattern', () => {
    const one = build([WEB]);
    const count = Object.keys(one.template.toJSON().Resources as object).length;
    expect(count).toBe(23 + one.env.monitoring.logPatterns.length);
  });
});

/** The VPCs the validation tests use: imported, so that any set of subnets can be described. */
type VpcKind = 'full' | 'public-only' | 'private-only' | 'one-zone';

function vpcOf(stack: PlatformStack, kind: VpcKind, zones: readonly string[]): ec2.IVpc {
  if (kind === 'full') {
    return new ec2.Vpc(stack, 'Vpc', {
      availabilityZones: [...zones],
      natGateways: 1,
      restrictDefaultSecurityGroup: false,
    });
  }
  const used = kind === 'one-zone' ? zones.slice(0, 1) : zones.slice(0, 2);
  const ids = (prefix: string): string[] => used.map((_, i) => `subnet-${prefix}${i}`);
  return ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-0123456789abcdef0',
    vpcCidrBlock: '10.10.0.0/16',
    availabilityZones: [...used],
    ...(kind !== 'private-only' && { publicSubnetIds: ids('pub') }),
    ...(kind !== 'public-only' && { privateSubnetIds: ids('priv') }),
  });
}

/** One service in a stack of its own, for specs and networks the environment schema would refuse. */
function buildOne(
  spec: ServiceSpec,
  kind: VpcKind = 'full',
  props: Partial<ContainerServiceProps> = {},
  retainData?: boolean,
): { compute: PlatformStack; service: ContainerService } {
  const env = envWith([]);
  const compute = new PlatformStack(new App(), 'Compute', {
    env: { account: env.aws.account, region: env.aws.region },
    availabilityZones: env.aws.availabilityZones,
  });
  if (retainData !== undefined) RetainStatefulResources.applyTo(compute, { retainData });
  const vpc = vpcOf(compute, kind, env.aws.availabilityZones);
  const monitoring = new Monitoring(compute, 'Monitoring', { spec: env.monitoring, name: env.name });
  const service = new ContainerService(compute, spec.name, {
    spec,
    environment: env.name,
    cluster: new ecs.Cluster(compute, 'Cluster', { vpc }),
    vpc,
    monitoring,
    accessLogBucket: s3.Bucket.fromBucketName(compute, 'Logs', 'access-logs'),
    ...props,
  });
  return { compute, service };
}

describe('ContainerService guardrails (AWS)', () => {
  function packsFor(tier: Tier): NagPack[] {
    return [
      new AwsSolutionsChecks(),
      new PlatformChecks(undefined, { tier }),
      ...(tier === 'production' ? [new NIST80053R5Checks()] : []),
    ];
  }

  function findings(built: Built, tier: Tier): string[] {
    return packsFor(tier).flatMap((pack) =>
      [built.compute, built.containers].flatMap((scope) =>
        pack
          .validateScope(scope)
          .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`)),
      ),
    );
  }

  const plain: ServiceInput = { ...WEB, name: 'plain', awsCertificateArn: undefined };

  test('production: a public HTTPS service passes AwsSolutions, NIST 800-53 R5 and Platform; services without a certificate fail until their team acknowledges it', () => {
    const prod = build([PROD_WEB, API, plain], { base: prodInput() });
    expect(findings(prod, 'production').sort()).toEqual([
      'NIST.800.53.R5-ALBHttpToHttpsRedirection at Compute/api/LoadBalancer/HttpListener/Resource',
      'NIST.800.53.R5-ALBHttpToHttpsRedirection at Compute/plain/LoadBalancer/HttpListener/Resource',
      'NIST.800.53.R5-ELBv2ACMCertificateRequired at Compute/api/LoadBalancer/HttpListener/Resource',
      'NIST.800.53.R5-ELBv2ACMCertificateRequired at Compute/plain/LoadBalancer/HttpListener/Resource',
    ]);
    expect(Object.keys(acknowledgementsOn(serviceOf(prod, 'plain').listener))).toEqual([]);
    for (const name of ['api', 'plain']) {
      for (const rule of ['NIST.800.53.R5-ALBHttpToHttpsRedirection', 'NIST.800.53.R5-ELBv2ACMCertificateRequired']) {
        acknowledge(serviceOf(prod, name).listener, rule, 'Our own reason: TLS ends at the CDN in front of it');
      }
    }
    expect(findings(prod, 'production')).toEqual([]);
  });

  test('production: a public service gets a web ACL of its own, so the WAF finding is fixed, not acknowledged', () => {
    const prod = build([PROD_WEB, API], { base: prodInput() });
    const web = serviceOf(prod, 'web');
    expect(acknowledgementsOn(web.loadBalancer)['NIST.800.53.R5-ALBWAFEnabled']).toBeUndefined();
    expect(web.webAcl).toBeInstanceOf(wafv2.CfnWebACL);
    prod.template.resourceCountIs('AWS::WAFv2::WebACL', 1);
    prod.template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Name: 'platform-prod-web',
      Scope: 'REGIONAL',
      DefaultAction: { Allow: {} },
      Rules: [
        Match.objectLike({
          Priority: 0,
          OverrideAction: { None: {} },
          Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet' } },
        }),
        Match.objectLike({
          Priority: 1,
          Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesKnownBadInputsRuleSet' } },
        }),
      ],
    });
    prod.template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      ResourceArn: prod.compute.resolve(web.loadBalancer.loadBalancerArn),
      WebACLArn: prod.compute.resolve(web.webAcl!.attrArn),
    });
    prod.template.hasResource('AWS::Logs::LogGroup', {
      Properties: { LogGroupName: 'aws-waf-logs-platform-prod-web', RetentionInDays: 365 },
      DeletionPolicy: 'Retain',
    });
    prod.template.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
      ResourceArn: prod.compute.resolve(web.webAcl!.attrArn),
    });
    // The internal service's load balancer takes no Internet traffic: its acknowledgement says so.
    expect(serviceOf(prod, 'api').webAcl).toBeUndefined();
    expect(acknowledgementsOn(serviceOf(prod, 'api').loadBalancer)['NIST.800.53.R5-ALBWAFEnabled']).toMatch(
      /^An internal load balancer/,
    );
  });

  test('production: webAclArn replaces the default web ACL', () => {
    const webAclArn = 'arn:aws:wafv2:eu-west-1:333333333333:regional/webacl/shared/0a1b2c3d';
    const prod = build([PROD_WEB], { base: prodInput(), props: { webAclArn } });
    prod.template.resourceCountIs('AWS::WAFv2::WebACL', 0);
    prod.template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', { WebACLArn: webAclArn });
    expect(findings(prod, 'production')).toEqual([]);
  });

  test('development: the same services pass AwsSolutions and Platform', () => {
    expect(findings(build([WEB, API, plain]), 'development')).toEqual([]);
  });

  test('production satisfies deletion protection on the load balancers instead of acknowledging it', () => {
    const prod = build([PROD_WEB], { base: prodInput() });
    const web = serviceOf(prod, 'web');
    expect(acknowledgementsOn(web.loadBalancer)['NIST.800.53.R5-ELBDeletionProtectionEnabled']).toBeUndefined();
    expect(propertiesOf(prod, web.loadBalancer.loadBalancerArn).LoadBalancerAttributes).toContainEqual({
      Key: 'deletion_protection.enabled',
      Value: 'true',
    });
  });
});

describe('ContainerService validation (AWS)', () => {
  const env = envWith([API]);
  const spec: ServiceSpec = env.services[0]!;

  const PAIRS = 'use a cpu/memoryGiB pair both clouds run: 0.25/0.5, 0.5/1, 1/2, 2/4, 4/8';

  test('a cpu and memory pair both clouds do not run is refused, naming services.<name>.memoryGiB', () => {
    expect(() => buildOne({ ...spec, cpu: 0.25, memoryGiB: 4 })).toThrow(
      `Invalid container service (1 problem):\n  - services.api.memoryGiB: {"cpu":0.25,"memoryGiB":4} - Azure Container Apps need memory = 2 x cpu (0.5 GiB), and Fargate allows 0.5-2 GiB at 0.25 vCPU; ${PAIRS}`,
    );
    // Fargate alone would run 1 vCPU with 4 GiB; the spec's pairs are those both clouds run.
    expect(() => buildOne({ ...spec, cpu: 1, memoryGiB: 4 })).toThrow(
      `services.api.memoryGiB: {"cpu":1,"memoryGiB":4} - Azure Container Apps need memory = 2 x cpu (2 GiB); ${PAIRS}`,
    );
  });

  test('a CPU size Fargate does not have is refused, naming services.<name>.cpu', () => {
    expect(() => buildOne({ ...spec, cpu: 3, memoryGiB: 6 })).toThrow(
      `services.api.cpu: 3 - 3 vCPU is not a Fargate size (0.25, 0.5, 1, 2, 4); ${PAIRS}`,
    );
  });

  test('a VPC without private subnets is refused: tasks run there', () => {
    expect(() => buildOne({ ...spec, public: true }, 'public-only')).toThrow(
      'Invalid container service (1 problem):\n  - services.api.vpc: "private" - a VPC with private subnets that have a route out (tasks pull images there)',
    );
  });

  test('a public service in a VPC without public subnets is refused, naming services.<name>.public', () => {
    expect(() => buildOne({ ...spec, public: true }, 'private-only')).toThrow(
      'Invalid container service (1 problem):\n  - services.api.public: true - a VPC with public subnets for the internet-facing load balancer',
    );
  });

  test('an internal service in a VPC without public subnets is accepted', () => {
    const { compute, service } = buildOne(spec, 'private-only');
    Template.fromStack(compute).hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internal',
      Subnets: ['subnet-priv0', 'subnet-priv1'],
    });
    expect(service.url).toMatch(/^http:\/\//);
  });

  test('load balancer subnets in a single zone are refused: an application load balancer needs two', () => {
    expect(() => buildOne({ ...spec, public: true }, 'one-zone')).toThrow(
      'services.api.public: true - public subnets in at least 2 availability zones (an application load balancer needs 2)',
    );
  });

  test('counts outside minCount..maxCount are refused', () => {
    expect(() => buildOne({ ...spec, minCount: 3, maxCount: 2, desiredCount: 2 })).toThrow(
      'services.api.minCount: 3 - at most maxCount (2)',
    );
    expect(() => buildOne({ ...spec, desiredCount: 9 })).toThrow(
      'services.api.desiredCount: 9 - from minCount (1) to maxCount (4)',
    );
  });

  test('a port, a count, an autoscaling target or a health check path out of its limits is refused', () => {
    const message = errorOf(() =>
      buildOne({
        ...spec,
        port: 0,
        maxCount: 101,
        autoscaling: { cpuPercent: 99, memoryPercent: 5, concurrentRequests: 20000 },
        healthCheckPath: 'healthz',
      }),
    ).message;
    expect(message.split('\n')).toEqual([
      'Invalid container service (6 problems):',
      '  - services.api.port: 0 - a port from 1 to 65535',
      '  - services.api.healthCheckPath: "healthz" - an absolute URL path such as /healthz',
      '  - services.api.maxCount: 101 - at most 100',
      '  - services.api.autoscaling.cpuPercent: 99 - a target from 10 to 95 percent',
      '  - services.api.autoscaling.memoryPercent: 5 - a target from 10 to 95 percent',
      '  - services.api.autoscaling.concurrentRequests: 20000 - at most 10000',
    ]);
  });

  test('a secret that is also a plain setting is refused', () => {
    expect(() => buildOne({ ...spec, environment: { DB_PASSWORD: 'x' } })).toThrow(
      'services.api.secrets.DB_PASSWORD: "DB_PASSWORD" - a variable that is not also in environment (a secret never sits in plain text)',
    );
  });

  test('an image reference without a tag is refused, naming services.<name>.image', () => {
    expect(() => buildOne({ ...spec, image: { reference: 'httpd' } })).toThrow(
      /services\.api\.image: "httpd" - an image reference .*with a tag or digest/,
    );
  });

  describe('one check for the spec and the construct: the same bad value, refused in the same words', () => {
    /** A problem without the prefix each side puts in front (`dev.services[0]`, `services.api`). */
    const unprefixed = (issues: readonly SpecIssue[], prefix: RegExp): [string, unknown, string][] =>
      issues.map((i) => [i.path.replace(prefix, ''), i.value, i.message]);

    test.each<[string, ServiceInput, (s: ServiceSpec) => ServiceSpec]>([
      ['port', { ...API, port: 0 }, (s) => ({ ...s, port: 0 })],
      ['desiredCount', { ...API, desiredCount: 101 }, (s) => ({ ...s, desiredCount: 101 })],
      [
        'autoscaling.cpuPercent',
        { ...API, autoscaling: { cpuPercent: 99 } },
        (s) => ({ ...s, autoscaling: { ...s.autoscaling, cpuPercent: 99 } }),
      ],
      ['healthCheckPath', { ...API, healthCheckPath: 'healthz' }, (s) => ({ ...s, healthCheckPath: 'healthz' })],
      ['memoryGiB', { ...API, cpu: 1, memoryGiB: 4 }, (s) => ({ ...s, cpu: 1, memoryGiB: 4 })],
      [
        'minCount',
        { ...API, minCount: 3, maxCount: 2, desiredCount: 2 },
        (s) => ({ ...s, minCount: 3, maxCount: 2, desiredCount: 2 }),
      ],
      ['secrets', { ...API, environment: { DB_PASSWORD: 'x' } }, (s) => ({ ...s, environment: { DB_PASSWORD: 'x' } })],
    ])('%s', (_field, input, bad) => {
      const fromSpec = (errorOf(() => envWith([input])) as SpecError).issues;
      const fromProps = (errorOf(() => buildOne(bad(spec))) as SpecError).issues;
      expect(fromSpec).toHaveLength(1);
      expect(unprefixed(fromProps, /^services\.api\./)).toEqual(unprefixed(fromSpec, /^dev\.services\[0\]\./));
    });
  });

  test('a log retention CloudWatch Logs does not offer is refused, naming services.<name>.logRetentionDays', () => {
    expect(() => buildOne(spec, 'full', { logRetentionDays: 42 })).toThrow(
      /services\.api\.logRetentionDays: 42 - CloudWatch Logs accepts 1, 3, 5/,
    );
  });

  test('a web ACL that is not a WAFv2 ARN is refused', () => {
    expect(() => buildOne(spec, 'full', { webAclArn: 'my-acl' })).toThrow(
      'services.api.webAclArn: "my-acl" - a WAFv2 web ACL ARN',
    );
  });

  test('every problem is reported at once', () => {
    expect(() =>
      buildOne({ ...spec, cpu: 0.25, memoryGiB: 4, desiredCount: 9 }, 'full', { logRetentionDays: 42 }),
    ).toThrow(/Invalid container service \(3 problems\)/);
  });
});
