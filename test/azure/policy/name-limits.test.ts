import { ContainerApp } from '@cdktf/provider-azurerm/lib/container-app';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { nameLimits } from '../../../lib/azure/policy/rules/name-limits';
import { storageAccount } from './fixtures/storage';
import { findingsOf } from './helpers';

describe('PC_AZURE_NAME_LIMITS names within Azure limits', () => {
  test('Compliance: names at the limits, uppercase where Azure accepts it', () => {
    const findings = findingsOf(nameLimits, (scope) => {
      new ResourceGroup(scope, 'rg', { name: `RG-${'a'.repeat(87)}`, location: 'westeurope' });
      storageAccount(scope, 'st', { name: 's'.repeat(24) });
    });
    expect(findings).toEqual([]);
  });

  test('Compliance: a name only known at apply time is not judged', () => {
    expect(
      findingsOf(nameLimits, (scope) => {
        const rg = new ResourceGroup(scope, 'rg', { name: 'rg', location: 'westeurope' });
        storageAccount(scope, 'st', { name: `st${rg.id}` });
      }),
    ).toEqual([]);
  });

  test('Noncompliance: a storage account name that is too long, and one with uppercase', () => {
    const findings = findingsOf(nameLimits, (scope) => {
      storageAccount(scope, 'long', { name: 's'.repeat(25) });
      storageAccount(scope, 'upper', { name: 'StPlatform' });
    });
    expect(findings.map((f) => [f.address, f.message])).toEqual([
      [
        'azurerm_storage_account.long',
        `azurerm_storage_account.long name "${'s'.repeat(25)}" is not a valid azureStorageAccount name: 3-24 lowercase letters and digits, unique across Azure: choose a name within the limit`,
      ],
      [
        'azurerm_storage_account.upper',
        'azurerm_storage_account.upper name "StPlatform" is not a valid azureStorageAccount name: 3-24 lowercase letters and digits, unique across Azure: choose a name within the limit',
      ],
    ]);
  });

  test('Noncompliance: a container app name over 32 characters', () => {
    const [finding] = findingsOf(nameLimits, (scope) => {
      new ContainerApp(scope, 'app', {
        name: 'a'.repeat(33),
        resourceGroupName: 'rg',
        containerAppEnvironmentId: 'env',
        revisionMode: 'Single',
        template: { container: [{ name: 'c', image: 'nginx', cpu: 0.25, memory: '0.5Gi' }] },
      });
    });
    expect(finding).toMatchObject({
      ruleId: 'PC_AZURE_NAME_LIMITS',
      severity: 'error',
      address: 'azurerm_container_app.app',
    });
  });
});
