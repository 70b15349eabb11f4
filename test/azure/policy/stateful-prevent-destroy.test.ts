import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network';
import { RetainStatefulResources } from '../../../lib/azure';
import { statefulPreventDestroy } from '../../../lib/azure/policy/rules/stateful-prevent-destroy';
import { keyVault } from './fixtures/vaults';
import { findingsOf } from './helpers';

describe('PC_AZURE_PREVENT_DESTROY production data has prevent_destroy', () => {
  test('Compliance: RetainStatefulResources protects the resource group and key vault, not the network', () => {
    const findings = findingsOf(statefulPreventDestroy, (scope) => {
      new ResourceGroup(scope, 'rg', { name: 'rg', location: 'westeurope' });
      keyVault(scope, 'kv', { name: 'kv-platform' });
      new VirtualNetwork(scope, 'vnet', {
        name: 'vnet',
        location: 'westeurope',
        resourceGroupName: 'rg',
        addressSpace: ['10.0.0.0/16'],
      });
      RetainStatefulResources.applyTo(scope);
    });
    expect(findings).toEqual([]);
  });

  test('Noncompliance: a production resource group a plan could destroy', () => {
    const findings = findingsOf(
      statefulPreventDestroy,
      (scope) => new ResourceGroup(scope, 'rg', { name: 'rg', location: 'westeurope' }),
    );
    expect(findings).toEqual([
      {
        ruleId: 'PC_AZURE_PREVENT_DESTROY',
        severity: 'error',
        address: 'azurerm_resource_group.rg',
        path: 'test/rg',
        message:
          'azurerm_resource_group.rg holds data but a plan may destroy it: set lifecycle.prevent_destroy = true (RetainStatefulResources does this for production)',
      },
    ]);
  });

  test('development resources may be destroyed', () => {
    expect(
      findingsOf(
        statefulPreventDestroy,
        (scope) => new ResourceGroup(scope, 'rg', { name: 'rg', location: 'westeurope' }),
        'development',
      ),
    ).toEqual([]);
  });
});
