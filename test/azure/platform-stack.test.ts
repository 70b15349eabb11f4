import * as workspace from '@cdktf/provider-azurerm/lib/log-analytics-workspace';
import * as resourceGroup from '@cdktf/provider-azurerm/lib/resource-group';
import { App, TerraformStack, Testing } from 'cdktf';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  DATA_SAFE_FEATURES,
  dataSafeProviderFeatures,
  PlatformStack,
  REQUIRED_TERRAFORM_VERSION,
  type PlatformStackProps,
} from '../../lib/azure';
import { SpecError } from '../../lib/core';
import { errorOf } from '../util/fixtures';
import { readStackJson } from '../util/terraform';
import { temporaryFolders } from '../util/temp';

const root = path.resolve(__dirname, '../..');
const tempDir = temporaryFolders('platform-stack-');

const BACKEND = { resourceGroupName: 'rg-tfstate', storageAccountName: 'stteamtfstate', containerName: 'tfstate' };

/** The parts of a stack's cdk.tf.json these tests read. */
interface StackJson {
  readonly provider: { readonly azurerm: readonly { readonly features: readonly unknown[] }[] };
  readonly terraform: {
    readonly required_version?: string;
    readonly required_providers: { readonly azurerm: { readonly source: string } };
    readonly backend: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  };
  readonly resource?: Readonly<Record<string, Readonly<Record<string, { readonly lifecycle?: unknown }>>>>;
}

function synthStack(props: PlatformStackProps, build?: (stack: PlatformStack) => void): StackJson {
  const stack = new PlatformStack(Testing.app({ outdir: tempDir() }), 'payments-dev', props);
  build?.(stack);
  return JSON.parse(Testing.synth(stack)) as StackJson;
}

/** camelCase provider config keys as Terraform JSON writes them. */
function snakeCase(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeCase);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), snakeCase(v)]),
    );
  }
  return value;
}

/** Every boolean switch of the features block, as `block.switch`. */
function switchesOf(features: unknown): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const [block, list] of Object.entries(features as Record<string, Record<string, boolean>[]>)) {
    for (const [name, value] of Object.entries(list[0]!)) out[`${block}.${name}`] = value;
  }
  return out;
}

/** Every string in a JSON value, with its path. */
function stringsIn(value: unknown, at = '$'): [string, string][] {
  if (typeof value === 'string') return [[at, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringsIn(v, `${at}[${i}]`));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => [
      [`${at}.${k}#key`, k] as [string, string],
      ...stringsIn(v, `${at}.${k}`),
    ]);
  }
  return [];
}

