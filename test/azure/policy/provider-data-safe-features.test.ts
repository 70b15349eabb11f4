import { AzurermProvider, type AzurermProviderFeatures } from '@cdktf/provider-azurerm/lib/provider';
import { ResourceGroupTemplateDeployment } from '@cdktf/provider-azurerm/lib/resource-group-template-deployment';
import { App, TerraformStack, Testing } from 'cdktf';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  acknowledge,
  AZURE_RULES,
  checkTerraform,
  DATA_SAFE_FEATURE_SWITCHES,
  DATA_SAFE_FEATURES,
  PolicyChecks,
  PolicyError,
  type TerraformJson,
} from '../../../lib/azure';
import { providerDataSafeFeatures } from '../../../lib/azure/policy/rules/provider-data-safe-features';
import type { Tier } from '../../../lib/core';
import { errorOf } from '../../util/fixtures';
import { temporaryFolders } from '../../util/temp';

const tempDir = temporaryFolders('azure-provider-features-');

/** The JSON of a stack with one azurerm provider configured with `features`, plus what `build` adds. */
function configuration(
  features: AzurermProviderFeatures,
  build: (stack: TerraformStack) => void = () => undefined,
): TerraformJson {
  const stack = new TerraformStack(Testing.app(), 'test');
  new AzurermProvider(stack, 'azurerm', { features: [features] });
  build(stack);
  return JSON.parse(Testing.synth(stack)) as TerraformJson;
}

function findings(json: TerraformJson, tier: Tier = 'production') {
  return checkTerraform(json, { tier, rules: [providerDataSafeFeatures] });
}

/** `features.<block>.<attribute> = <safe value>`, as each message ends its fix. */
const fixOf = (message: string) => /set (features\.\S+ = (?:true|false))/.exec(message)?.[1];

describe('PC_AZURE_PROVIDER_DATA_SAFE_FEATURES production providers never purge or force-delete on destroy', () => {
  test('Compliance: DATA_SAFE_FEATURES, which the platform stacks and PlatformStack use', () => {
    expect(findings(configuration(DATA_SAFE_FEATURES))).toEqual([]);
  });

  test('Compliance: the provider defaults in development, which is disposable by design', () => {
    expect(findings(configuration({}), 'development')).toEqual([]);
  });

  test('Noncompliance: features {} in production names every switch whose default destroys data, and its safe value', () => {
    const found = findings(configuration({}));
    expect(found.every((f) => f.ruleId === 'PC_AZURE_PROVIDER_DATA_SAFE_FEATURES' && f.severity === 'error')).toBe(
      true,
    );
    expect(new Set(found.map((f) => f.address))).toEqual(new Set(['provider.azurerm']));
    expect(found.map((f) => fixOf(f.message))).toEqual([
      'features.api_management.purge_soft_delete_on_destroy = false',
      'features.app_configuration.purge_soft_delete_on_destroy = false',
      'features.cognitive_account.purge_soft_delete_on_destroy = false',
      'features.key_vault.purge_soft_delete_on_destroy = false',
      'features.key_vault.purge_soft_deleted_certificates_on_destroy = false',
      'features.key_vault.purge_soft_deleted_hardware_security_module_keys_on_destroy = false',
      'features.key_vault.purge_soft_deleted_hardware_security_modules_on_destroy = false',
      'features.key_vault.purge_soft_deleted_keys_on_destroy = false',
      'features.key_vault.purge_soft_deleted_secrets_on_destroy = false',
      'features.recovery_service.vm_backup_stop_protection_and_retain_data_on_destroy = true',
      'features.subscription.prevent_cancellation_on_destroy = true',
      'features.virtual_machine.delete_os_disk_on_deletion = false',
      'features.virtual_machine.detach_implicit_data_disk_on_deletion = true',
    ]);
    expect(found.find((f) => f.message.includes('key_vault.purge_soft_delete_on_destroy'))?.message).toBe(
      'provider.azurerm (azurerm provider) leaves features.key_vault.purge_soft_delete_on_destroy unset (azurerm 4.55 defaults to true): a destroyed key vault is purged with every key, secret and certificate in it, instead of kept recoverable; set features.key_vault.purge_soft_delete_on_destroy = false (DATA_SAFE_FEATURES sets every such switch)',
    );
  });

  test('Noncompliance: a switch set to destroy, whose default is safe', () => {
    const json = configuration({
      ...DATA_SAFE_FEATURES,
      resourceGroup: [{ preventDeletionIfContainsResources: false }],
      virtualMachine: [
        { deleteOsDiskOnDeletion: false, detachImplicitDataDiskOnDeletion: true, skipShutdownAndForceDelete: true },
      ],
    });
    expect(findings(json).map((f) => f.message)).toEqual([
      'provider.azurerm (azurerm provider) sets features.resource_group.prevent_deletion_if_contains_resources = false: destroying a resource group deletes every resource in it, including those Terraform does not manage; set features.resource_group.prevent_deletion_if_contains_resources = true (DATA_SAFE_FEATURES sets every such switch)',
      'provider.azurerm (azurerm provider) sets features.virtual_machine.skip_shutdown_and_force_delete = true: a VM is force-deleted without a shutdown, so writes in flight are lost; set features.virtual_machine.skip_shutdown_and_force_delete = false (DATA_SAFE_FEATURES sets every such switch)',
    ]);
  });

  test('Noncompliance: template deployments delete what they created, checked where the configuration has one', () => {
    const deployment = (stack: TerraformStack) =>
      new ResourceGroupTemplateDeployment(stack, 'arm', {
        name: 'arm',
        resourceGroupName: 'rg',
        deploymentMode: 'Incremental',
        templateContent: '{}',
      });
    const withoutTemplateSwitch = { ...DATA_SAFE_FEATURES, templateDeployment: undefined };
    expect(findings(configuration(withoutTemplateSwitch, deployment)).map((f) => fixOf(f.message))).toEqual([
      'features.template_deployment.delete_nested_items_during_deletion = false',
    ]);
    expect(findings(configuration(withoutTemplateSwitch))).toEqual([]);
    expect(findings(configuration(DATA_SAFE_FEATURES, deployment))).toEqual([]);
  });

  test('Noncompliance: every azurerm provider is checked, an aliased one by its alias', () => {
    const json = configuration(DATA_SAFE_FEATURES, (stack) => {
      new AzurermProvider(stack, 'secondary', { alias: 'secondary', features: [{}] });
    });
    expect(new Set(findings(json).map((f) => f.address))).toEqual(new Set(['provider.azurerm.secondary']));
  });

  test('DATA_SAFE_FEATURES sets every switch to its safe value', () => {
    const json = configuration(DATA_SAFE_FEATURES);
    const features = (json.provider!.azurerm as { features: Record<string, Record<string, boolean>[]>[] }[])[0]!
      .features[0]!;
    const unset = DATA_SAFE_FEATURE_SWITCHES.filter((sw) => features[sw.block]?.[0]?.[sw.attribute] !== sw.safe).map(
      (sw) => `${sw.block}.${sw.attribute}`,
    );
    expect(unset).toEqual([]);
  });
});

