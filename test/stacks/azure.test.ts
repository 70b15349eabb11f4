import { Aspects, TerraformResource, TerraformStack, Testing } from 'cdktf';
import { apiCheckRunner, RetainStatefulResources, Server } from '../../lib/azure';
import { defineEnvironment, type Environment } from '../../lib/core';
import { addCompute, addFoundation, addWorkloads, buildAzureApp, EnvironmentStack } from '../../stacks/azure';
import { loadEnvironments } from '../../stacks/environments';
import { devInput, prodInput } from '../util/fixtures';
import type { TfJson } from '../util/terraform';
import { temporaryFolders } from '../util/temp';

const environments = loadEnvironments();
const tempDir = temporaryFolders('platform-azure-');
const app = buildAzureApp({ environments, outdir: tempDir() });
const stacks = app.node.children.filter((c): c is EnvironmentStack => c instanceof EnvironmentStack);
const synthesized = Object.fromEntries(stacks.map((s) => [s.node.id, JSON.parse(Testing.synth(s)) as TfJson]));
/** Each environment with its stack and its synthesized JSON, for tests that hold for every environment. */
const cases = environments.map((env) => {
  const stack = stacks.find((s) => s.node.id === `platform-${env.name}`)!;
  return [env.name, env, stack, synthesized[`platform-${env.name}`]!] as const;
});

/** The one resource of a type in a stack's JSON; fails unless there is exactly one. */
function onlyOf(tf: TfJson, type: string): Record<string, unknown> {
  const found = Object.values(tf.resource[type] ?? {});
  expect(found).toHaveLength(1);
  return found[0]!;
}

/** A fixture environment with a server, a service with a secret and a job, on the given base input. */
function fullEnvironment(base = devInput()): Environment {
  return defineEnvironment({
    ...base,
    azure: {
      ...base.azure,
      adminSshPublicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq1Hbr4i1J9wY0l3hZ6pYc3c2hQ5JbW8B9m3v3kq5p0 key',
      keyVaultId:
        '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-secrets/providers/Microsoft.KeyVault/vaults/kv-fixture',
    },
    servers: [{ name: 'web', size: 'small' }],
    services: [
      {
        name: 'api',
        image: 'public.ecr.aws/nginx/nginx:1.27',
        cpu: 0.5,
        memoryGiB: 1,
        port: 80,
        secrets: { DB: 'db' },
      },
    ],
    jobs: [
      {
        name: 'report',
        image: 'public.ecr.aws/nginx/nginx:1.27',
        cpu: 0.5,
        memoryGiB: 1,
        schedule: { rateMinutes: 60 },
      },
    ],
  });
}

/** The stack of one fixture environment, built as the Azure app builds every environment. */
function stackOf(env: Environment): EnvironmentStack {
  const built = buildAzureApp({ environments: [env], outdir: tempDir() });
  return built.node.children.find((c): c is EnvironmentStack => c instanceof EnvironmentStack)!;
}

describe('Azure stacks', () => {
  test('one stack per environment, named platform-<env>', () => {
    expect(environments.length).toBeGreaterThan(0);
    expect(stacks.map((s) => s.node.id)).toEqual(environments.map((e) => `platform-${e.name}`));
  });

  test('no stack is near 450 resources', () => {
    expect(Object.keys(synthesized)).toHaveLength(environments.length);
    for (const tf of Object.values(synthesized)) {
      const count = Object.values(tf.resource).reduce((n, byName) => n + Object.keys(byName).length, 0);
      expect(count).toBeLessThanOrEqual(450);
    }
  });
});

