import {
  AWS_STATEFUL_TYPES,
  AZURE_STATEFUL_TYPES,
  checkName,
  DEFAULT_KUBERNETES_VERSION,
  defineEnvironment,
  KUBERNETES_ALARM_BASICS,
  KUBERNETES_ALARMS,
  kubernetesAlarmId,
  makeName,
  SpecError,
  type EnvironmentInput,
} from '../../lib/core';
import { devInput, errorOf, prodInput } from '../util/fixtures';

type KubernetesInput = NonNullable<EnvironmentInput['kubernetes']>;

/** An environment input with this kubernetes section (written as the spec would, valid or not). */
function withCluster(kubernetes: unknown, base: EnvironmentInput = devInput()): EnvironmentInput {
  return { ...base, kubernetes: kubernetes as KubernetesInput };
}

/** The problems a spec produces, as `path: value - message` lines. */
function problems(input: EnvironmentInput): string[] {
  const error = errorOf(() => defineEnvironment(input));
  expect(SpecError.isSpecError(error)).toBe(true);
  return (error as SpecError).issues.map((i) => `${i.path}: ${JSON.stringify(i.value)} - ${i.message}`);
}

const SYSTEM = { name: 'system', size: 'medium', minCount: 3, maxCount: 6, system: true } as const;

describe('kubernetes section: defaults', () => {
  test('an environment without the section has no cluster and no Prometheus', () => {
    const env = defineEnvironment(devInput());
    expect(env.kubernetes).toBeUndefined();
    expect(env.prometheus).toBeUndefined();
  });

  test('development: one system pool of 2-4 medium nodes over the network zones, private API', () => {
    expect(defineEnvironment(withCluster({})).kubernetes).toEqual({
      version: DEFAULT_KUBERNETES_VERSION,
      pools: [{ name: 'system', size: 'medium', minCount: 2, maxCount: 4, zones: 2, system: true, diskGiB: 64 }],
      publicApiCidrs: [],
      egress: [],
      admins: { aws: [], azure: [] },
    });
    expect(DEFAULT_KUBERNETES_VERSION).toBe('1.35');
  });

  test('production: the system pool keeps 3-6 nodes over three zones', () => {
    expect(defineEnvironment(withCluster({}, prodInput())).kubernetes?.pools).toEqual([
      { name: 'system', size: 'medium', minCount: 3, maxCount: 6, zones: 3, system: true, diskGiB: 64 },
    ]);
  });

  test('the system pool comes first, whatever its place in the spec; pool zones default to the network', () => {
    const env = defineEnvironment(
      withCluster({
        version: '1.36',
        pools: [
          { name: 'apps', size: 'large', minCount: 1, maxCount: 10, zones: 1, diskGiB: 128 },
          { name: 'sys', size: 'small', minCount: 2, maxCount: 3, system: true },
        ],
        api: { publicCidrs: ['203.0.113.0/24', '198.51.100.0/24', '203.0.113.0/24'] },
        egress: [{ cidr: '0.0.0.0/0', ports: [443, 80, 443], description: 'package mirrors' }],
        admins: {
          aws: ['arn:aws:iam::111111111111:role/platform-admins'],
          azure: ['AAAAAAAA-0000-0000-0000-000000000000'],
        },
      }),
    );
    expect(env.kubernetes).toEqual({
      version: '1.36',
      pools: [
        { name: 'sys', size: 'small', minCount: 2, maxCount: 3, zones: 2, system: true, diskGiB: 64 },
        { name: 'apps', size: 'large', minCount: 1, maxCount: 10, zones: 1, system: false, diskGiB: 128 },
      ],
      publicApiCidrs: ['198.51.100.0/24', '203.0.113.0/24'],
      egress: [{ cidr: '0.0.0.0/0', ports: [80, 443], description: 'package mirrors' }],
      admins: {
        aws: ['arn:aws:iam::111111111111:role/platform-admins'],
        azure: ['aaaaaaaa-0000-0000-0000-000000000000'],
      },
    });
  });
});

