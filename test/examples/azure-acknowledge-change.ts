import * as storageAccount from '@cdktf/provider-azurerm/lib/storage-account';
import { App, TerraformStack } from 'cdktf';
import { acknowledgeChange, acknowledgeRemoval } from 'platform-constructs/azure';

/**
 * The same on Azure: the reports storage account moves to zone-redundant storage with a new name (Terraform
 * replaces it), and an old account is removed. The acknowledgements travel in cdk.tf.json's `"//"` blocks.
 */
export function buildAcknowledgedApp(): App {
  const app = new App();
  const stack = new TerraformStack(app, 'payments-reports');
  const reports = new storageAccount.StorageAccount(stack, 'reports', {
    name: 'stpaymentsreportszrs',
    resourceGroupName: 'rg-payments',
    location: 'westeurope',
    accountTier: 'Standard',
    accountReplicationType: 'ZRS',
  });
  acknowledgeChange(reports, 'data-loss', 'azcopy moved every blob to the new account before this applies');
  acknowledgeRemoval(stack, 'azurerm_storage_account.archive', 'data-loss', 'The archive is kept in the data lake now');
  return app;
}