/** The strings in every JSON file under a folder that are or contain a path of this machine. */
function machinePathsUnder(outdir: string): string[] {
  const files = (fs.readdirSync(outdir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
    .map((entry) => path.join(entry.parentPath, entry.name));
  expect(files.map((f) => path.relative(outdir, f)).sort()).toEqual(
    expect.arrayContaining(['manifest.json', path.join('stacks', 'payments-dev', 'cdk.tf.json')]),
  );
  return files.flatMap((file) =>
    stringsIn(JSON.parse(fs.readFileSync(file, 'utf8')))
      // `//` is Terraform JSON's comment key, not a path.
      .filter(
        ([, s]) =>
          (s.startsWith('/') && s !== '//') || s.includes(root) || s.includes(os.tmpdir()) || s.includes(outdir),
      )
      .map(([at, s]) => `${path.relative(outdir, file)} ${at}: ${s}`),
  );
}

describe('PlatformStack', () => {
  test('configures azurerm with exactly the data-safe features', () => {
    const tf = synthStack({ tier: 'development' });
    expect(tf.provider.azurerm).toHaveLength(1);
    expect(tf.provider.azurerm[0]!.features).toEqual([snakeCase(DATA_SAFE_FEATURES)]);
  });

  test('the data-safe features keep data on destroy: no purge, permanent or forced delete; recover and prevent', () => {
    const switches = switchesOf(synthStack({ tier: 'development' }).provider.azurerm[0]!.features[0]);
    // The guardrails name these four (shared/GUARDRAILS.md).
    expect(switches).toMatchObject({
      'key_vault.purge_soft_delete_on_destroy': false,
      'virtual_machine.delete_os_disk_on_deletion': false,
      'recovery_service.vm_backup_stop_protection_and_retain_data_on_destroy': true,
      'resource_group.prevent_deletion_if_contains_resources': true,
    });
    const switchOf = (name: string): string => name.split('.')[1]!;
    const destroying = Object.entries(switches).filter(([name]) =>
      /purge|permanently_delete|force_delete|delete_os_disk|delete_backups|delete_nested_items|skip_shutdown/.test(
        switchOf(name),
      ),
    );
    const keeping = Object.entries(switches).filter(([name]) =>
      /recover|prevent|retain_data|detach/.test(switchOf(name)),
    );
    expect(destroying.length + keeping.length).toBe(Object.keys(switches).length);
    expect(destroying.filter(([, on]) => on)).toEqual([]);
    expect(keeping.filter(([, on]) => !on)).toEqual([]);
  });

  test('the platform stacks and PlatformStack share one frozen feature set; dataSafeProviderFeatures is a copy', () => {
    expect(Object.isFrozen(DATA_SAFE_FEATURES)).toBe(true);
    expect(Object.isFrozen(DATA_SAFE_FEATURES.keyVault)).toBe(true);
    const copy = dataSafeProviderFeatures();
    expect(copy).toEqual(DATA_SAFE_FEATURES);
    expect(copy).not.toBe(DATA_SAFE_FEATURES);
    expect(Object.isFrozen(copy)).toBe(false);
  });

  test('requires a Terraform version terraform 1.5+ and every OpenTofu release accept, and the full provider source', () => {
    const tf = synthStack({ tier: 'development' });
    expect(tf.terraform.required_version).toBe(REQUIRED_TERRAFORM_VERSION);
    expect(tf.terraform.required_providers.azurerm.source).toBe('hashicorp/azurerm');
    const minimum = /^>= (\d+)\.(\d+)\.(\d+)$/.exec(REQUIRED_TERRAFORM_VERSION);
    expect(minimum?.slice(1).map(Number)).toEqual([1, 5, 0]);
    // OpenTofu's first release is 1.6.0, so a lower bound of 1.5.0 with no upper bound accepts every OpenTofu.
  });

  test('development keeps local state by a relative path at the project root', () => {
    expect(synthStack({ tier: 'development' }).terraform.backend).toEqual({
      local: { path: '../../../terraform.payments-dev.tfstate' },
    });
  });

  test('with a backend, state goes to Azure Storage with Entra ID, the key defaulting to <stack>.tfstate', () => {
    expect(synthStack({ tier: 'production', backend: BACKEND }).terraform.backend).toEqual({
      azurerm: {
        resource_group_name: 'rg-tfstate',
        storage_account_name: 'stteamtfstate',
        container_name: 'tfstate',
        key: 'payments-dev.tfstate',
        use_azuread_auth: true,
      },
    });
    expect(
      synthStack({ tier: 'development', backend: { ...BACKEND, key: 'teams/payments.tfstate' } }).terraform.backend
        .azurerm?.key,
    ).toBe('teams/payments.tfstate');
  });

  test('refuses a production-tier stack with local state', () => {
    const error = errorOf(
      () => new PlatformStack(Testing.app({ outdir: tempDir() }), 'payments-prod', { tier: 'production' }),
    );
    expect(error).toBeInstanceOf(SpecError);
    expect(error.message).toMatch(/props\.backend: \(missing\) - an azurerm backend .* for a production-tier stack/);
  });

  test('reports every invalid prop at once', () => {
    const error = errorOf(
      () =>
        new PlatformStack(Testing.app({ outdir: tempDir() }), 'payments-dev', {
          tier: 'staging' as unknown as 'production',
          subscriptionId: 'not-a-guid',
          backend: { resourceGroupName: 'rg', storageAccountName: 'Bad_Name', containerName: 'x', key: '/abs.tfstate' },
        }),
    );
    expect(error.message).toMatch(/props\.tier: "staging" - one of 'development', 'production'/);
    expect(error.message).toMatch(/props\.subscriptionId: "not-a-guid" - a subscription ID/);
    expect(error.message).toMatch(/props\.backend\.storageAccountName: "Bad_Name" - 3-24 lowercase/);
    expect(error.message).toMatch(/props\.backend\.containerName: "x" - 3-63 lowercase/);
    expect(error.message).toMatch(/props\.backend\.key: "\/abs\.tfstate" - a relative blob name/);
  });

  test('refuses props of the wrong kind with the construct path', () => {
    const error = errorOf(
      () => new PlatformStack(Testing.app({ outdir: tempDir() }), 'x', { tier: 1 } as unknown as PlatformStackProps),
    );
    expect(error.message).toMatch(/Invalid PlatformStack props \(x\)/);
    expect(error.message).toMatch(/props\.tier: 1 - the environment's tier/);
  });

  test('sets the subscription when given', () => {
    const tf = synthStack({ tier: 'development', subscriptionId: '00000000-0000-0000-0000-000000000001' });
    expect(tf.provider.azurerm[0]).toMatchObject({ subscription_id: '00000000-0000-0000-0000-000000000001' });
  });

  test.each([
    ['production', { prevent_destroy: true }],
    ['development', undefined],
  ] as const)('%s tier decides whether resources that hold data are protected', (tier, lifecycle) => {
    const tf = synthStack({ tier, backend: BACKEND }, (stack) => {
      new resourceGroup.ResourceGroup(stack, 'group', { name: 'rg-payments', location: 'westeurope' });
    });
    expect(tf.resource?.azurerm_resource_group?.group?.lifecycle).toEqual(lifecycle);
  });

  test.each(['production', 'development'] as const)('runs the %s rule pack', (tier) => {
    const outdir = tempDir();
    const app = new App({ outdir });
    new PlatformStack(app, 'payments-dev', { tier, backend: BACKEND });
    app.synth();
    const tf = readStackJson(outdir, 'payments-dev');
    expect(tf['//']?.['platform-policy']?.tier).toBe(tier);
    expect(tf['//']?.['platform-policy']?.rules).toEqual(expect.arrayContaining(['PC_AZURE_PREVENT_DESTROY']));
  });

  test('an unacknowledged finding fails synthesis', () => {
    const app = new App({ outdir: tempDir() });
    const stack = new PlatformStack(app, 'payments-dev', { tier: 'development' });
    new workspace.LogAnalyticsWorkspace(stack, 'logs', {
      name: 'log-payments',
      location: 'westeurope',
      resourceGroupName: 'rg-payments',
      sku: 'PerGB2018',
    });
    expect(() => app.synth()).toThrow(/PC_AZURE_LOG_RETENTION/);
  });

  test('the synthesized files hold no path of the machine (cdktf default local state does)', () => {
    const outdir = tempDir();
    const app = new App({ outdir });
    new PlatformStack(app, 'payments-dev', { tier: 'development' });
    app.synth();
    expect(machinePathsUnder(outdir)).toEqual([]);

    // The check can fail: a plain TerraformStack's default local backend writes the absolute state path.
    const plainOut = tempDir();
    const plainApp = new App({ outdir: plainOut });
    new TerraformStack(plainApp, 'payments-dev');
    plainApp.synth();
    expect(machinePathsUnder(plainOut)).toEqual([
      expect.stringMatching(/^stacks\/payments-dev\/cdk\.tf\.json \$\.terraform\.backend\.local\.path: \//),
    ]);
  });
});
