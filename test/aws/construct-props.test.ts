import { App, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  Backup,
  ContainerCluster,
  ContainerService,
  Monitoring,
  Network,
  Patching,
  ScheduledJob,
  Server,
  type BackupProps,
  type ContainerClusterProps,
  type ContainerServiceProps,
  type MonitoringProps,
  type NetworkProps,
  type PatchingProps,
  type ScheduledJobProps,
  type ServerProps,
} from '../../lib/aws';
import { defineEnvironment, SpecError, type Environment } from '../../lib/core';
import { exampleKeyVaultId } from '../../stacks/environments/workloads';
import { devInput, errorOf } from '../util/fixtures';

const env: Environment = defineEnvironment({
  ...devInput(),
  azure: { ...devInput().azure, keyVaultId: exampleKeyVaultId('dev') },
  services: [{ name: 'api', image: 'public.ecr.aws/nginx/nginx:1.27', cpu: 0.25, memoryGiB: 0.5, port: 80 }],
  jobs: [
    {
      name: 'nightly',
      image: 'public.ecr.aws/docker/library/busybox:1.36',
      cpu: 0.25,
      memoryGiB: 0.5,
      schedule: { cron: '0 3 * * *' },
    },
  ],
});

/** A stack with what the workload constructs need, for props that are right apart from the one under test. */
function parts() {
  const stack = new Stack(new App(), 'Stack', { env: { account: env.aws.account, region: env.aws.region } });
  const monitoring = new Monitoring(stack, 'Monitoring', { spec: env.monitoring, name: env.name });
  const network = Network.fromAttributes(stack, 'Network', {
    vpcId: 'vpc-0123456789abcdef0',
    vpcCidrBlock: '10.10.0.0/16',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    publicSubnetIds: ['subnet-pub0', 'subnet-pub1'],
    privateSubnetIds: ['subnet-priv0', 'subnet-priv1'],
  });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc: network.vpc });
  const accessLogBucket = s3.Bucket.fromBucketName(stack, 'Logs', 'access-logs');
  return { stack, monitoring, vpc: network.vpc, cluster, accessLogBucket };
}

/** The SpecError a construct throws, with its issues. */
function specErrorOf(fn: () => unknown): SpecError {
  const error = errorOf(fn);
  if (!SpecError.isSpecError(error)) throw new Error(`not a SpecError: ${error.message}`);
  return error;
}

describe('construct props (AWS)', () => {
  test('ContainerService without a spec names the construct, its path and props.spec', () => {
    const { stack, ...rest } = parts();
    const props = { ...rest, environment: env.name } as unknown as ContainerServiceProps;
    const error = specErrorOf(() => new ContainerService(stack, 'Api', props));
    expect(error.message).toContain('Invalid ContainerService props (Stack/Api)');
    expect(error.issues.map((i) => i.path)).toEqual(['props.spec']);
    expect(error.message).toMatch(/props\.spec: \(missing\) - required: the resolved service spec/);
  });

  test('ContainerService: every wrong prop at once, each by its path, with the value received', () => {
    const { stack, ...rest } = parts();
    const props = {
      ...rest,
      environment: 7,
      spec: { ...env.services[0]!, port: '80', public: 'yes' },
      deletionProtection: 'no',
    } as unknown as ContainerServiceProps;
    const error = specErrorOf(() => new ContainerService(stack, 'Api', props));
    expect(error.message).toContain('Invalid ContainerService props (Stack/Api)');
    expect(error.issues.map((i) => [i.path, i.value])).toEqual([
      ['props.environment', 7],
      ['props.spec.port', '80'],
      ['props.spec.public', 'yes'],
      ['props.deletionProtection', 'no'],
    ]);
  });

  test('ContainerService refuses a tier that does not exist', () => {
    const { stack, ...rest } = parts();
    const props = {
      ...rest,
      environment: env.name,
      spec: env.services[0]!,
      tier: 'staging',
    } as unknown as ContainerServiceProps;
    expect(() => new ContainerService(stack, 'Api', props)).toThrow(
      'services.api.tier: "staging" - one of development, production',
    );
  });

  test('ScheduledJob with a spec of the wrong kind names props.spec.schedule', () => {
    const { stack, monitoring, vpc, cluster } = parts();
    const props = {
      monitoring,
      vpc,
      cluster,
      environment: env.name,
      spec: { ...env.jobs[0]!, schedule: '0 3 * * *' },
    } as unknown as ScheduledJobProps;
    const error = specErrorOf(() => new ScheduledJob(stack, 'Nightly', props));
    expect(error.message).toContain('Invalid ScheduledJob props (Stack/Nightly)');
    expect(error.issues.map((i) => i.path)).toEqual(['props.spec.schedule']);
  });

  test.each<[string, (stack: Stack, rest: ReturnType<typeof parts>) => unknown, string[]]>([
    [
      'Network',
      (stack) => new Network(stack, 'X', { name: 'dev', availabilityZones: ['eu-west-1a'] } as unknown as NetworkProps),
      ['props.spec'],
    ],
    [
      'Monitoring',
      (stack) => new Monitoring(stack, 'X', { name: 'dev' } as unknown as MonitoringProps),
      ['props.spec'],
    ],
    [
      'ContainerCluster',
      (stack) => new ContainerCluster(stack, 'X', { name: 'dev', vpc: 'vpc-1' } as unknown as ContainerClusterProps),
      ['props.vpc'],
    ],
    [
      'Backup',
      (stack, rest) =>
        new Backup(stack, 'X', { spec: env.backup, monitoring: rest.monitoring } as unknown as BackupProps),
      ['props.environment'],
    ],
    [
      'Server',
      (stack, rest) => new Server(stack, 'X', { environment: 'dev', vpc: rest.vpc } as unknown as ServerProps),
      ['props.spec', 'props.monitoring'],
    ],
    [
      'Patching',
      (stack) => new Patching(stack, 'X', { spec: env.patching, environment: 'dev' } as unknown as PatchingProps),
      ['props.logGroupName'],
    ],
  ])('%s names itself, its path and each wrong prop', (name, make, paths) => {
    const rest = parts();
    const error = specErrorOf(() => make(rest.stack, rest));
    expect(error.message).toContain(`Invalid ${name} props (Stack/X)`);
    expect(error.issues.map((i) => i.path)).toEqual(paths);
  });

  test('props that are not an object at all are refused as such', () => {
    const { stack } = parts();
    const error = specErrorOf(() => new Monitoring(stack, 'X', undefined as unknown as MonitoringProps));
    expect(error.issues.map((i) => i.path)).toEqual(['props']);
  });
});
