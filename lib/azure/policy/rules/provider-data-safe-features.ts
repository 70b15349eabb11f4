import { providerType } from '../engine';
import { blocks, isExpression, type PolicyRule, type ResourceView, type RuleContext } from '../rule';
import { readBool, UNKNOWN } from './util';

/** One switch of the azurerm provider's `features` block that decides whether `terraform destroy` loses data. */
export interface DataSafeFeatureSwitch {
  /** The block under `features`, `key_vault`. */
  readonly block: string;
  /** The switch in that block, `purge_soft_delete_on_destroy`. */
  readonly attribute: string;
  /** The value that keeps the data. */
  readonly safe: boolean;
  /** The azurerm 4.55 default, which applies when the switch is left out. */
  readonly providerDefault: boolean;
  /** What the unsafe value does on destroy, for the message. */
  readonly consequence: string;
  /**
   * The resource types the switch acts on, when it matters only for a configuration that has one of them.
   * @default - it matters for every configuration: a switch about soft-deleted data acts on whatever the state holds
   */
  readonly onlyWith?: readonly string[];
}

/**
 * Every switch of the azurerm 4.55 provider `features` block that purges, permanently deletes or force-deletes data on
 * `terraform destroy` (or on the destroy half of a replacement), with the value that keeps the data and the
 * provider's default when the switch is left out (`features {}`).
 *
 * The defaults are those the azurerm 4.55 documentation gives ("The Features Block",
 * website/docs/guides/features-block.html.markdown, and `features.Default()` in internal/features/defaults.go of
 * hashicorp/terraform-provider-azurerm). Those that destroy data when left out:
 * - `api_management.purge_soft_delete_on_destroy`, `app_configuration.purge_soft_delete_on_destroy` and
 *   `cognitive_account.purge_soft_delete_on_destroy` default to true: the service is purged, not kept soft-deleted;
 * - `key_vault.purge_soft_delete_on_destroy`, `purge_soft_deleted_keys_on_destroy`,
 *   `purge_soft_deleted_secrets_on_destroy`, `purge_soft_deleted_certificates_on_destroy`,
 *   `purge_soft_deleted_hardware_security_modules_on_destroy` and
 *   `purge_soft_deleted_hardware_security_module_keys_on_destroy` default to true: the vault, key, secret,
 *   certificate or HSM is purged, and with it every secret it held, instead of staying recoverable for its retention;
 * - `virtual_machine.delete_os_disk_on_deletion` defaults to true: the OS disk is deleted with its VM;
 * - `virtual_machine.detach_implicit_data_disk_on_deletion` defaults to false: the implicit data disk is deleted
 *   with its VM instead of detached;
 * - `recovery_service.vm_backup_stop_protection_and_retain_data_on_destroy` defaults to false: destroying an
 *   `azurerm_backup_protected_vm` deletes its recovery points;
 * - `subscription.prevent_cancellation_on_destroy` defaults to false: destroying an `azurerm_subscription` cancels it;
 * - `template_deployment.delete_nested_items_during_deletion` defaults to true: destroying a template deployment
 *   deletes every resource the template created (checked only where the configuration has one).
 *
 * The others default to the safe value and fail only when set the other way: `databricks_workspace.force_delete`,
 * `log_analytics_workspace.permanently_delete_on_destroy`, `machine_learning.purge_soft_deleted_workspace_on_destroy`,
 * `netapp.delete_backups_on_backup_vault_destroy`, `netapp.prevent_volume_destruction`,
 * `recovery_service.purge_protected_items_from_vault_on_destroy`, `resource_group.prevent_deletion_if_contains_resources`,
 * `virtual_machine.skip_shutdown_and_force_delete` and `virtual_machine_scale_set.force_delete`.
 *
 * A switch left out counts as its documented default even when its block is present: the provider's schema default
 * for an attribute of a present block has differed from `features.Default()` across releases
 * (`delete_os_disk_on_deletion`), so only an explicit value is trusted.
 */
