import {
  DEFAULT_TOOL_VERSIONS,
  defineDelivery,
  defineEnvironments,
  gatedEnvironments,
  SpecError,
  type DeliveryInput,
  type EnvironmentInput,
} from '../../lib/core';
import { delivery as exampleDelivery } from '../../stacks/environments/delivery';
import { ENVIRONMENT_INPUTS } from '../../stacks/environments';
import { errorOf } from '../util/fixtures';

const CONNECTION = 'arn:aws:codeconnections:eu-west-1:999999999999:connection/3f1c2b7a-8d4e-4c1a-9b2f-6e5d4c3b2a10';
const BACKEND = { resourceGroupName: 'rg-state', storageAccountName: 'ststate', containerName: 'tfstate' };

function env(name: string, tier: 'development' | 'production', cidr: string, extra: object = {}): EnvironmentInput {
  return {
    name,
    tier,
    aws: { account: '111111111111', region: 'eu-west-1' },
    azure: { location: 'westeurope', backend: BACKEND },
    network: { cidr },
    tags: { owner: 'platform' },
    ...(tier === 'production' && { monitoring: { emails: ['ops@example.com'] } }),
    ...extra,
  } as EnvironmentInput;
}

const DEV = env('dev', 'development', '10.10.0.0/16');
const STAGING = env('staging', 'production', '10.20.0.0/16', { aws: { account: '222222222222', region: 'eu-west-1' } });
const PROD = env('prod', 'production', '10.30.0.0/16', { aws: { account: '333333333333', region: 'eu-west-1' } });

const INPUT: DeliveryInput = {
  repository: 'acme/platform',
  aws: { account: '999999999999', region: 'eu-west-1', connectionArn: CONNECTION },
  azure: {},
};

/** The problems, as `path: value - message` lines. */
function problems(input: unknown, environments: readonly EnvironmentInput[]): string[] {
  const resolved = defineEnvironments(environments);
  const error = errorOf(() => defineDelivery(input as DeliveryInput, resolved));
  expect(SpecError.isSpecError(error)).toBe(true);
  return (error as SpecError).issues.map((i) => `${i.path}: ${JSON.stringify(i.value)} - ${i.message}`);
}