describe('PC_AZURE_PROVIDER_DATA_SAFE_FEATURES at synthesis', () => {
  function productionStack(outdir: string, build: (provider: AzurermProvider) => void = () => undefined): App {
    const app = new App({ outdir });
    const stack = new TerraformStack(app, 'team');
    build(new AzurermProvider(stack, 'azurerm', { features: [{}] }));
    PolicyChecks.applyTo(stack, { tier: 'production' });
    return app;
  }

  test('features {} fails a production stack, naming the provider construct and how to acknowledge it, and writes nothing', () => {
    const outdir = tempDir();
    const error = errorOf(() => productionStack(outdir).synth());
    expect(error).toBeInstanceOf(PolicyError);
    expect(error.message).toContain(
      '[error] PC_AZURE_PROVIDER_DATA_SAFE_FEATURES at team/azurerm: provider.azurerm (azurerm provider) leaves features.virtual_machine.delete_os_disk_on_deletion unset',
    );
    expect(error.message).toContain(
      "or, if it is intended: acknowledge(<the construct at team/azurerm>, 'PC_AZURE_PROVIDER_DATA_SAFE_FEATURES', '<why it is safe>')",
    );
    expect(error.message).not.toMatch(/skipValidation/);
    expect(existsSync(join(outdir, 'stacks', 'team', 'cdk.tf.json'))).toBe(false);
    expect(readdirSync(outdir).filter((f) => f.startsWith('.staging'))).toEqual([]);
  });

  test('an acknowledgement on the provider, with its reason, lets it through and is recorded in its block', () => {
    const outdir = tempDir();
    const reason = 'This stack manages only container apps; nothing it could destroy holds data';
    productionStack(outdir, (provider) =>
      acknowledge(provider, 'PC_AZURE_PROVIDER_DATA_SAFE_FEATURES', reason),
    ).synth();
    const json = JSON.parse(readFileSync(join(outdir, 'stacks', 'team', 'cdk.tf.json'), 'utf8')) as TerraformJson;
    const found = checkTerraform(json, { tier: 'production', rules: AZURE_RULES });
    expect(new Set(found.map((f) => f.acknowledgedReason))).toEqual(new Set([reason]));
  });
});