describe('kubernetes section: each bad input is named by its path', () => {
  test('a version both clouds do not offer', () => {
    expect(problems(withCluster({ version: '1.31' }, prodInput()))).toEqual([
      'prod.kubernetes.version: "1.31" - a Kubernetes version both clouds offer: 1.34, 1.35, 1.36',
    ]);
  });

  test('pool sizes out of range', () => {
    expect(
      problems(
        withCluster({
          pools: [
            { ...SYSTEM, minCount: 2 },
            { name: 'apps', size: 'medium', minCount: 5, maxCount: 3 },
            { name: 'big', size: 'medium', minCount: 0, maxCount: 101 },
          ],
        }),
      ),
    ).toEqual([
      'dev.kubernetes.pools[1].maxCount: 3 - at least minCount (5), at most 100',
      'dev.kubernetes.pools[2].minCount: 0 - a whole number of nodes from 1 to 100',
      'dev.kubernetes.pools[2].maxCount: 101 - a whole number of nodes from 1 to 100',
    ]);
  });

  test('a node size that is not in the size table, and a disk out of range', () => {
    expect(problems(withCluster({ pools: [{ ...SYSTEM, size: 'huge', diskGiB: 20 }] }))).toEqual([
      'dev.kubernetes.pools[0].size: "huge" - one of small (2 vCPU, 8 GiB), medium (4 vCPU, 16 GiB), large (8 vCPU, 32 GiB), xlarge (16 vCPU, 64 GiB)',
      'dev.kubernetes.pools[0].diskGiB: 20 - a whole number of GiB from 30 to 1024',
    ]);
  });

  test('pool names: the AKS limit, and unique', () => {
    expect(
      problems(
        withCluster({
          pools: [SYSTEM, { ...SYSTEM, system: false }, { ...SYSTEM, name: 'averylongname', system: false }],
        }),
      ),
    ).toEqual([
      'dev.kubernetes.pools[2].name: "averylongname" - a node pool name of 1-12 lowercase letters and digits, starting with a letter (the AKS limit), such as system or apps',
      'dev.kubernetes.pools[1].name: "system" - a name no other pool has (kubernetes.pools[0] has it)',
    ]);
  });

  test('exactly one system pool', () => {
    expect(problems(withCluster({ pools: [{ ...SYSTEM, system: false }] }))).toEqual([
      `dev.kubernetes.pools: ["system"] - exactly one pool with system: true (it runs the cluster's add-ons; AKS makes it the default node pool)`,
    ]);
    expect(problems(withCluster({ pools: [SYSTEM, { ...SYSTEM, name: 'second' }] }))).toEqual([
      `dev.kubernetes.pools[1].system: true - exactly one system pool; kubernetes.pools[0] is the system pool already (it runs the cluster's add-ons)`,
    ]);
  });

  test("a pool spans no more zones than the environment's network", () => {
    expect(problems(withCluster({ pools: [{ ...SYSTEM, zones: 3 }] }))).toEqual([
      "dev.kubernetes.pools[0].zones: 3 - at most 2: the environment's network spans 2 zones",
    ]);
  });

  test('production: a system node per zone, and never a public API open to the whole Internet', () => {
    expect(
      problems(withCluster({ pools: [{ ...SYSTEM, minCount: 2 }], api: { publicCidrs: ['0.0.0.0/0'] } }, prodInput())),
    ).toEqual([
      "prod.kubernetes.pools[0].minCount: 2 - at least 3 in a production-tier environment: one system node per zone (3) keeps the cluster's add-ons running through the loss of a zone",
      `prod.kubernetes.api.publicCidrs: "0.0.0.0/0" - the blocks of the networks administrators work from, never the whole Internet in a production-tier environment (leave publicCidrs out to keep the API private; it is reached from the environment's network)`,
    ]);
    // Development may open it, for a while.
    expect(defineEnvironment(withCluster({ api: { publicCidrs: ['0.0.0.0/0'] } })).kubernetes?.publicApiCidrs).toEqual([
      '0.0.0.0/0',
    ]);
  });

  test('CIDRs, ports, admins', () => {
    expect(
      problems(
        withCluster({
          api: { publicCidrs: ['203.0.113.1/24'] },
          egress: [{ cidr: 'anywhere', ports: [0], description: '' }],
          admins: { aws: ['arn:aws:iam::1:user/me'], azure: ['admins'] },
        }),
      ),
    ).toEqual([
      'dev.kubernetes.api.publicCidrs[0]: "203.0.113.1/24" - an IPv4 block in CIDR notation, such as 203.0.113.0/24: host bits are set; the network address is 203.0.113.0/24',
      'dev.kubernetes.egress[0].cidr: "anywhere" - a destination IPv4 block in CIDR notation, such as 203.0.113.0/24 or 0.0.0.0/0: not in CIDR notation (for example 10.10.0.0/16)',
      'dev.kubernetes.egress[0].ports[0]: 0 - a TCP port from 1 to 65535',
      'dev.kubernetes.egress[0].description: "" - a description of 1-255 characters saying why workloads need it',
      'dev.kubernetes.admins.aws[0]: "arn:aws:iam::1:user/me" - an IAM role ARN such as arn:aws:iam::123456789012:role/platform-admins',
      'dev.kubernetes.admins.azure[0]: "admins" - an Entra ID group object ID, a GUID such as 00000000-0000-0000-0000-000000000000',
    ]);
  });

  test('every problem at once: fields, cross-field rules and other sections', () => {
    expect(
      problems({
        ...withCluster(
          {
            version: '1.31',
            pools: [
              { ...SYSTEM, minCount: 2 },
              { name: 'apps', size: 'huge', minCount: 4, maxCount: 2 },
              { name: 'system', size: 'small', minCount: 1, maxCount: 1, zones: 3 },
            ],
          },
          prodInput(),
        ),
        network: { cidr: '10.30.0.0/16', zones: 2 },
        monitoring: { emails: ['oncall@example.com'], alarms: { 'kubernetes/node-readiness': { threshold: 0 } } },
      }),
    ).toEqual([
      'prod.kubernetes.version: "1.31" - a Kubernetes version both clouds offer: 1.34, 1.35, 1.36',
      'prod.kubernetes.pools[1].size: "huge" - one of small (2 vCPU, 8 GiB), medium (4 vCPU, 16 GiB), large (8 vCPU, 32 GiB), xlarge (16 vCPU, 64 GiB)',
      'prod.kubernetes.pools[1].maxCount: 2 - at least minCount (4), at most 100',
      'prod.kubernetes.pools[2].name: "system" - a name no other pool has (kubernetes.pools[0] has it)',
      "prod.kubernetes.pools[2].zones: 3 - at most 2: the environment's network spans 2 zones",
      'prod.monitoring.alarms.kubernetes/node-readiness.threshold: 0 - a whole number of at least 1 (this alarm counts nodes that are not ready: at 0 it would always fire)',
    ]);
  });
});

