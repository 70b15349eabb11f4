import { defineEnvironment, defineEnvironments, SpecError, type EnvironmentInput } from '../../lib/core';
import { devInput, errorOf, prodInput } from '../util/fixtures';

/** The problems a spec produces, as `path: value - message` lines. */
function problems(input: unknown): string[] {
  const error = errorOf(() => defineEnvironment(input as EnvironmentInput));
  expect(SpecError.isSpecError(error)).toBe(true);
  return (error as SpecError).issues.map((i) => `${i.path}: ${JSON.stringify(i.value)} - ${i.message}`);
}

function withInput(change: (input: Record<string, unknown> & EnvironmentInput) => void, base = devInput()): unknown {
  const input = structuredClone(base) as Record<string, unknown> & EnvironmentInput;
  change(input);
  return input;
}

describe('tier defaults', () => {
  test('development: 2 zones, one NAT gateway, 30-day logs, data destroyed, no protection', () => {
    const env = defineEnvironment(devInput());
    expect(env.network).toMatchObject({ zones: 2, natGateways: 1 });
    expect(env.monitoring.logRetentionDays).toBe(30);
    expect(env.protection).toEqual({ retainData: false, deletionProtection: false, terminationProtection: false });
    expect(env.aws.availabilityZones).toEqual(['eu-west-1a', 'eu-west-1b']);
  });

  test('production: 3 zones, a NAT gateway per zone, 365-day logs, data retained, deletion and termination protection', () => {
    const env = defineEnvironment(prodInput());
    expect(env.network).toMatchObject({ zones: 3, natGateways: 3 });
    expect(env.monitoring.logRetentionDays).toBe(365);
    expect(env.protection).toEqual({ retainData: true, deletionProtection: true, terminationProtection: true });
    expect(env.aws.availabilityZones).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
  });

  test('explicit overrides within the allowed values win over the tier', () => {
    const env = defineEnvironment({
      ...prodInput(),
      network: { cidr: '10.30.0.0/16', zones: 2, natGateways: 1 },
      monitoring: { ...prodInput().monitoring, logRetentionDays: 545 },
      protection: { deletionProtection: false },
    });
    expect(env.network).toMatchObject({ zones: 2, natGateways: 1 });
    expect(env.monitoring.logRetentionDays).toBe(545);
    expect(env.protection).toEqual({ retainData: true, deletionProtection: false, terminationProtection: true });
  });

  test('a region with a gap in its zone letters gets its real zones', () => {
    const env = defineEnvironment({ ...prodInput(), aws: { account: '333333333333', region: 'ap-northeast-1' } });
    expect(env.aws.availabilityZones).toEqual(['ap-northeast-1a', 'ap-northeast-1c', 'ap-northeast-1d']);
  });

  test('subnet plan: equal AWS subnets for 3 per zone, four Azure blocks of which three are used', () => {
    const env = defineEnvironment(prodInput());
    expect(env.network.awsSubnetPrefix).toBe(20);
    expect(env.network.azureSubnets).toEqual({
      workloads: '10.30.0.0/18',
      data: '10.30.64.0/18',
      apps: '10.30.128.0/18',
    });
  });

  test('tags gain environment and managed-by, sorted by key', () => {
    const env = defineEnvironment({ ...devInput(), tags: { owner: 'team-a', 'cost-center': '42' } });
    expect(Object.entries(env.tags)).toEqual([
      ['cost-center', '42'],
      ['environment', 'dev'],
      ['managed-by', 'platform-constructs'],
      ['owner', 'team-a'],
    ]);
  });

  test('the azurerm backend key defaults to the stack name', () => {
    const env = defineEnvironment({
      ...devInput(),
      azure: {
        location: 'westeurope',
        backend: { resourceGroupName: 'rg-state', storageAccountName: 'ststate', containerName: 'tfstate' },
      },
    });
    expect(env.azure.backend?.key).toBe('platform-dev.tfstate');
    expect(env.azure.locationCode).toBe('weu');
  });

  test('the resolved environment is frozen, so no construct can change it for another', () => {
    const env = defineEnvironment(devInput());
    expect(Object.isFrozen(env)).toBe(true);
    expect(Object.isFrozen(env.network)).toBe(true);
    expect(Object.isFrozen(env.monitoring.emails)).toBe(true);
  });
});