export const DATA_SAFE_FEATURE_SWITCHES: readonly DataSafeFeatureSwitch[] = [
  {
    block: 'api_management',
    attribute: 'purge_soft_delete_on_destroy',
    safe: false,
    providerDefault: true,
    consequence: 'a destroyed API Management service is purged instead of kept soft-deleted',
  },
  {
    block: 'app_configuration',
    attribute: 'purge_soft_delete_on_destroy',
    safe: false,
    providerDefault: true,
    consequence: 'a destroyed App Configuration store and its key-values are purged instead of kept soft-deleted',
  },
  {
    block: 'cognitive_account',
    attribute: 'purge_soft_delete_on_destroy',
    safe: false,
    providerDefault: true,
    consequence: 'a destroyed Cognitive Services account is purged instead of kept soft-deleted',
  },
  {
    block: 'databricks_workspace',
    attribute: 'force_delete',
    safe: false,
    providerDefault: false,
    consequence:
      'destroying a Databricks workspace force-deletes the managed resource group holding its Unity Catalog data',
  },
  {
    block: 'key_vault',
    attribute: 'purge_soft_delete_on_destroy',
    safe: false,
    providerDefault: true,
    consequence:
      'a destroyed key vault is purged with every key, secret and certificate in it, instead of kept recoverable',
  },
  {
    block: 'key_vault',
    attribute: 'purge_soft_deleted_certificates_on_destroy',
    safe: false,
    providerDefault: true,
    consequence: 'a destroyed certificate is purged instead of kept recoverable',
  },
  {
    block: 'key_vault',
    attribute: 'purge_soft_deleted_hardware_security_module_keys_on_destroy',
    safe: false,
    providerDefault: true,
    consequence: 'a destroyed managed HSM key is purged instead of kept recoverable',
  },
  {
    block: 'key_vault',
    attribute: 'purge_soft_deleted_hardware_security_modules_on_destroy',
    safe: false,
    providerDefault: true,
    consequence: 'a destroyed managed HSM is purged instead of kept recoverable',
  },
  {
    block: 'key_vault',
    attribute: 'purge_soft_deleted_keys_on_destroy',
    safe: false,
    providerDefault: true,
    consequence: 'a destroyed key is purged, and whatever it encrypted is lost, instead of kept recoverable',
  },
  {
    block: 'key_vault',
    attribute: 'purge_soft_deleted_secrets_on_destroy',
    safe: false,
    providerDefault: true,
    consequence: 'a destroyed secret is purged instead of kept recoverable',
  },
  {
    block: 'log_analytics_workspace',
    attribute: 'permanently_delete_on_destroy',
    safe: false,
    providerDefault: false,
    consequence: 'a destroyed Log Analytics workspace and its logs are deleted permanently instead of kept recoverable',
  },
  {
    block: 'machine_learning',
    attribute: 'purge_soft_deleted_workspace_on_destroy',
    safe: false,
    providerDefault: false,
    consequence: 'a destroyed Machine Learning workspace is purged instead of kept soft-deleted',
  },
  {
    block: 'netapp',
    attribute: 'delete_backups_on_backup_vault_destroy',
    safe: false,
    providerDefault: false,
    consequence: 'destroying a NetApp backup vault deletes its backups',
  },
  {
    block: 'netapp',
    attribute: 'prevent_volume_destruction',
    safe: true,
    providerDefault: true,
    consequence: 'a NetApp volume and its data can be destroyed',
  },
  {
    block: 'recovery_service',
    attribute: 'purge_protected_items_from_vault_on_destroy',
    safe: false,
    providerDefault: false,
    consequence: 'destroying a Recovery Services vault purges every protected item and its recovery points',
  },
  {
    block: 'recovery_service',
    attribute: 'vm_backup_stop_protection_and_retain_data_on_destroy',
    safe: true,
    providerDefault: false,
    consequence: 'destroying an azurerm_backup_protected_vm deletes its recovery points instead of keeping them',
  },
  {
    block: 'resource_group',
    attribute: 'prevent_deletion_if_contains_resources',
    safe: true,
    providerDefault: true,
    consequence: 'destroying a resource group deletes every resource in it, including those Terraform does not manage',
  },
  {
    block: 'subscription',
    attribute: 'prevent_cancellation_on_destroy',
    safe: true,
    providerDefault: false,
    consequence: 'destroying an azurerm_subscription cancels the subscription and everything in it',
  },
  {
    block: 'template_deployment',
    attribute: 'delete_nested_items_during_deletion',
    safe: false,
    providerDefault: true,
    consequence: 'destroying a template deployment deletes every resource its template created',
    onlyWith: [
      'azurerm_resource_group_template_deployment',
      'azurerm_subscription_template_deployment',
      'azurerm_management_group_template_deployment',
      'azurerm_tenant_template_deployment',
    ],
  },
  {
    block: 'virtual_machine',
    attribute: 'delete_os_disk_on_deletion',
    safe: false,
    providerDefault: true,
    consequence: 'a destroyed or replaced VM takes its OS disk with it',
  },
  {
    block: 'virtual_machine',
    attribute: 'detach_implicit_data_disk_on_deletion',
    safe: true,
    providerDefault: false,
    consequence: 'a destroyed or replaced VM deletes its implicit data disks instead of detaching them',
  },
  {
    block: 'virtual_machine',
    attribute: 'skip_shutdown_and_force_delete',
    safe: false,
    providerDefault: false,
    consequence: 'a VM is force-deleted without a shutdown, so writes in flight are lost',
  },
  {
    block: 'virtual_machine_scale_set',
    attribute: 'force_delete',
    safe: false,
    providerDefault: false,
    consequence: 'a scale set is force-deleted without a shutdown, so writes in flight are lost',
  },
];