describe.each(cases)('the Azure stack of %s', (_name, env, stack, tf) => {
  test('the provider never purges, permanently deletes or force-deletes anything on destroy', () => {
    const providers = (tf.provider as { azurerm: Array<Record<string, unknown>> }).azurerm;
    expect(providers).toHaveLength(1);
    expect(providers[0]!.storage_use_azuread).toBe(true);
    expect(providers[0]!.features).toEqual([
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
        template_deployment: [{ delete_nested_items_during_deletion: false }],
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
  });

  test('plain Terraform: full provider source, pinned version and a required CLI version', () => {
    const terraform = tf.terraform as Record<string, unknown>;
    expect(terraform.required_providers).toEqual({ azurerm: { source: 'hashicorp/azurerm', version: '4.55.0' } });
    expect(terraform.required_version).toBe('>= 1.5.0');
  });

  test('state goes to the backend the environment configures, else to a local file outside the synthesized folder', () => {
    const backend = env.azure.backend;
    expect((tf.terraform as Record<string, unknown>).backend).toEqual(
      backend
        ? {
            azurerm: {
              resource_group_name: backend.resourceGroupName,
              storage_account_name: backend.storageAccountName,
              container_name: backend.containerName,
              key: backend.key,
              use_azuread_auth: true,
            },
          }
        : { local: { path: `../../../terraform.platform-${env.name}.tfstate` } },
    );
  });

  test('one resource group, rg-platform-<env>-<location code>, in its location', () => {
    const group = onlyOf(tf, 'azurerm_resource_group');
    expect([group.name, group.location]).toEqual([
      `rg-platform-${env.name}-${env.azure.locationCode}`,
      env.azure.location,
    ]);
  });

  test('the network goes into the environment resource group', () => {
    expect(onlyOf(tf, 'azurerm_virtual_network').resource_group_name).toBe(
      '${azurerm_resource_group.resource-group.name}',
    );
  });

  test('the parts create into the stack: its children are the constructs the one-file stack had, with their ids', () => {
    const workloads = env.services.length + env.jobs.length > 0;
    expect(stack.node.children.map((c) => c.node.id)).toEqual([
      'azurerm',
      'backend',
      'resource-group',
      'monitoring',
      ...(env.audit.enabled ? ['audit-trail'] : []),
      'network',
      ...(env.servers.length > 0 ? ['patching'] : []),
      'servers',
      'backup',
      ...(workloads ? ['container-apps'] : []),
      'services',
      'jobs',
      // The Application Insights component the checks report to, and the checks.
      ...(env.checks.checks.length > 0 ? ['api-checks', 'checks'] : []),
      // The cluster, and managed Prometheus for it.
      ...(env.kubernetes ? ['kubernetes'] : []),
      ...(env.prometheus ? ['prometheus'] : []),
    ]);
    expect(stack.foundation.network).toBe(stack.network);
    expect(stack.compute.backup).toBe(stack.backup);
    expect(stack.workloads.services).toBe(stack.services);
  });

  test('data is retained as the resolved protection section says, by one aspect on the stack', () => {
    const retainers = Aspects.of(stack).all.filter((a) => a instanceof RetainStatefulResources);
    expect(retainers).toHaveLength(env.protection.retainData ? 1 : 0);
    const resourceGroup = onlyOf(tf, 'azurerm_resource_group') as { lifecycle?: { prevent_destroy?: boolean } };
    expect(resourceGroup.lifecycle?.prevent_destroy).toBe(env.protection.retainData ? true : undefined);
  });

  test('every taggable resource carries the environment tags', () => {
    expect(env.tags).toMatchObject({ environment: env.name, 'managed-by': 'platform-constructs' });
    // Every resource whose provider class takes tags, found from the construct tree rather than a list of types.
    const taggable = stack.node
      .findAll()
      .filter((c): c is TerraformResource => TerraformResource.isTerraformResource(c) && 'tagsInput' in c);
    expect(taggable.length).toBeGreaterThanOrEqual(7);
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
          ...env.tags,
          ...(ofServer && { 'platform:server': `${env.name}-${server.node.id}` }),
          ...(isVm && { 'platform:backup': `platform-${env.name}` }),
          // The resource group publishes the environment's Key Vault to the teams that join it.
          ...(resource.terraformResourceType === 'azurerm_resource_group' &&
            env.azure.keyVaultId !== undefined && { 'platform:key-vault-id': env.azure.keyVaultId }),
        },
      });
    }
    // The types that take tags, among them the container platform's (environment, apps, jobs, their identities
    // and alerts) and backup's (Recovery Services vault, alert processing rule); those that take none in azurerm
    // (role assignments, diagnostic settings, subnets, rules, associations, the VM backup policy and protected
    // VMs) have no tags in the output either.
    const hasServers = env.servers.length > 0;
    const hasWorkloads = env.services.length + env.jobs.length > 0;
    const resources = stack.node.findAll().filter(TerraformResource.isTerraformResource);
    const typesOf = (list: TerraformResource[]): string[] =>
      [...new Set(list.map((r) => r.terraformResourceType))].sort();
    const webTests = env.checks.checks.some((c) => apiCheckRunner(c).runner === 'web-test');
    const cluster = env.kubernetes !== undefined;
    const prometheus = env.prometheus !== undefined;
    expect(typesOf(taggable)).toEqual(
      [
        ...(env.checks.checks.length > 0 ? ['azurerm_application_insights'] : []),
        ...(webTests ? ['azurerm_application_insights_standard_web_test'] : []),
        'azurerm_application_insights_workbook',
        ...(env.services.length > 0 ? ['azurerm_container_app'] : []),
        ...(hasWorkloads ? ['azurerm_container_app_environment'] : []),
        ...(env.jobs.length > 0 ? ['azurerm_container_app_job'] : []),
        ...(cluster ? ['azurerm_kubernetes_cluster'] : []),
        ...((env.kubernetes?.pools.length ?? 0) > 1 ? ['azurerm_kubernetes_cluster_node_pool'] : []),
        ...(hasServers ? ['azurerm_linux_virtual_machine'] : []),
        'azurerm_log_analytics_saved_search',
        'azurerm_log_analytics_workspace',
        ...(hasServers ? ['azurerm_maintenance_configuration'] : []),
        'azurerm_monitor_action_group',
        ...(env.audit.enabled ? ['azurerm_monitor_activity_log_alert'] : []),
        'azurerm_monitor_alert_processing_rule_action_group',
        ...(prometheus ? ['azurerm_monitor_alert_prometheus_rule_group'] : []),
        ...(prometheus ? ['azurerm_monitor_data_collection_endpoint'] : []),
        // The servers' agents, the cluster's Container insights and managed Prometheus collect through rules.
        ...(hasServers || cluster || prometheus ? ['azurerm_monitor_data_collection_rule'] : []),
        'azurerm_monitor_metric_alert',
        'azurerm_monitor_scheduled_query_rules_alert_v2',
        'azurerm_nat_gateway',
        ...(hasServers ? ['azurerm_network_interface'] : []),
        'azurerm_network_security_group',
        'azurerm_public_ip',
        'azurerm_recovery_services_vault',
        'azurerm_resource_group',
        ...(prometheus ? ['azurerm_monitor_workspace'] : []),
        ...(hasWorkloads || cluster ? ['azurerm_user_assigned_identity'] : []),
        ...(hasServers ? ['azurerm_virtual_machine_extension'] : []),
        'azurerm_virtual_network',
      ].sort(),
    );
    const untaggable = resources.filter((r) => !taggable.includes(r));
    expect(typesOf(untaggable)).toEqual(
      [
        'azurerm_backup_policy_vm',
        ...(hasServers || env.backup.resources.azure.length > 0 ? ['azurerm_backup_protected_vm'] : []),
        // The audit trail's AzureActivity retention, where it is longer than the workspace's.
        ...(env.audit.enabled && env.audit.retentionDays > env.monitoring.logRetentionDays
          ? ['azurerm_log_analytics_workspace_table']
          : []),
        ...(hasServers ? ['azurerm_maintenance_assignment_virtual_machine'] : []),
        ...(hasServers || cluster ? ['azurerm_monitor_data_collection_rule_association'] : []),
        'azurerm_monitor_diagnostic_setting',
        'azurerm_nat_gateway_public_ip_association',
        'azurerm_network_security_rule',
        // A workload's Key Vault role; the cluster identity's role on its subnet.
        ...([...env.services, ...env.jobs].some((w) => Object.keys(w.secrets).length > 0) || cluster
          ? ['azurerm_role_assignment']
          : []),
        'azurerm_subnet',
        'azurerm_subnet_nat_gateway_association',
        'azurerm_subnet_network_security_group_association',
      ].sort(),
    );
    for (const resource of untaggable) {
      const block = tf.resource[resource.terraformResourceType]?.[resource.friendlyUniqueId];
      expect(block).toEqual(expect.any(Object));
      expect(block?.tags).toBeUndefined();
    }
    // Each server definition's VMs, network interfaces, agents and rule are among them.
    const serverTagged = Object.values(tf.resource)
      .flatMap((byName) => Object.values(byName))
      .filter((block) => (block.tags as Record<string, string> | undefined)?.['platform:server'] !== undefined);
    expect(serverTagged).toHaveLength(env.servers.reduce((n, server) => n + 3 * server.count + 1, 0));
  });

  test('the Container Apps environment is zone-redundant as the network spec says', () => {
    const environments = Object.values(tf.resource.azurerm_container_app_environment ?? {});
    const hasWorkloads = env.services.length + env.jobs.length > 0;
    expect(environments.map((e) => e.zone_redundancy_enabled)).toEqual(hasWorkloads ? [env.network.zoneRedundant] : []);
  });

  test("the vault's cross-region restore and public access follow backup.secondRegion", () => {
    const vault = onlyOf(tf, 'azurerm_recovery_services_vault');
    const crossRegion = env.backup.secondRegion !== undefined;
    expect([vault.cross_region_restore_enabled, vault.public_network_access_enabled]).toEqual([
      crossRegion,
      crossRegion,
    ]);
    // The spec gives production tiers a second region, and refuses one in development.
    expect(crossRegion).toBe(env.tier === 'production');
  });
});