describe('field rules', () => {
  test.each([
    ['Prod', 'uppercase'],
    ['a', 'too short'],
    ['abcdefghijklm', 'too long'],
    ['dev--x', 'double hyphen'],
    ['1dev', 'starts with a digit'],
    ['dev-', 'ends with a hyphen'],
  ])('name %j is rejected (%s)', (name) => {
    expect(problems(withInput((i) => (i.name = name)))).toContainEqual(
      expect.stringMatching(/^environment\.name: ".*" - lowercase letters, digits and single hyphens, 2-12 characters/),
    );
  });

  test('tier must be development or production', () => {
    expect(problems(withInput((i) => ((i as Record<string, unknown>).tier = 'staging')))).toContain(
      `dev.tier: "staging" - one of 'development', 'production'`,
    );
  });

  test('aws.account must be 12 digits as a string', () => {
    expect(problems(withInput((i) => (i.aws.account = '1234')))).toContain(
      'dev.aws.account: "1234" - an AWS account ID of 12 digits, as a string',
    );
    expect(problems(withInput((i) => ((i.aws as Record<string, unknown>).account = 123456789012)))).toContain(
      'dev.aws.account: 123456789012 - expected a string',
    );
  });

  test('aws.region must be a known region with 3 zones', () => {
    expect(problems(withInput((i) => (i.aws.region = 'mars-east-1')))).toContainEqual(
      expect.stringMatching(
        /^dev\.aws\.region: "mars-east-1" - an AWS region with 3 availability zones: af-south-1, .*eu-west-1/,
      ),
    );
  });

  test('aws.availabilityZones must belong to the region, be distinct and cover the zones', () => {
    expect(problems(withInput((i) => (i.aws.availabilityZones = ['us-east-1a', 'eu-west-1b'])))).toContain(
      'dev.aws.availabilityZones: ["us-east-1a"] - zones of the region eu-west-1 (such as eu-west-1a)',
    );
    expect(problems(withInput((i) => (i.aws.availabilityZones = ['eu-west-1a', 'eu-west-1a'])))).toContain(
      'dev.aws.availabilityZones: ["eu-west-1a","eu-west-1a"] - each zone once',
    );
    expect(problems(withInput((i) => (i.aws.availabilityZones = ['eu-west-1a', 'eu-west-1b']), prodInput()))).toContain(
      'prod.aws.availabilityZones: ["eu-west-1a","eu-west-1b"] - network.zones is 3; list at least 3 availability zones',
    );
  });

  test('azure.location must be a location with availability zones', () => {
    expect(problems(withInput((i) => (i.azure.location = 'westus')))).toContainEqual(
      expect.stringMatching(
        /^dev\.azure\.location: "westus" - an Azure location with availability zones: .*westeurope/,
      ),
    );
  });

  test('azure.subscriptionId must be a GUID, in either case, and resolves in lowercase', () => {
    expect(problems(withInput((i) => (i.azure.subscriptionId = 'my-sub')))).toContain(
      'dev.azure.subscriptionId: "my-sub" - a subscription ID: a GUID such as 00000000-0000-0000-0000-000000000000',
    );
    const env = defineEnvironment(
      withInput((i) => (i.azure.subscriptionId = 'ABCDEF01-2345-6789-ABCD-EF0123456789')) as EnvironmentInput,
    );
    expect(env.azure.subscriptionId).toBe('abcdef01-2345-6789-abcd-ef0123456789');
  });

  test('azure.backend key and resource group follow their rules', () => {
    const lines = problems(
      withInput(
        (i) =>
          (i.azure.backend = {
            resourceGroupName: 'rg/state',
            storageAccountName: 'ststate',
            containerName: 'tfstate',
            key: 'state.json',
          }),
      ),
    );
    expect(lines).toContain('dev.azure.backend.key: "state.json" - a blob name ending in .tfstate');
    expect(lines).toContain(
      'dev.azure.backend.resourceGroupName: "rg/state" - 1-90 letters, digits, hyphens, underscores, periods or parentheses',
    );
  });

  test('aws.availabilityZones are zone names, 2 or 3 of them', () => {
    const lines = problems(withInput((i) => (i.aws.availabilityZones = ['eu-west-1x', 'eu-west-1'])));
    expect(lines).toContain(
      'dev.aws.availabilityZones[0]: "eu-west-1x" - an availability zone name: the region and a letter from a to f, such as eu-west-1a',
    );
    expect(lines).toContain(
      'dev.aws.availabilityZones[1]: "eu-west-1" - an availability zone name: the region and a letter from a to f, such as eu-west-1a',
    );
    expect(problems(withInput((i) => (i.aws.availabilityZones = ['eu-west-1a'])))).toContain(
      'dev.aws.availabilityZones: ["eu-west-1a"] - at least 2 availability zones',
    );
    expect(
      problems(withInput((i) => (i.aws.availabilityZones = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c', 'eu-west-1d']))),
    ).toContain(
      'dev.aws.availabilityZones: ["eu-west-1a","eu-west-1b","eu-west-1c","eu-west-1d"] - at most 3 availability zones',
    );
  });

  test('azure.backend names follow Azure Storage rules', () => {
    const lines = problems(
      withInput(
        (i) => (i.azure.backend = { resourceGroupName: 'rg', storageAccountName: 'St-State', containerName: 'TF' }),
      ),
    );
    expect(lines).toContain('dev.azure.backend.storageAccountName: "St-State" - 3-24 lowercase letters and digits');
    expect(lines).toContainEqual(expect.stringMatching(/^dev\.azure\.backend\.containerName: "TF" - 3-63 lowercase/));
  });

  test.each([
    ['10.0.0', 'a private IPv4 network in CIDR notation: not in CIDR notation (for example 10.10.0.0/16)'],
    ['10.0.0.1/16', 'a private IPv4 network in CIDR notation: host bits are set; the network address is 10.0.0.0/16'],
    ['10.0.0.0/12', 'a prefix from /16 to /24'],
    ['10.0.0.0/25', 'a prefix from /16 to /24'],
    ['8.8.0.0/16', 'a private range (RFC 1918): inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16'],
    ['300.0.0.0/16', 'a private IPv4 network in CIDR notation: an octet is above 255'],
    ['010.010.0.0/16', 'a private IPv4 network in CIDR notation: an octet has a leading zero'],
  ])('network.cidr %j: %s', (cidr, message) => {
    expect(problems(withInput((i) => (i.network.cidr = cidr)))).toContain(
      `dev.network.cidr: ${JSON.stringify(cidr)} - ${message}`,
    );
  });

  test('network.cidr must hold every subnet of the zone count at /27 or larger', () => {
    expect(
      defineEnvironment(withInput((i) => (i.network.cidr = '10.10.0.0/24')) as EnvironmentInput).network
        .awsSubnetPrefix,
    ).toBe(27);
    expect(problems(withInput((i) => (i.network.cidr = '10.30.0.0/24'), prodInput()))).toContain(
      'prod.network.cidr: "10.30.0.0/24" - 3 zones need 9 subnets of at least /27 (public, private and isolated per zone); use a prefix from /16 to /23',
    );
  });

  test('network.zones is 2 or 3', () => {
    expect(problems(withInput((i) => (i.network.zones = 1)))).toContain('dev.network.zones: 1 - 2 or 3 zones');
    expect(problems(withInput((i) => (i.network.zones = 4)))).toContain('dev.network.zones: 4 - 2 or 3 zones');
  });

  test('network.natGateways is at most one per zone', () => {
    expect(problems(withInput((i) => (i.network.natGateways = 3)))).toContain(
      'dev.network.natGateways: 3 - at most one per zone: 1 to 2',
    );
    expect(problems(withInput((i) => (i.network.natGateways = 0)))).toContain(
      'dev.network.natGateways: 0 - at least 1 NAT gateway',
    );
  });

  test('monitoring.logRetentionDays is a value both clouds accept', () => {
    expect(problems(withInput((i) => (i.monitoring = { logRetentionDays: 7 as 30 })))).toContain(
      'dev.monitoring.logRetentionDays: 7 - one of 30, 60, 90, 120, 150, 180, 365, 400, 545 days (valid in both CloudWatch Logs and Log Analytics)',
    );
  });

  test('tags.owner is required', () => {
    expect(problems(withInput((i) => (i.tags = { team: 'x' })))).toContain(
      'dev.tags.owner: undefined - required: the team that owns the environment',
    );
  });

  test('tags the library sets, the aws: prefix and characters Azure rejects are refused', () => {
    const lines = problems(withInput((i) => (i.tags = { owner: 'x', environment: 'y', 'aws:foo': 'z', 'a/b': 'c' })));
    expect(lines).toContain('dev.tags.environment: "y" - set by the library; remove it from the spec');
    expect(lines).toContain('dev.tags.aws:foo: "z" - the aws: prefix is reserved by AWS');
    expect(lines).toContainEqual(expect.stringMatching(/^dev\.tags\.a\/b: "c" - the key must be 1-128 letters/));
  });

  test('tag keys are unique regardless of case, and reserved keys are refused in any case', () => {
    const lines = problems(withInput((i) => (i.tags = { owner: 'x', Owner: 'y', Environment: 'prod' })));
    expect(lines).toContain(
      'dev.tags.Owner: "y" - the same key as "owner" in another case; Azure tag names ignore case',
    );
    expect(lines).toContain('dev.tags.Environment: "prod" - set by the library; remove it from the spec');
  });

  test('tag values use the characters AWS allows, at most 256', () => {
    expect(problems(withInput((i) => (i.tags = { owner: 'team <a>' })))).toContain(
      'dev.tags.owner: "team <a>" - a tag value of at most 256 letters, digits, spaces and _ . : / = + - @',
    );
    expect(problems(withInput((i) => (i.tags = { owner: 'x'.repeat(257) })))).toHaveLength(1);
  });

  test('at most 45 tags, leaving room for the ones the library and the clouds add', () => {
    const tags = Object.fromEntries(Array.from({ length: 46 }, (_, n) => [`tag${n}`, 'v']));
    expect(problems(withInput((i) => (i.tags = { ...tags, owner: 'x' })))).toContainEqual(
      expect.stringMatching(
        /^dev\.tags: \{.*\} - at most 45 tags \(the clouds allow 50 per resource, and the library adds its own\)$/,
      ),
    );
  });

  test('monitoring takes email addresses and https URLs', () => {
    const lines = problems(
      withInput((i) => (i.monitoring = { emails: ['not-an-email'], webhookUrls: ['http://hooks.example.com/x'] })),
    );
    expect(lines).toContain('dev.monitoring.emails[0]: "not-an-email" - an email address such as ops@example.com');
    expect(lines).toContain('dev.monitoring.webhookUrls[0]: "http://hooks.example.com/x" - an https:// URL');
  });

  test('a production-tier environment must send alerts somewhere', () => {
    expect(problems(withInput((i) => delete i.monitoring, prodInput()))).toContain(
      'prod.monitoring.routing.critical: ["email","webhook"] - a production-tier environment needs an email address or webhook URL that critical alerts are routed to',
    );
  });

  test('a production-tier environment cannot give up data retention', () => {
    expect(problems(withInput((i) => (i.protection = { retainData: false }), prodInput()))).toContain(
      'prod.protection.retainData: false - production-tier environments always retain their data; use tier "development" for a disposable environment',
    );
  });

  test('a production-tier environment cannot give up termination protection', () => {
    expect(problems(withInput((i) => (i.protection = { terminationProtection: false }), prodInput()))).toContain(
      'prod.protection.terminationProtection: false - production-tier stacks keep termination protection, so a stack deletion cannot orphan their retained data; use tier "development" for a disposable environment',
    );
  });

  test('unknown fields are named with the fields allowed there', () => {
    const lines = problems(withInput((i) => Object.assign(i, { netwrok: {} }, { aws: { ...i.aws, acount: '1' } })));
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^dev\.netwrok: \{\} - unknown field; allowed fields here: name, tier, aws, azure, tags, network,/,
      ),
    );
    expect(lines).toContain(
      'dev.aws.acount: "1" - unknown field; allowed fields here: account, region, availabilityZones',
    );
  });

  test('a missing required field says it is required', () => {
    expect(problems(withInput((i) => delete (i as Partial<EnvironmentInput>).network))).toContain(
      'dev.network: undefined - required: an object',
    );
  });
});

describe('every problem at once', () => {
  test('field errors and cross-field errors of one environment come together', () => {
    const lines = problems({
      ...prodInput(),
      aws: { account: 'x', region: 'eu-west-1' },
      network: { cidr: '10.0.0.0/24' },
      protection: { retainData: false },
      tags: {},
    });
    expect(lines).toEqual([
      'prod.aws.account: "x" - an AWS account ID of 12 digits, as a string',
      'prod.tags.owner: undefined - required: the team that owns the environment',
      'prod.network.cidr: "10.0.0.0/24" - 3 zones need 9 subnets of at least /27 (public, private and isolated per zone); use a prefix from /16 to /23',
      'prod.protection.retainData: false - production-tier environments always retain their data; use tier "development" for a disposable environment',
    ]);
  });

  test('a bad region or account does not hide the network rules', () => {
    expect(
      problems({
        ...prodInput(),
        aws: { account: '1', region: 'eu-west-9' },
        network: { cidr: '10.0.0.0/24' },
      }),
    ).toEqual([
      'prod.aws.account: "1" - an AWS account ID of 12 digits, as a string',
      expect.stringMatching(/^prod\.aws\.region: "eu-west-9" - an AWS region with 3 availability zones/),
      'prod.network.cidr: "10.0.0.0/24" - 3 zones need 9 subnets of at least /27 (public, private and isolated per zone); use a prefix from /16 to /23',
    ]);
  });

  test('the error message lists each problem as path: value - what is allowed', () => {
    const error = errorOf(() => defineEnvironment({ ...devInput(), name: 'X' }));
    expect(error.message).toBe(
      'Invalid environment spec (1 problem):\n  - environment.name: "X" - lowercase letters, digits and single hyphens, 2-12 characters, starting with a letter and ending with a letter or digit',
    );
  });
});

describe('rules across environments', () => {
  test('names are unique', () => {
    const error = errorOf(() =>
      defineEnvironments([devInput(), { ...devInput(), network: { cidr: '10.99.0.0/16' } }]),
    ) as SpecError;
    expect(error.issues.map((i) => `${i.path} - ${i.message}`)).toEqual([
      'environments[1].name - unique across environments; environments[0] has it already',
    ]);
  });

  test('networks do not overlap', () => {
    const error = errorOf(() =>
      defineEnvironments([devInput(), { ...prodInput(), network: { cidr: '10.10.128.0/17' } }]),
    ) as SpecError;
    expect(error.issues.map((i) => `${i.path}: ${String(i.value)} - ${i.message}`)).toEqual([
      'prod.network.cidr: 10.10.128.0/17 - a block that does not overlap dev.network.cidr (10.10.0.0/16), so environments can be peered',
    ]);
  });

  test('an overlap is reported even when one of the environments has other problems', () => {
    const error = errorOf(() =>
      defineEnvironments([devInput(), { ...prodInput(), tags: { team: 'x' }, network: { cidr: '10.10.0.0/16' } }]),
    ) as SpecError;
    expect(error.issues.map((i) => i.path)).toEqual(['prod.tags.owner', 'prod.network.cidr']);
  });

  test('problems in several environments are reported together, an unnamed one by its index', () => {
    const error = errorOf(() =>
      defineEnvironments([
        { ...devInput(), tier: 'test' } as unknown as EnvironmentInput,
        { ...prodInput(), name: 'PROD' },
      ]),
    ) as SpecError;
    expect(error.issues.map((i) => i.path)).toEqual(['dev.tier', 'environments[1].name']);
  });

  test('valid environments resolve in order', () => {
    expect(defineEnvironments([devInput(), prodInput()]).map((e) => e.name)).toEqual(['dev', 'prod']);
  });
});
