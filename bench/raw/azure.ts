// The Azure half of the bench's reference point: the same three environment stacks as stacks/azure (same
// construct IDs, so the same Terraform JSON), written against cdktf and the azurerm provider directly, with
// names, address blocks and tags spelled out instead of computed from the spec. Provider resources come by
// deep path: the package root loads every azurerm resource (seconds and hundreds of MB).
//
// Production keeps its data as ours does (lifecycle.prevent_destroy on the resource group), and each stack
// records the same tier and rule list in its "//" block. What this program does NOT do is ours' check work:
// it has no rule engine, so it neither re-renders each stack to Terraform JSON for a validation nor runs
// the rules over it. Its times are therefore a lower bound for the same output, and ours/raw for azure
// includes the price of the checks.
import * as natGateway from '@cdktf/provider-azurerm/lib/nat-gateway';
import * as natIpAssociation from '@cdktf/provider-azurerm/lib/nat-gateway-public-ip-association';
import * as nsg from '@cdktf/provider-azurerm/lib/network-security-group';
import * as nsgRule from '@cdktf/provider-azurerm/lib/network-security-rule';
import * as provider from '@cdktf/provider-azurerm/lib/provider';
import * as publicIp from '@cdktf/provider-azurerm/lib/public-ip';
import * as resourceGroup from '@cdktf/provider-azurerm/lib/resource-group';
import * as subnet from '@cdktf/provider-azurerm/lib/subnet';
import * as subnetNat from '@cdktf/provider-azurerm/lib/subnet-nat-gateway-association';
import * as subnetNsg from '@cdktf/provider-azurerm/lib/subnet-network-security-group-association';
import * as vnet from '@cdktf/provider-azurerm/lib/virtual-network';
import { App, AzurermBackend, LocalBackend, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import * as path from 'node:path';
import { parseBenchArgs } from '../args';

/** One environment, as stacks/environments resolves it for Azure. */
interface RawAzureEnvironment {
  readonly name: string;
  readonly tier: 'development' | 'production';
  /** Keep stateful resources (here the resource group) from ever being destroyed by a plan. */
  readonly retainData: boolean;
  /** The VNet's address space. */
  readonly cidr: string;
  /** The /18 blocks of the workloads, data and apps subnets (the /16 split in four, the last kept spare). */
  readonly subnets: Readonly<Record<Role, string>>;
  /** Remote state; local state beside the project when absent. */
  readonly backend?: { readonly resourceGroupName: string; readonly storageAccountName: string };
}

type Role = 'workloads' | 'data' | 'apps';
const ROLES: readonly Role[] = ['workloads', 'data', 'apps'];
const LOCATION = 'westeurope';
const LOCATION_CODE = 'weu';

const ENVIRONMENTS: readonly RawAzureEnvironment[] = [
  {
    name: 'dev',
    tier: 'development',
    retainData: false,
    cidr: '10.10.0.0/16',
    subnets: { workloads: '10.10.0.0/18', data: '10.10.64.0/18', apps: '10.10.128.0/18' },
  },
  {
    name: 'staging',
    tier: 'production',
    retainData: true,
    cidr: '10.20.0.0/16',
    subnets: { workloads: '10.20.0.0/18', data: '10.20.64.0/18', apps: '10.20.128.0/18' },
  },
  {
    name: 'prod',
    tier: 'production',
    retainData: true,
    cidr: '10.30.0.0/16',
    subnets: { workloads: '10.30.0.0/18', data: '10.30.64.0/18', apps: '10.30.128.0/18' },
    backend: { resourceGroupName: 'rg-platform-tfstate', storageAccountName: 'stplatformtfstate' },
  },
];

/** The ids of the rules ours checks every stack with, as it records them in the stack's "//" block. */
const POLICY_RULE_IDS: readonly string[] = [
  'CKV_AZURE_10',
  'CKV_AZURE_110',
  'CKV_AZURE_119',
  'CKV_AZURE_149',
  'CKV_AZURE_160',
  'CKV_AZURE_178',
  'CKV_AZURE_189',
  'CKV_AZURE_2',
  'CKV_AZURE_206',
  'CKV_AZURE_251',
  'CKV_AZURE_3',
  'CKV_AZURE_44',
  'CKV_AZURE_59',
  'CKV_AZURE_77',
  'CKV_AZURE_9',
  'CKV_AZURE_97',
  'CKV2_AZURE_31',
  'CKV2_AZURE_35',
  'CKV2_AZURE_38',
  'CKV2_AZURE_40',
  'CKV2_AZURE_47',
  'PC_AZURE_CONTAINER_APP_HTTPS_ONLY',
  'PC_AZURE_CONTAINER_APP_MIN_REPLICAS',
  'PC_AZURE_CONTAINER_APP_PROBES',
  'PC_AZURE_CONTAINER_APP_SECRET_ENV',
  'PC_AZURE_DISK_NETWORK_ACCESS_POLICY',
  'PC_AZURE_KEY_VAULT_SOFT_DELETE_90_DAYS',
  'PC_AZURE_LINUX_VM_NO_ADMIN_PASSWORD',
  'PC_AZURE_LOG_RETENTION',
  'PC_AZURE_NAME_LIMITS',
  'PC_AZURE_PREVENT_DESTROY',
  'PC_AZURE_PUBLIC_IP_EDGE_ONLY',
  'PC_AZURE_RSV_CROSS_REGION',
  'PC_AZURE_RSV_IMMUTABILITY',
  'PC_AZURE_RSV_SOFT_DELETE',
  'PC_AZURE_VM_BACKUP',
  'PC_AZURE_VM_ENCRYPTION_AT_HOST',
];

function buildEnvironment(app: App, env: RawAzureEnvironment): void {
  const stackName = `platform-${env.name}`;
  const stack = new TerraformStack(app, stackName);
  // Sorted keys, as ours writes them; passed to each taggable resource instead of through an aspect.
  const tags = {
    'cost-center': 'platform',
    environment: env.name,
    'managed-by': 'platform-constructs',
    owner: 'platform-team',
  };

  new provider.AzurermProvider(stack, 'azurerm', {
    features: [
      {
        apiManagement: [{ purgeSoftDeleteOnDestroy: false, recoverSoftDeleted: true }],
        appConfiguration: [{ purgeSoftDeleteOnDestroy: false, recoverSoftDeleted: true }],
        cognitiveAccount: [{ purgeSoftDeleteOnDestroy: false }],
        databricksWorkspace: [{ forceDelete: false }],
        keyVault: [
          {
            purgeSoftDeleteOnDestroy: false,
            purgeSoftDeletedCertificatesOnDestroy: false,
            purgeSoftDeletedHardwareSecurityModuleKeysOnDestroy: false,
            purgeSoftDeletedHardwareSecurityModulesOnDestroy: false,
            purgeSoftDeletedKeysOnDestroy: false,
            purgeSoftDeletedSecretsOnDestroy: false,
            recoverSoftDeletedCertificates: true,
            recoverSoftDeletedHardwareSecurityModuleKeys: true,
            recoverSoftDeletedKeyVaults: true,
            recoverSoftDeletedKeys: true,
            recoverSoftDeletedSecrets: true,
          },
        ],
        logAnalyticsWorkspace: [{ permanentlyDeleteOnDestroy: false }],
        machineLearning: [{ purgeSoftDeletedWorkspaceOnDestroy: false }],
        netapp: [{ deleteBackupsOnBackupVaultDestroy: false, preventVolumeDestruction: true }],
        recoveryService: [
          { purgeProtectedItemsFromVaultOnDestroy: false, vmBackupStopProtectionAndRetainDataOnDestroy: true },
        ],
        recoveryServicesVaults: [{ recoverSoftDeletedBackupProtectedVm: true }],
        resourceGroup: [{ preventDeletionIfContainsResources: true }],
        subscription: [{ preventCancellationOnDestroy: true }],
        virtualMachine: [
          { deleteOsDiskOnDeletion: false, detachImplicitDataDiskOnDeletion: true, skipShutdownAndForceDelete: false },
        ],
        virtualMachineScaleSet: [{ forceDelete: false }],
      },
    ],
    storageUseAzuread: true,
  });
  // Ours makes the JSON plain Terraform: the provider's full source address and a minimum CLI version.
  stack.addOverride('terraform.required_providers.azurerm.source', 'hashicorp/azurerm');
  stack.addOverride('terraform.required_version', '>= 1.5.0');
  if (env.backend) {
    new AzurermBackend(stack, {
      ...env.backend,
      containerName: 'tfstate',
      key: `${stackName}.tfstate`,
      useAzureadAuth: true,
    });
  } else {
    new LocalBackend(stack, { path: `../../../terraform.${stackName}.tfstate` });
  }

  const rg = new resourceGroup.ResourceGroup(stack, 'resource-group', {
    name: `rg-${stackName}-${LOCATION_CODE}`,
    location: LOCATION,
    tags,
    ...(env.retainData && { lifecycle: { preventDestroy: true } }),
  });
  // A plain Construct named like ours, so that resource names in the JSON match ours exactly.
  const network = new Construct(stack, 'network');
  const inRg = { location: rg.location, resourceGroupName: rg.name, tags };
  const virtualNetwork = new vnet.VirtualNetwork(network, 'Resource', {
    ...inRg,
    name: `vnet-${stackName}-${LOCATION_CODE}`,
    addressSpace: [env.cidr],
  });
  const ip = new publicIp.PublicIp(network, 'NatPublicIp', {
    ...inRg,
    name: `pip-${stackName}-nat-${LOCATION_CODE}`,
    allocationMethod: 'Static',
    sku: 'Standard',
    ipVersion: 'IPv4',
  });
  const nat = new natGateway.NatGateway(network, 'NatGateway', {
    ...inRg,
    name: `ng-${stackName}-${LOCATION_CODE}`,
    skuName: 'Standard',
    idleTimeoutInMinutes: 4,
  });
  new natIpAssociation.NatGatewayPublicIpAssociation(network, 'NatPublicIpAssociation', {
    natGatewayId: nat.id,
    publicIpAddressId: ip.id,
  });

  for (const role of ROLES) {
    const group = new nsg.NetworkSecurityGroup(network, `SecurityGroup-${role}`, {
      ...inRg,
      name: `nsg-${stackName}-${role}-${LOCATION_CODE}`,
    });
    new nsgRule.NetworkSecurityRule(network, `DenyInternetInbound-${role}`, {
      name: 'DenyInternetInbound',
      description: 'Nothing from the Internet reaches this subnet unless a higher-priority rule allows it',
      resourceGroupName: rg.name,
      networkSecurityGroupName: group.name,
      priority: 4096,
      direction: 'Inbound',
      access: 'Deny',
      protocol: '*',
      sourceAddressPrefix: 'Internet',
      sourcePortRange: '*',
      destinationAddressPrefix: '*',
      destinationPortRange: '*',
    });
    const net = new subnet.Subnet(network, `Subnet-${role}`, {
      name: `snet-${role}`,
      resourceGroupName: rg.name,
      virtualNetworkName: virtualNetwork.name,
      addressPrefixes: [env.subnets[role]],
      defaultOutboundAccessEnabled: false,
      privateEndpointNetworkPolicies: 'Enabled',
      ...(role === 'apps' && {
        delegation: [
          {
            name: 'container-apps',
            serviceDelegation: {
              name: 'Microsoft.App/environments',
              actions: ['Microsoft.Network/virtualNetworks/subnets/join/action'],
            },
          },
        ],
      }),
    });
    new subnetNsg.SubnetNetworkSecurityGroupAssociation(network, `SecurityGroupAssociation-${role}`, {
      subnetId: net.id,
      networkSecurityGroupId: group.id,
    });
    // The data subnet has no way out at all.
    if (role !== 'data') {
      new subnetNat.SubnetNatGatewayAssociation(network, `NatGatewayAssociation-${role}`, {
        subnetId: net.id,
        natGatewayId: nat.id,
      });
    }
  }
  stack.addOverride('//.platform-policy', { tier: env.tier, rules: POLICY_RULE_IDS });
}

/**
 * Synthesizes the three environments' Terraform JSON into `outdir` with plain cdktf.
 *
 * @param outdir - the cdktf output folder (created if missing).
 */
export function synthRawAzure(outdir: string): void {
  const app = new App({ outdir, stackTraces: false });
  for (const env of ENVIRONMENTS) buildEnvironment(app, env);
  app.synth();
}

if (require.main === module) {
  // --cloud and --no-validation are accepted for a uniform command line; Terraform JSON has no validation here.
  synthRawAzure(path.join(parseBenchArgs(process.argv.slice(2)).outdir, 'cdktf.out'));
}
