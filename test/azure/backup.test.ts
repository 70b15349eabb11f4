import { type App } from 'cdktf';
import type { Construct } from 'constructs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AZURE_RULES,
  Backup,
  checkTerraform,
  decideProtection,
  Monitoring,
  Patching,
  renderBackupNames,
  renderBackupPolicyConfig,
  Server,
  type BackupProps,
} from '../../lib/azure';
import { checkName, defineEnvironment, type BackupSpec, type Environment, type EnvironmentInput } from '../../lib/core';
import { devEnvironment, devInput, errorOf, prodEnvironment, prodInput } from '../util/fixtures';
import { productionApp as buildProductionApp } from '../util/azure-production';
import { readStackJson, resourcesOf, synthScope, type TfJson, type TfResource } from '../util/terraform';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq1Hbr4i1J9wY0l3hZ6pYc3c2hQ5JbW8B9m3v3kq5p0 break-glass';
const devRg = { name: 'rg-platform-dev-weu', location: 'westeurope' };
const prodRg = { name: 'rg-platform-prod-weu', location: 'westeurope' };
const EXTERNAL_VM =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-legacy/providers/Microsoft.Compute/virtualMachines/Legacy-DB';

interface VaultJson {
  readonly name: string;
  readonly sku: string;
  readonly soft_delete_enabled: boolean;
  readonly immutability: string;
  readonly storage_mode_type: string;
  readonly cross_region_restore_enabled: boolean;
  readonly public_network_access_enabled: boolean;
  readonly identity: { readonly type: string };
  readonly monitoring: {
    readonly alerts_for_all_job_failures_enabled: boolean;
    readonly alerts_for_critical_operation_failures_enabled: boolean;
  };
}

interface PolicyJson {
  readonly name: string;
  readonly policy_type: string;
  readonly recovery_vault_name: string;
  readonly timezone: string;
  readonly backup: { readonly frequency: string; readonly time: string };
  readonly instant_restore_retention_days: number;
  readonly retention_daily: { readonly count: number };
  readonly retention_weekly: { readonly count: number; readonly weekdays: string[] };
  readonly retention_monthly?: { readonly count: number; readonly days: number[]; readonly include_last_days: boolean };
  readonly retention_yearly?: {
    readonly count: number;
    readonly months: string[];
    readonly days: number[];
    readonly include_last_days: boolean;
  };
}

interface ProtectedVmJson {
  readonly resource_group_name: string;
  readonly recovery_vault_name: string;
  readonly source_vm_id: string;
  readonly backup_policy_id: string;
}

interface ProcessingRuleJson {
  readonly name: string;
  readonly scopes: string[];
  readonly add_action_group_ids: string[];
  readonly condition: { readonly monitor_service: { readonly operator: string; readonly values: string[] } };
}

function only<T>(tf: Pick<TfJson, 'resource'>, type: string): T {
  const found = Object.values(resourcesOf(tf, type));
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0] as T;
}

/** The Terraform reference to an attribute of the one resource of a type: `${type.name.attribute}`. */
function refOf(tf: Pick<TfJson, 'resource'>, type: string, attribute: string): string {
  const names = Object.keys(resourcesOf(tf, type));
  if (names.length !== 1) throw new Error(`expected one ${type}, found ${names.length}`);
  return `\${${type}.${names[0]!}.${attribute}}`;
}

function byName<T>(tf: Pick<TfJson, 'resource'>, type: string): Record<string, T> {
  return resourcesOf(tf, type) as Record<string, TfResource & T>;
}

/** Synthesizes one Backup (and, if asked, monitoring) of an environment; `build` adds to it. */
function synth(
  env: Environment,
  options: { monitoring?: boolean; props?: Partial<BackupProps> } = {},
  build?: (backup: Backup, scope: Construct) => void,
): TfJson {
  const rg = env.tier === 'production' ? prodRg : devRg;
  return synthScope((scope) => {
    decideProtection(scope, env.tier);
    const monitoring = options.monitoring
      ? new Monitoring(scope, 'monitoring', { spec: env.monitoring, name: env.name, resourceGroup: rg })
      : undefined;
    const backup = new Backup(scope as Construct, 'backup', {
      spec: env.backup,
      environment: env.name,
      resourceGroup: rg,
      ...(monitoring && { monitoring }),
      ...options.props,
    });
    build?.(backup, scope as Construct);
  });
}

function envWith(base: EnvironmentInput, backup: EnvironmentInput['backup']): Environment {
  return defineEnvironment({ ...base, backup });
}