describe('Azure stack parts', () => {
  const dev = fullEnvironment();
  const prod = fullEnvironment(prodInput());

  test('a development environment: nothing retained, one zone, no cross-region restore', () => {
    const stack = stackOf(dev);
    const tf = JSON.parse(Testing.synth(stack)) as TfJson;
    expect(Aspects.of(stack).all.filter((a) => a instanceof RetainStatefulResources)).toHaveLength(0);
    expect(onlyOf(tf, 'azurerm_container_app_environment').zone_redundancy_enabled).toBe(false);
    expect(onlyOf(tf, 'azurerm_recovery_services_vault').cross_region_restore_enabled).toBe(false);
  });

  test('a production environment: retained, zone-redundant, cross-region restore', () => {
    const stack = stackOf(prod);
    const tf = JSON.parse(Testing.synth(stack)) as TfJson;
    expect(Aspects.of(stack).all.filter((a) => a instanceof RetainStatefulResources)).toHaveLength(1);
    expect(onlyOf(tf, 'azurerm_container_app_environment').zone_redundancy_enabled).toBe(true);
    expect(onlyOf(tf, 'azurerm_recovery_services_vault').cross_region_restore_enabled).toBe(true);
  });

  test('a development environment that asks to retain its data is retained, whatever its tier', () => {
    const env = defineEnvironment({ ...devInput(), protection: { retainData: true } });
    expect([env.tier, env.protection.retainData]).toEqual(['development', true]);
    const stack = stackOf(env);
    expect(Aspects.of(stack).all.filter((a) => a instanceof RetainStatefulResources)).toHaveLength(1);
    const tf = JSON.parse(Testing.synth(stack)) as TfJson;
    expect(onlyOf(tf, 'azurerm_resource_group').lifecycle).toEqual({ prevent_destroy: true });
  });

  test('the parts compose into any scope with the same ids, and the workloads read secrets from the Key Vault', () => {
    const stack = new TerraformStack(Testing.app({ outdir: tempDir() }), 'parts');
    const foundation = addFoundation(stack, dev);
    const compute = addCompute(stack, dev, foundation);
    const workloads = addWorkloads(stack, dev, foundation);
    expect(stack.node.children.map((c) => c.node.id)).toEqual([
      'resource-group',
      'monitoring',
      'audit-trail',
      'network',
      'patching',
      'servers',
      'backup',
      'container-apps',
      'services',
      'jobs',
      'api-checks',
      'checks',
    ]);
    expect([...compute.servers.keys(), ...workloads.services.keys(), ...workloads.jobs.keys()]).toEqual([
      'web',
      'api',
      'report',
    ]);
    expect(foundation.keyVault).toEqual({
      keyVaultId:
        '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-secrets/providers/Microsoft.KeyVault/vaults/kv-fixture',
      vaultUri: 'https://kv-fixture.vault.azure.net',
    });
    const tf = JSON.parse(Testing.synth(stack)) as TfJson;
    // The services' secrets come from the Key Vault; the internal service's check reports to Application Insights.
    const assignments = Object.values(tf.resource.azurerm_role_assignment ?? {}) as Array<{
      role_definition_name?: string;
      scope?: string;
    }>;
    expect(assignments.map((a) => [a.role_definition_name, a.scope]).sort()).toEqual([
      [
        'Key Vault Secrets User',
        '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-secrets/providers/Microsoft.KeyVault/vaults/kv-fixture',
      ],
      ['Monitoring Metrics Publisher', '${azurerm_application_insights.api-checks_06E2CE24.id}'],
    ]);
  });
});
