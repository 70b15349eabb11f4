import { TerraformResource, Testing } from 'cdktf';
import { Server } from '../../lib/azure';
import { buildAzureApp, EnvironmentStack, REQUIRED_TERRAFORM_VERSION } from '../../stacks/azure';
import { loadEnvironments } from '../../stacks/environments';
import type { TfJson } from '../util/terraform';
import { temporaryFolders } from '../util/temp';

const environments = loadEnvironments();
const tempDir = temporaryFolders('platform-azure-');
const app = buildAzureApp({ environments, outdir: tempDir() });
const stacks = app.node.children.filter((c): c is EnvironmentStack => c instanceof EnvironmentStack);
const synthesized = Object.fromEntries(stacks.map((s) => [s.node.id, JSON.parse(Testing.synth(s)) as TfJson]));

describe('Azure stacks', () => {
  test('one stack per environment, named platform-<env>', () => {
    expect(stacks.map((s) => s.node.id)).toEqual(['platform-dev', 'platform-staging', 'platform-prod']);
  });

  test('the provider never purges, permanently deletes or force-deletes anything on destroy', () => {
    for (const tf of Object.values(synthesized)) {
      const [provider] = (tf.provider as { azurerm: Array<Record<string, unknown>> }).azurerm;
      expect(provider?.storage_use_azuread).toBe(true);
      expect(provider?.features).toEqual([
        {
          api_management: [{ purge_soft_delete_on_destroy: false, recover_soft_deleted: true }],
          app_configuration: [{ purge_soft_delete_on_destroy: false, recover_soft_deleted: true }],
          cognitive_account: [{ purge_soft_delete_on_destroy: false }],
          databricks_workspace: [{ force_delete: false }],
          key_vault: [
            {
              purge_soft_delete_on_destroy: false,
              purge_soft_deleted_certificates_on_destroy: false,
              purge_soft_deleted_hardware_security_module_keys_on_destroy: false,
              purge_soft_deleted_hardware_security_modules_on_destroy: false,
              purge_soft_deleted_keys_on_destroy: false,
              purge_soft_deleted_secrets_on_destroy: false,
              recover_soft_deleted_certificates: true,
              recover_soft_deleted_hardware_security_module_keys: true,
              recover_soft_deleted_key_vaults: true,
              recover_soft_deleted_keys: true,
              recover_soft_deleted_secrets: true,
            },
          ],
          log_analytics_workspace: [{ permanently_delete_on_destroy: false }],
          machine_learning: [{ purge_soft_deleted_workspace_on_destroy: false }],
          netapp: [{ delete_backups_on_backup_vault_destroy: false, prevent_volume_destruction: true }],
          recovery_service: [
            {
              purge_protected_items_from_vault_on_destroy: false,
              vm_backup_stop_protection_and_retain_data_on_destroy: true,
            },
          ],
          recovery_services_vaults: [{ recover_soft_deleted_backup_protected_vm: true }],
          resource_group: [{ prevent_deletion_if_contains_resources: true }],
          subscription: [{ prevent_cancellation_on_destroy: true }],
          virtual_machine: [
            {
              delete_os_disk_on_deletion: false,
              detach_implicit_data_disk_on_deletion: true,
              skip_shutdown_and_force_delete: false,
            },
          ],
          virtual_machine_scale_set: [{ force_delete: false }],
        },
      ]);
    }
  });

  test('plain Terraform: full provider source, pinned version and a required CLI version', () => {
    const terraform = synthesized['platform-dev']!.terraform as Record<string, unknown>;
    expect(terraform.required_providers).toEqual({ azurerm: { source: 'hashicorp/azurerm', version: '4.55.0' } });
    expect(terraform.required_version).toBe(REQUIRED_TERRAFORM_VERSION);
  });

  test('state is local by default, outside the synthesized folder, with a machine-independent path', () => {
    const terraform = synthesized['platform-dev']!.terraform as Record<string, unknown>;
    expect(terraform.backend).toEqual({ local: { path: '../../../terraform.platform-dev.tfstate' } });
  });

  test('an environment that configures an azurerm backend keeps its state there, with Entra ID auth', () => {
    const terraform = synthesized['platform-prod']!.terraform as Record<string, unknown>;
    expect(terraform.backend).toEqual({
      azurerm: {
        resource_group_name: 'rg-platform-tfstate',
        storage_account_name: 'stplatformtfstate',
        container_name: 'tfstate',
        key: 'platform-prod.tfstate',
        use_azuread_auth: true,
      },
    });
  });

  test('one resource group per environment, in its location', () => {
    expect(
      Object.values(synthesized).map((tf) =>
        Object.values(tf.resource.azurerm_resource_group ?? {}).map((r) => [r.name, r.location]),
      ),
    ).toEqual([
      [['rg-platform-dev-weu', 'westeurope']],
      [['rg-platform-staging-weu', 'westeurope']],
      [['rg-platform-prod-weu', 'westeurope']],
    ]);
  });

  test('every taggable resource carries environment, owner and managed-by', () => {
    for (const stack of stacks) {
      const tf = synthesized[stack.node.id]!;
      // Every resource whose provider class takes tags, found from the construct tree rather than a list of types.
      const taggable = stack.node
        .findAll()
        .filter((c): c is TerraformResource => TerraformResource.isTerraformResource(c) && 'tagsInput' in c);
      expect(taggable.length).toBeGreaterThanOrEqual(7);
      const environment = stack.node.id.replace('platform-', '');
      for (const resource of taggable) {
        const block = tf.resource[resource.terraformResourceType]?.[resource.friendlyUniqueId];
        // A server's network interfaces, VMs, agent extensions and data collection rule also carry the
        // definition they belong to (its alerts do not), and a VM the backup plan that will select it.
        const server = resource.node.scopes.find((c): c is Server => c instanceof Server);
        const isVm = resource.terraformResourceType === 'azurerm_linux_virtual_machine';
        const ofServer =
          server !== undefined &&
          [
            'azurerm_network_interface',
            'azurerm_linux_virtual_machine',
            'azurerm_virtual_machine_extension',
            'azurerm_monitor_data_collection_rule',
          ].includes(resource.terraformResourceType);
        expect({ type: resource.terraformResourceType, tags: block?.tags }).toEqual({
          type: resource.terraformResourceType,
          tags: {
            'cost-center': 'platform',
            environment,
            'managed-by': 'platform-constructs',
            owner: 'platform-team',
            ...(ofServer && { 'platform:server': `${environment}-${server.node.id}` }),
            ...(isVm && { 'platform:backup': `platform-${environment}` }),
          },
        });
      }
      // The types that take tags, among them the container platform's (environment, apps, jobs, their identities
      // and alerts) and backup's (Recovery Services vault, alert processing rule); those that take none in azurerm
      // (role assignments, diagnostic settings, subnets, rules, associations, the VM backup policy and protected
      // VMs) have no tags in the output either.
      const resources = stack.node.findAll().filter(TerraformResource.isTerraformResource);
      const typesOf = (list: TerraformResource[]): string[] =>
        [...new Set(list.map((r) => r.terraformResourceType))].sort();
      expect(typesOf(taggable)).toEqual([
        'azurerm_application_insights_workbook',
        'azurerm_container_app',
        'azurerm_container_app_environment',
        'azurerm_container_app_job',
        'azurerm_linux_virtual_machine',
        'azurerm_log_analytics_saved_search',
        'azurerm_log_analytics_workspace',
        'azurerm_maintenance_configuration',
        'azurerm_monitor_action_group',
        'azurerm_monitor_alert_processing_rule_action_group',
        'azurerm_monitor_data_collection_rule',
        'azurerm_monitor_metric_alert',
        'azurerm_monitor_scheduled_query_rules_alert_v2',
        'azurerm_nat_gateway',
        'azurerm_network_interface',
        'azurerm_network_security_group',
        'azurerm_public_ip',
        'azurerm_recovery_services_vault',
        'azurerm_resource_group',
        'azurerm_user_assigned_identity',
        'azurerm_virtual_machine_extension',
        'azurerm_virtual_network',
      ]);
      const untaggable = resources.filter((r) => !taggable.includes(r));
      expect(typesOf(untaggable)).toEqual([
        'azurerm_backup_policy_vm',
        'azurerm_backup_protected_vm',
        'azurerm_maintenance_assignment_virtual_machine',
        'azurerm_monitor_data_collection_rule_association',
        'azurerm_monitor_diagnostic_setting',
        'azurerm_nat_gateway_public_ip_association',
        'azurerm_network_security_rule',
        'azurerm_role_assignment',
        'azurerm_subnet',
        'azurerm_subnet_nat_gateway_association',
        'azurerm_subnet_network_security_group_association',
      ]);
      for (const resource of untaggable) {
        const block = tf.resource[resource.terraformResourceType]?.[resource.friendlyUniqueId];
        expect(block).toEqual(expect.any(Object));
        expect(block?.tags).toBeUndefined();
      }
      // Each server definition's VMs, network interfaces, agents and rule are among them.
      const serverTagged = Object.values(tf.resource)
        .flatMap((byName) => Object.values(byName))
        .filter((block) => (block.tags as Record<string, string> | undefined)?.['platform:server'] !== undefined);
      expect(serverTagged).toHaveLength(
        [...stack.servers.values()].reduce((n, server) => n + 3 * server.virtualMachines.length + 1, 0),
      );
    }
  });

  test('the network goes into the environment resource group', () => {
    const tf = synthesized['platform-dev']!;
    const [vnet] = Object.values(tf.resource.azurerm_virtual_network ?? {});
    expect(vnet?.resource_group_name).toBe('${azurerm_resource_group.resource-group.name}');
  });

  test('no stack is near 450 resources', () => {
    for (const tf of Object.values(synthesized)) {
      const count = Object.values(tf.resource).reduce((n, byName) => n + Object.keys(byName).length, 0);
      expect(count).toBeLessThanOrEqual(450);
    }
  });
});