/** The message for one switch: what it is, what it does unsafe, and the fix. */
function problem(provider: ResourceView, sw: DataSafeFeatureSwitch, state: string): string {
  return `${provider.address} (azurerm provider) ${state}: ${sw.consequence}; set features.${sw.block}.${sw.attribute} = ${String(sw.safe)} (DATA_SAFE_FEATURES sets every such switch)`;
}

/** The problems of one azurerm provider configuration. */
function checkFeatures(provider: ResourceView, context: RuleContext): string[] {
  const featureValue = provider.config.features;
  if (isExpression(featureValue)) {
    return [
      `${provider.address} (azurerm provider) sets features to an expression, which cannot be judged before apply: write the features block out, starting from DATA_SAFE_FEATURES`,
    ];
  }
  const features = blocks(provider.config, 'features')[0] ?? {};
  const problems: string[] = [];
  for (const sw of DATA_SAFE_FEATURE_SWITCHES) {
    if (sw.onlyWith && !sw.onlyWith.some((type) => context.ofType(type).length > 0)) continue;
    const blockValue = features[sw.block];
    const block = isExpression(blockValue) ? undefined : blocks(features, sw.block)[0];
    const value = isExpression(blockValue) ? UNKNOWN : block === undefined ? undefined : readBool(block, sw.attribute);
    if ((value ?? sw.providerDefault) === sw.safe) continue;
    const where = `features.${sw.block}.${sw.attribute}`;
    problems.push(
      problem(
        provider,
        sw,
        value === undefined
          ? `leaves ${where} unset (azurerm 4.55 defaults to ${String(sw.providerDefault)})`
          : value === UNKNOWN
            ? `sets ${where} to an expression, which cannot be judged before apply`
            : `sets ${where} = ${String(value)}`,
      ),
    );
  }
  return problems;
}

/**
 * PC_AZURE_PROVIDER_DATA_SAFE_FEATURES: in production, the azurerm provider's `features` block keeps data on
 * destroy: every switch of {@link DATA_SAFE_FEATURE_SWITCHES} has its safe value, set explicitly where the
 * provider's default destroys data (so `features: [{}]` fails). `DATA_SAFE_FEATURES` (lib/azure/provider.ts), which
 * the platform's stacks and `PlatformStack` use, passes. No checkov or trivy check reads the provider block.
 *
 * Production only: a development-tier stack is disposable by design (its stateful resources have no
 * `prevent_destroy`, and destroying it is meant to remove its data), so purging on destroy there is what the tier
 * promises, and a warning on every development stack that keeps the provider's defaults would be noise.
 */
export const providerDataSafeFeatures: PolicyRule = {
  id: 'PC_AZURE_PROVIDER_DATA_SAFE_FEATURES',
  severity: 'error',
  title: 'Production azurerm provider features never purge or force-delete data on destroy',
  resourceTypes: [providerType('azurerm')],
  tiers: ['production'],
  check: checkFeatures,
};