describe('Backup (Azure)', () => {
  describe('vault', () => {
    test('in development: geo-redundant, soft delete, managed identity, private, Unlocked, no cross-region restore', () => {
      expect(only<VaultJson>(synth(devEnvironment()), 'azurerm_recovery_services_vault')).toEqual({
        name: 'rsv-platform-dev-weu',
        location: 'westeurope',
        resource_group_name: 'rg-platform-dev-weu',
        sku: 'Standard',
        soft_delete_enabled: true,
        immutability: 'Unlocked',
        storage_mode_type: 'GeoRedundant',
        cross_region_restore_enabled: false,
        public_network_access_enabled: false,
        identity: { type: 'SystemAssigned' },
        monitoring: {
          alerts_for_all_job_failures_enabled: true,
          alerts_for_critical_operation_failures_enabled: true,
        },
      });
    });

    test('in production: immutability Locked and cross-region restore on, with public access allowed as Azure requires', () => {
      const env = prodEnvironment();
      expect(env.backup.secondRegion).toBe('eu-central-1');
      const vault = only<VaultJson>(synth(env), 'azurerm_recovery_services_vault');
      expect(vault.name).toBe('rsv-platform-prod-weu');
      expect(vault.immutability).toBe('Locked');
      expect(vault.cross_region_restore_enabled).toBe(true);
      expect(vault.storage_mode_type).toBe('GeoRedundant');
      // Azure refuses to deny public access on a vault with cross-region restore.
      expect(vault.public_network_access_enabled).toBe(true);
    });

    test('cross-region restore and public access follow spec.secondRegion, not the tier', () => {
      const backup = prodEnvironment().backup;
      expect(backup.secondRegion).toBe('eu-central-1');
      const withoutSecondRegion = Object.fromEntries(
        Object.entries(backup).filter(([key]) => key !== 'secondRegion'),
      ) as unknown as BackupSpec;
      const production = only<VaultJson>(
        synth(prodEnvironment(), { props: { spec: withoutSecondRegion } }),
        'azurerm_recovery_services_vault',
      );
      expect(production.cross_region_restore_enabled).toBe(false);
      expect(production.public_network_access_enabled).toBe(false);
      // Props given directly: the spec refuses a second region in development, the construct follows what it is given.
      const development = only<VaultJson>(
        synth(devEnvironment(), { props: { spec: { ...devEnvironment().backup, secondRegion: 'eu-central-1' } } }),
        'azurerm_recovery_services_vault',
      );
      expect(development.cross_region_restore_enabled).toBe(true);
      expect(development.public_network_access_enabled).toBe(true);
    });

    test('immutability follows the lock: governance leaves a production vault Unlocked', () => {
      const env = prodEnvironment();
      const spec: BackupSpec = { ...env.backup, lock: 'governance' };
      const vault = only<VaultJson>(synth(env, { props: { spec } }), 'azurerm_recovery_services_vault');
      expect(vault.immutability).toBe('Unlocked');
      expect(vault.cross_region_restore_enabled).toBe(true);
    });

    test('names fit their limits, with or without a location code', () => {
      const names = renderBackupNames({ environment: 'prod', resourceGroup: prodRg });
      expect(names).toEqual({
        vault: 'rsv-platform-prod-weu',
        policy: 'bkpol-platform-prod',
        alertProcessingRule: 'apr-platform-prod-backup',
      });
      const long = renderBackupNames({ environment: 'a'.repeat(60), resourceGroup: prodRg, locationCode: 'weu' });
      expect(long.vault).toHaveLength(50);
      expect(checkName('azureRecoveryServicesVault', long.vault)).toBeUndefined();
      expect(checkName('azureBackupPolicy', long.policy)).toBeUndefined();
    });
  });

  describe('policy', () => {
    test('in development: daily at 01:00 UTC, 7 daily, 5 weekly, no monthly, 2 instant-restore days', () => {
      const tf = synth(devEnvironment());
      const policy = only<PolicyJson>(tf, 'azurerm_backup_policy_vm');
      expect(policy).toEqual({
        name: 'bkpol-platform-dev',
        resource_group_name: 'rg-platform-dev-weu',
        recovery_vault_name: refOf(tf, 'azurerm_recovery_services_vault', 'name'),
        policy_type: 'V2',
        timezone: 'UTC',
        backup: { frequency: 'Daily', time: '01:00' },
        instant_restore_retention_days: 2,
        retention_daily: { count: 7 },
        retention_weekly: { count: 5, weekdays: ['Sunday'] },
      });
    });

    test('in production: 35 daily, 13 weekly, 12 monthly (on the 1st), 7 instant-restore days', () => {
      const policy = only<PolicyJson>(synth(prodEnvironment()), 'azurerm_backup_policy_vm');
      expect(policy.instant_restore_retention_days).toBe(7);
      expect(policy.retention_daily).toEqual({ count: 35 });
      expect(policy.retention_weekly).toEqual({ count: 13, weekdays: ['Sunday'] });
      expect(policy.retention_monthly).toEqual({ count: 12, days: [1], include_last_days: false });
      expect(policy.retention_yearly).toBeUndefined();
    });

    test('a yearly tier keeps the point of 1 January, in whole years rounded up', () => {
      const env = envWith(prodInput(), { yearly: { retentionDays: 2555 } });
      const policy = only<PolicyJson>(synth(env), 'azurerm_backup_policy_vm');
      expect(policy.retention_yearly).toEqual({ count: 7, months: ['January'], days: [1], include_last_days: false });
    });

    test('the window start hour and instant restore days come from the spec', () => {
      const env = envWith(devInput(), { window: { startHour: 22 }, instantRestoreDays: 5 });
      const config = renderBackupPolicyConfig(env.backup, { name: 'p', vaultName: 'v', resourceGroupName: 'rg' });
      expect(config.backup).toEqual({ frequency: 'Daily', time: '22:00' });
      expect(config.instantRestoreRetentionDays).toBe(5);
    });
  });

  describe('protected VMs', () => {
    test('protectVirtualMachine protects a VM with the policy, under Protect-<key>', () => {
      const vmId = '${azurerm_linux_virtual_machine.web.id}';
      const tf = synth(devEnvironment(), {}, (backup) => backup.protectVirtualMachine('vm-platform-dev-web-1', vmId));
      const protectedVms = byName<ProtectedVmJson>(tf, 'azurerm_backup_protected_vm');
      const [address] = Object.keys(protectedVms);
      expect(address).toMatch(/^backup_Protect-vm-platform-dev-web-1_/);
      expect(Object.values(protectedVms)).toEqual([
        {
          resource_group_name: 'rg-platform-dev-weu',
          recovery_vault_name: refOf(tf, 'azurerm_recovery_services_vault', 'name'),
          source_vm_id: vmId,
          backup_policy_id: refOf(tf, 'azurerm_backup_policy_vm', 'id'),
        },
      ]);
    });

    test('the VMs listed in spec.resources.azure are protected too', () => {
      const env = envWith(devInput(), { resources: { azure: [EXTERNAL_VM] } });
      let keys: string[] = [];
      const tf = synth(env, {}, (backup) => {
        keys = [...backup.protectedVirtualMachines.keys()];
      });
      expect(keys).toEqual(['external-legacy-db']);
      expect(
        Object.values(byName<ProtectedVmJson>(tf, 'azurerm_backup_protected_vm')).map((p) => p.source_vm_id),
      ).toEqual([EXTERNAL_VM]);
    });

    test('a VM is protected once: a key used twice is refused', () => {
      expect(() =>
        synth(devEnvironment(), {}, (backup) => {
          backup.protectVirtualMachine('web-1', '/vm/1');
          backup.protectVirtualMachine('web-1', '/vm/2');
        }),
      ).toThrow(/key: "web-1" - a key not yet used in this backup/);
    });

    test('a key that cannot be part of an address is refused', () => {
      expect(() => synth(devEnvironment(), {}, (backup) => backup.protectVirtualMachine('web/1', '/vm/1'))).toThrow(
        /key: "web\/1" - letters, digits, hyphens and underscores/,
      );
    });
  });

  describe('alerts and workbook', () => {
    test('the vault alerts go to the critical action group through a processing rule scoped to the vault', () => {
      const tf = synth(prodEnvironment(), { monitoring: true });
      const rule = only<ProcessingRuleJson>(tf, 'azurerm_monitor_alert_processing_rule_action_group');
      expect(rule.name).toBe('apr-platform-prod-backup');
      expect(rule.scopes).toEqual([refOf(tf, 'azurerm_recovery_services_vault', 'id')]);
      const critical = Object.keys(resourcesOf(tf, 'azurerm_monitor_action_group')).filter((name) =>
        name.includes('critical'),
      );
      expect(rule.add_action_group_ids).toEqual(critical.map((name) => `\${azurerm_monitor_action_group.${name}.id}`));
      expect(critical).toHaveLength(1);
      expect(rule.condition).toEqual({ monitor_service: { operator: 'Equals', values: ['Azure Backup'] } });
    });

    test('without monitoring there is no processing rule', () => {
      expect(resourcesOf(synth(devEnvironment()), 'azurerm_monitor_alert_processing_rule_action_group')).toEqual({});
    });

    test('the workbook has a Backup section of recent jobs', () => {
      const tf = synth(devEnvironment(), { monitoring: true });
      const book = only<{ data_json: string }>(tf, 'azurerm_application_insights_workbook');
      expect(book.data_json).toContain('## Backup');
      expect(book.data_json).toContain('AddonAzureBackupJobs');
      expect(book.data_json).toContain('Backup jobs of the last 7 days');
    });

    test('overrides of the AWS-only copy and restore alarms are accepted on Azure', () => {
      const input: EnvironmentInput = {
        ...devInput(),
        monitoring: {
          alarms: {
            'backup/copy-jobs-failed': { severity: 'warning' },
            'backup/restore-jobs-failed': { enabled: false, reason: 'Restore tests are reviewed by hand weekly' },
          },
        },
      };
      const env = defineEnvironment(input);
      let problems: string[] = ['not run'];
      synth(env, { monitoring: true }, (_backup, scope) => {
        problems = scope.node.findChild('monitoring').node.validate();
      });
      expect(problems).toEqual([]);
    });
  });

  describe('validation', () => {
    const build = (spec: Partial<BackupSpec>) => () =>
      synth(devEnvironment(), { props: { spec: { ...devEnvironment().backup, ...spec } } });

    test('daily retention below the enhanced policy minimum is refused', () => {
      expect(build({ daily: { retentionDays: 3 } })).toThrow(
        /spec\.daily\.retentionDays: 3 - 7-9999 days \(Azure enhanced policy\)/,
      );
    });

    test('instant restore days outside 1-30 or not below daily retention are refused', () => {
      expect(build({ instantRestoreDays: 31 })).toThrow(/spec\.instantRestoreDays: 31 - 1-30 days/);
      expect(build({ instantRestoreDays: 7 })).toThrow(/fewer than daily\.retentionDays \(7\)/);
    });

    test('a start hour outside 0-23 is refused', () => {
      expect(build({ window: { startHour: 24, completionHours: 8 } })).toThrow(
        /spec\.window\.startHour: 24 - an hour from 0 to 23/,
      );
    });

    test('yearly retention beyond 99 years is refused', () => {
      expect(build({ yearly: { retentionDays: 36500 } })).toThrow(
        /spec\.yearly\.retentionDays: 36500 - 1-99 years once rounded up \(Azure enhanced policy\), not 100/,
      );
    });

    test('every problem is reported at once', () => {
      const message = errorOf(build({ instantRestoreDays: 0, window: { startHour: -1, completionHours: 8 } })).message;
      expect(message).toMatch(/^Invalid Backup props \(dev\) \(2 problems\):/);
    });
  });

  describe('guardrails', () => {
    /** A production-tier stack composed like the environment stacks, with the server's VMs protected. */
    function productionApp(outdir: string, skipValidation: boolean): App {
      const env = defineEnvironment({
        ...prodInput(),
        azure: { ...prodInput().azure, adminSshPublicKey: KEY },
        servers: [{ name: 'web', size: 'medium', count: 3 }],
      });
      return buildProductionApp(
        env,
        outdir,
        ({ stack, resourceGroup: prodRg, monitoring, network }) => {
          const patching = new Patching(stack, 'patching', {
            spec: env.patching,
            environment: env.name,
            resourceGroup: prodRg,
          });
          const server = new Server(stack, 'server-web', {
            spec: env.servers[0]!,
            environment: env.name,
            resourceGroup: prodRg,
            subnetId: network.subnets.workloads.id,
            zones: env.network.zones,
            adminSshPublicKey: KEY,
            monitoring,
            patching,
          });
          const backup = new Backup(stack, 'backup', {
            spec: env.backup,
            environment: env.name,
            resourceGroup: prodRg,
            monitoring,
          });
          server.virtualMachines.forEach((vm, i) =>
            backup.protectVirtualMachine(server.names.virtualMachines[i]!, vm.id),
          );
        },
        { skipValidation },
      );
    }

    let outdir: string;
    beforeEach(() => {
      outdir = mkdtempSync(join(tmpdir(), 'azure-backup-policy-'));
    });
    afterEach(() => rmSync(outdir, { recursive: true, force: true }));

    test('a production stack whose server VMs are protected has no findings', () => {
      productionApp(outdir, true).synth();
      const tf = readStackJson(outdir, 'env');
      expect(checkTerraform(tf, { tier: 'production', rules: AZURE_RULES })).toEqual([]);
      expect(Object.keys(tf.resource.azurerm_backup_protected_vm ?? {})).toHaveLength(3);
    });

    test('PolicyChecks lets the production synthesis through', () => {
      expect(() => productionApp(outdir, false).synth()).not.toThrow();
    });

    test('the vault is kept on destroy in production, and its diagnostics go to the workspace', () => {
      productionApp(outdir, true).synth();
      const tf = readStackJson(outdir, 'env');
      const vaults = Object.values(tf.resource.azurerm_recovery_services_vault ?? {});
      expect(vaults.map((v) => v.lifecycle?.prevent_destroy)).toEqual([true]);
      const settings = Object.values(tf.resource.azurerm_monitor_diagnostic_setting ?? {});
      expect(
        settings.filter((s) => String(s.target_resource_id).includes('azurerm_recovery_services_vault')),
      ).toHaveLength(1);
    });
  });
});
