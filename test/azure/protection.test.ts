import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { TerraformStack, Testing } from 'cdktf';
import type { Construct } from 'constructs';
import {
  Backup,
  decideProtection,
  LogAnalysis,
  Monitoring,
  PolicyChecks,
  protectionOf,
  RetainStatefulResources,
  Server,
  tierOf,
  tierProtection,
  type IMonitoring,
} from '../../lib/azure';
import { defineEnvironment, type Tier } from '../../lib/core';
import { devInput, errorOf, prodInput } from '../util/fixtures';

const rg = { name: 'rg-payments', location: 'westeurope' };
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBbjJ7xPHLRmBgzWbq2kO6n+PD6GFUnWAkSMzPOzMnQE platform@example';
const SUBNET =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/workloads';

interface Block {
  readonly lifecycle?: { readonly prevent_destroy?: boolean; readonly ignore_changes?: readonly string[] };
  readonly retention_in_days?: number;
}
type Json = { readonly resource?: Readonly<Record<string, Readonly<Record<string, Block>>>> };

/** The blocks of one type in a synthesized stack. */
const blocksOf = (json: Json, type: string): Block[] => Object.values(json.resource?.[type] ?? {});

/** A team's stack (not one of the platform's): a provider, what `state` says about the tier, and what `build` adds. */
function teamStack(state: (stack: TerraformStack) => void, build: (stack: TerraformStack) => void): Json {
  const stack = new TerraformStack(Testing.app(), 'team');
  new AzurermProvider(stack, 'azurerm', { features: [{}] });
  state(stack);
  build(stack);
  return JSON.parse(Testing.synth(stack)) as Json;
}

/** An IMonitoring that records nothing: what LogAnalysis and Backup need of one. */
function quietMonitoring(scope: Construct): IMonitoring {
  return Monitoring.fromMonitoringAttributes(scope, 'imported-monitoring', {
    environment: 'prod',
    workspaceId:
      '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/log',
    actionGroupIds: {
      critical:
        '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/microsoft.insights/actionGroups/critical',
      warning:
        '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/microsoft.insights/actionGroups/warning',
    },
    resourceGroup: rg,
  });
}

function logAnalysis(stack: TerraformStack, props: { retentionDays?: 30 | 90; retainData?: boolean } = {}): void {
  new LogAnalysis(stack, 'logs', {
    name: 'payments',
    resourceGroup: rg,
    patterns: [],
    monitoring: quietMonitoring(stack),
    ...props,
  });
}

/** The stateful resources of the library's constructs: a workspace, a Recovery Services vault and two VMs. */
function statefulConstructs(tier: Tier) {
  return (stack: TerraformStack): void => {
    const input = tier === 'production' ? prodInput() : devInput();
    const env = defineEnvironment({
      ...input,
      azure: { ...input.azure, adminSshPublicKey: KEY },
      servers: [{ name: 'web', size: 'small', count: 2 }],
    });
    logAnalysis(stack);
    new Backup(stack, 'backup', { spec: env.backup, environment: env.name, resourceGroup: rg });
    new Server(stack, 'server', {
      spec: env.servers[0]!,
      environment: env.name,
      resourceGroup: rg,
      subnetId: SUBNET,
      zones: 2,
      adminSshPublicKey: KEY,
    });
  };
}

const STATEFUL_TYPES = [
  'azurerm_linux_virtual_machine',
  'azurerm_log_analytics_workspace',
  'azurerm_recovery_services_vault',
] as const;

const preventDestroyOf = (json: Json) =>
  Object.fromEntries(
    STATEFUL_TYPES.map((type) => [type, blocksOf(json, type).map((b) => b.lifecycle?.prevent_destroy)]),
  );