describe('defineDelivery', () => {
  test('resolves the defaults: branch main, terraform at its pinned release, no approval emails, the list order', () => {
    const spec = defineDelivery(INPUT, defineEnvironments([DEV, STAGING, PROD]));
    expect(spec.branch).toBe('main');
    expect(spec.azure).toEqual({ tool: 'terraform', version: DEFAULT_TOOL_VERSIONS.terraform });
    expect(spec.aws).toEqual({ ...INPUT.aws, approvalEmails: [] });
    expect(spec.environments.map((e) => e.name)).toEqual(['dev', 'staging', 'prod']);
    expect(Object.isFrozen(spec.environments)).toBe(true);
  });

  test('OpenTofu takes its own default release unless one is given', () => {
    const environments = defineEnvironments([DEV]);
    expect(defineDelivery({ ...INPUT, azure: { tool: 'opentofu' } }, environments).azure).toEqual({
      tool: 'opentofu',
      version: DEFAULT_TOOL_VERSIONS.opentofu,
    });
    expect(
      defineDelivery({ ...INPUT, azure: { tool: 'opentofu', version: '1.9.1' } }, environments).azure?.version,
    ).toBe('1.9.1');
  });

  test('the example delivery resolves over the example environments', () => {
    const spec = defineDelivery(exampleDelivery, defineEnvironments(ENVIRONMENT_INPUTS));
    expect(spec.environments.map((e) => `${e.name}:${e.tier}`)).toEqual([
      'dev:development',
      'staging:production',
      'prod:production',
    ]);
  });

  test('a development-tier environment after a production-tier one is refused with both positions', () => {
    const late = env('sandbox', 'development', '10.40.0.0/16');
    expect(problems(INPUT, [DEV, STAGING, late, PROD])).toEqual([
      `environments[2].tier: "development" - a development-tier environment ('sandbox') cannot be promoted to after a ` +
        `production-tier one (environments[1] 'staging'); move it before`,
    ]);
  });

  test('a missing connection, a malformed one, and one in another account or region are named', () => {
    const environments = [DEV, STAGING, PROD];
    const noConnection = { account: '999999999999', region: 'eu-west-1' };
    expect(problems({ ...INPUT, aws: noConnection }, environments)).toEqual([
      'delivery.aws.connectionArn: undefined - required: the ARN of a CodeConnections connection to the repository',
    ]);
    expect(problems({ ...INPUT, aws: { ...INPUT.aws, connectionArn: 'github.com/acme' } }, environments)).toEqual([
      'delivery.aws.connectionArn: "github.com/acme" - a CodeConnections connection ARN: ' +
        'arn:aws:codeconnections:<region>:<account>:connection/<id>',
    ]);
    const elsewhere = CONNECTION.replace('eu-west-1:999999999999', 'us-east-1:123456789012');
    expect(problems({ ...INPUT, aws: { ...INPUT.aws, connectionArn: elsewhere } }, environments)).toEqual([
      `delivery.aws.connectionArn: "${elsewhere}" - a connection in the pipeline's region eu-west-1; this one is in us-east-1`,
      `delivery.aws.connectionArn: "${elsewhere}" - a connection in the pipeline's account 999999999999; this one is in 123456789012`,
    ]);
  });

  test('two environments in one account and region whose names would clash are refused; other accounts may', () => {
    const prodEu = env('prod-eu', 'production', '10.50.0.0/16', {
      aws: { account: '333333333333', region: 'eu-west-1' },
    });
    expect(problems(INPUT, [DEV, STAGING, PROD, prodEu])).toEqual([
      `environments[3].name: "prod-eu" - a name that does not begin with 'prod-' (environments[2].name) in the same ` +
        `account and region (333333333333 eu-west-1): resources named platform-prod-* would clash; use another ` +
        `account or name`,
    ]);
    const apart = env('prod-eu', 'production', '10.50.0.0/16', {
      aws: { account: '444444444444', region: 'eu-west-1' },
    });
    expect(defineDelivery(INPUT, defineEnvironments([DEV, STAGING, PROD, apart])).environments).toHaveLength(4);
  });

  test("'delivery' is reserved, and names beginning with 'delivery-' in the pipeline's account and region", () => {
    const named = env('delivery', 'development', '10.60.0.0/16', {
      aws: { account: '777777777777', region: 'eu-west-1' },
    });
    const near = env('delivery-x', 'development', '10.70.0.0/16', {
      aws: { account: '999999999999', region: 'eu-west-1' },
    });
    expect(problems(INPUT, [named, near, PROD])).toEqual([
      `environments[0].name: "delivery" - another name: 'delivery' names the pipeline's stacks (platform-delivery) and their golden list`,
      `environments[1].name: "delivery-x" - a name that does not begin with 'delivery' in the pipeline's account and ` +
        `region (999999999999 eu-west-1): the pipeline's resources are named platform-delivery-*`,
    ]);
  });

  test('on Azure every environment needs its own state blob', () => {
    const local = env('dev', 'development', '10.10.0.0/16', { azure: { location: 'westeurope' } });
    const shared = env('prod', 'production', '10.30.0.0/16', {
      aws: { account: '333333333333', region: 'eu-west-1' },
      azure: { location: 'westeurope', backend: { ...BACKEND, key: 'platform-staging.tfstate' } },
    });
    expect(problems({ ...INPUT, aws: undefined }, [local, STAGING, shared])).toEqual([
      'dev.azure.backend: undefined - required to apply from GitHub Actions: an azurerm state backend (local state does not outlive the runner)',
      'prod.azure.backend.key: "platform-staging.tfstate" - a state blob of its own; staging.azure.backend keeps its state in ststate/tfstate/platform-staging.tfstate already',
    ]);
    // Without an Azure delivery, local development state stays allowed.
    expect(defineDelivery({ ...INPUT, azure: undefined }, defineEnvironments([local])).azure).toBeUndefined();
  });

  test('every problem at once: fields of the delivery and rules over the environments', () => {
    const late = env('sandbox', 'development', '10.40.0.0/16');
    const lines = problems(
      {
        repository: 'not a repo',
        branch: '-x',
        aws: { account: '1', region: 'eu-west-1', connectionArn: CONNECTION },
        azure: { tool: 'pulumi' },
        extra: 1,
      },
      [STAGING, late],
    );
    expect(lines.map((l) => l.split(':')[0])).toEqual([
      'delivery.repository',
      'delivery.branch',
      'delivery.aws.account',
      'delivery.azure.tool',
      'delivery.extra',
      'environments[1].tier',
    ]);
  });

  test('a delivery to neither cloud is refused', () => {
    expect(problems({ repository: 'acme/platform' }, [DEV])).toEqual([
      'delivery: undefined - at least one of aws or azure: the clouds the platform is delivered to',
    ]);
  });
});

describe('gatedEnvironments', () => {
  test('of several production-tier environments the first rehearses and the later ones are gated', () => {
    expect(gatedEnvironments(['development', 'production', 'production'])).toEqual([false, false, true]);
    expect(gatedEnvironments(['development', 'production', 'production', 'production'])).toEqual([
      false,
      false,
      true,
      true,
    ]);
  });

  test('a lone production-tier environment is gated; development tiers never are', () => {
    expect(gatedEnvironments(['development', 'production'])).toEqual([false, true]);
    expect(gatedEnvironments(['production'])).toEqual([true]);
    expect(gatedEnvironments(['development', 'development'])).toEqual([false, false]);
  });
});