describe('Kubernetes alarms and limits', () => {
  test('three default alarms, ids under kubernetes/, each explaining itself', () => {
    expect(Object.keys(KUBERNETES_ALARMS).map((k) => kubernetesAlarmId(k as keyof typeof KUBERNETES_ALARMS))).toEqual([
      'kubernetes/node-readiness',
      'kubernetes/pod-restarts',
      'kubernetes/api-server-errors',
    ]);
    expect(KUBERNETES_ALARM_BASICS['api-server-errors'].severity).toBe('critical');
    const describe = KUBERNETES_ALARM_BASICS['node-readiness'].description;
    expect(typeof describe === 'function' && describe({ threshold: 2, evaluationPeriods: 4 })).toBe(
      'At least 2 nodes of the cluster were not ready for 20 minutes.',
    );
  });

  test('clusters and Prometheus workspaces hold data', () => {
    for (const type of ['AWS::EKS::Cluster', 'AWS::APS::Workspace']) expect(AWS_STATEFUL_TYPES.has(type)).toBe(true);
    for (const type of ['azurerm_kubernetes_cluster', 'azurerm_monitor_workspace'])
      expect(AZURE_STATEFUL_TYPES.has(type)).toBe(true);
  });

  test('Azure names for the cluster, its pools and Prometheus', () => {
    expect(makeName('azureKubernetesCluster', ['aks', 'platform', 'prod', 'weu'])).toBe('aks-platform-prod-weu');
    expect(makeName('azureKubernetesNodePool', ['apps'])).toBe('apps');
    expect(checkName('azureKubernetesNodePool', 'averylongname')).toMatch(
      /^is not a valid azureKubernetesNodePool name/,
    );
    expect(checkName('azureKubernetesDnsPrefix', '1abc')).toMatch(/starting with a letter/);
    expect(makeName('azureMonitorWorkspace', ['amw', 'platform', 'x'.repeat(60)])).toHaveLength(44);
    expect(checkName('azureDataCollectionEndpoint', 'ab')).toMatch(/^is not a valid/);
  });
});