describe('tier-driven defaults of the Azure constructs', () => {
  test('production: the workspace keeps logs 365 days, and the workspace, vault and VMs have prevent_destroy', () => {
    const json = teamStack((s) => decideProtection(s, 'production'), statefulConstructs('production'));
    expect(blocksOf(json, 'azurerm_log_analytics_workspace').map((w) => w.retention_in_days)).toEqual([365]);
    expect(preventDestroyOf(json)).toEqual({
      azurerm_linux_virtual_machine: [true, true],
      azurerm_log_analytics_workspace: [true],
      azurerm_recovery_services_vault: [true],
    });
    // The VMs' own lifecycle is kept beside it.
    expect(blocksOf(json, 'azurerm_linux_virtual_machine')[0]?.lifecycle?.ignore_changes).toEqual([
      'custom_data',
      'admin_ssh_key',
      'zone',
    ]);
  });

  test('development: the workspace keeps logs 30 days, and nothing is protected from destroy', () => {
    const json = teamStack((s) => decideProtection(s, 'development'), statefulConstructs('development'));
    expect(blocksOf(json, 'azurerm_log_analytics_workspace').map((w) => w.retention_in_days)).toEqual([30]);
    expect(preventDestroyOf(json)).toEqual({
      azurerm_linux_virtual_machine: [undefined, undefined],
      azurerm_log_analytics_workspace: [undefined],
      azurerm_recovery_services_vault: [undefined],
    });
  });

  test('a stack that states no tier gets production defaults: nothing is lost by default', () => {
    const json = teamStack(() => undefined, statefulConstructs('development'));
    expect(blocksOf(json, 'azurerm_log_analytics_workspace').map((w) => w.retention_in_days)).toEqual([365]);
    expect(Object.values(preventDestroyOf(json)).flat()).toEqual([true, true, true, true]);
  });

  test('the tier the guardrails run with counts, even when stated after the constructs were created', () => {
    const json = teamStack(
      () => undefined,
      (stack) => {
        logAnalysis(stack);
        PolicyChecks.applyTo(stack, { tier: 'development' });
      },
    );
    expect(blocksOf(json, 'azurerm_log_analytics_workspace')).toEqual([
      expect.objectContaining({ retention_in_days: 30 }),
    ]);
    expect(blocksOf(json, 'azurerm_log_analytics_workspace')[0]?.lifecycle).toBeUndefined();
  });

  test("a stack's own tier property (as PlatformStack has) counts", () => {
    class TieredStack extends TerraformStack {
      public readonly tier: Tier = 'development';
    }
    const stack = new TieredStack(Testing.app(), 'team');
    new AzurermProvider(stack, 'azurerm', { features: [{}] });
    logAnalysis(stack);
    const json = JSON.parse(Testing.synth(stack)) as Json;
    expect(blocksOf(json, 'azurerm_log_analytics_workspace').map((w) => w.retention_in_days)).toEqual([30]);
    expect(tierOf(stack)).toBe('development');
  });

  test("a construct's props win over the tier", () => {
    const json = teamStack(
      (s) => decideProtection(s, 'production'),
      (stack) => logAnalysis(stack, { retentionDays: 90, retainData: false }),
    );
    expect(blocksOf(json, 'azurerm_log_analytics_workspace')).toEqual([
      expect.objectContaining({ retention_in_days: 90 }),
    ]);
    expect(blocksOf(json, 'azurerm_log_analytics_workspace')[0]?.lifecycle).toBeUndefined();
    const retained = teamStack(
      (s) => decideProtection(s, 'development'),
      (stack) => logAnalysis(stack, { retainData: true }),
    );
    expect(blocksOf(retained, 'azurerm_log_analytics_workspace')[0]?.lifecycle).toEqual({ prevent_destroy: true });
  });

  test('a decision on the stack overrides single settings of its tier', () => {
    const json = teamStack(
      (s) => decideProtection(s, 'development', { retainData: true, logRetentionDays: 90 }),
      statefulConstructs('development'),
    );
    expect(blocksOf(json, 'azurerm_log_analytics_workspace').map((w) => w.retention_in_days)).toEqual([90]);
    expect(Object.values(preventDestroyOf(json)).flat()).toEqual([true, true, true, true]);
  });

  test('Monitoring keeps the spec’s retention and follows the tier for prevent_destroy', () => {
    const dev = defineEnvironment(devInput());
    const json = teamStack(
      (s) => decideProtection(s, 'development'),
      (stack) => new Monitoring(stack, 'monitoring', { spec: dev.monitoring, name: dev.name, resourceGroup: rg }),
    );
    expect(blocksOf(json, 'azurerm_log_analytics_workspace')).toEqual([
      expect.objectContaining({ retention_in_days: dev.monitoring.logRetentionDays }),
    ]);
    expect(blocksOf(json, 'azurerm_log_analytics_workspace')[0]?.lifecycle).toBeUndefined();
  });
});

describe('RetainStatefulResources and the protection API', () => {
  test('applyTo still protects every stateful resource of the stack, whoever created it, whatever the tier', () => {
    const json = teamStack(
      (s) => {
        decideProtection(s, 'development');
        RetainStatefulResources.applyTo(s);
        RetainStatefulResources.applyTo(s);
      },
      (stack) => {
        new ResourceGroup(stack, 'group', rg);
        logAnalysis(stack);
      },
    );
    expect(blocksOf(json, 'azurerm_resource_group')[0]?.lifecycle).toEqual({ prevent_destroy: true });
    expect(blocksOf(json, 'azurerm_log_analytics_workspace')[0]?.lifecycle).toEqual({ prevent_destroy: true });
  });

  test('protectionOf reads the nearest decision, and reports retainData where the aspect applies', () => {
    const stack = new TerraformStack(Testing.app(), 'team');
    expect(tierOf(stack)).toBe('production');
    decideProtection(stack, 'development');
    expect(protectionOf(stack)).toEqual(tierProtection('development'));
    expect(tierProtection('development')).toEqual({
      retainData: false,
      logRetentionDays: 30,
      keyVaultPurgeProtection: false,
      keyVaultSoftDeleteRetentionDays: 7,
    });
    expect(tierProtection('production')).toEqual({
      retainData: true,
      logRetentionDays: 365,
      keyVaultPurgeProtection: true,
      keyVaultSoftDeleteRetentionDays: 90,
    });
    RetainStatefulResources.applyTo(stack);
    expect(protectionOf(stack).retainData).toBe(true);
  });

  test('a tier that is not one is refused', () => {
    const stack = new TerraformStack(Testing.app(), 'team');
    expect(errorOf(() => decideProtection(stack, 'staging' as Tier)).message).toBe(
      'Protection of team: tier "staging" - one of development, production',
    );
  });
});
