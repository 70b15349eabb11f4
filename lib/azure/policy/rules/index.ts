import type { PolicyRule } from '../rule';
export { DATA_SAFE_FEATURE_SWITCHES, type DataSafeFeatureSwitch } from './provider-data-safe-features';
import { aksAzureRbac } from './aks-azure-rbac';
import { aksHostEncryption } from './aks-host-encryption';
import { aksLocalAccountsDisabled } from './aks-local-accounts-disabled';
import { aksNetworkPolicy } from './aks-network-policy';
import { aksPolicyAddon } from './aks-policy-addon';
import { aksPrivateCluster } from './aks-private-cluster';
import { aksUpgradeChannel } from './aks-upgrade-channel';
import { alertHasAction } from './alert-has-action';
import { appInsightsLocalAuth } from './app-insights-local-auth';
import { appInsightsWorkspace } from './app-insights-workspace';
import { containerAppHttpsOnly } from './container-app-https-only';
import { containerAppMinReplicas } from './container-app-min-replicas';
import { containerAppProbes } from './container-app-probes';
import { containerAppSecretEnv } from './container-app-secret-env';
import { diagnosticsEnabled } from './diagnostics-enabled';
import { diskEncryption } from './disk-encryption';
import { diskNetworkAccessPolicy } from './disk-network-access-policy';
import { diskPublicNetworkAccess } from './disk-public-network-access';
import { keyVaultPublicNetworkAccess } from './key-vault-public-network-access';
import { keyVaultPurgeProtection } from './key-vault-purge-protection';
import { keyVaultSoftDeleteRetention } from './key-vault-soft-delete-retention';
import { linuxVmEncryptionAtHost } from './linux-vm-encryption-at-host';
import { linuxVmNoAdminPassword } from './linux-vm-no-admin-password';
import { linuxVmPasswordAuthDisabled } from './linux-vm-password-auth-disabled';
import { linuxVmSshKey } from './linux-vm-ssh-key';
import { logRetention } from './log-retention';
import { nameLimits } from './name-limits';
import { nicNoPublicIp } from './nic-no-public-ip';
import { nsgHttpFromInternet } from './nsg-http-from-internet';
import { nsgInternetIngress } from './nsg-internet-ingress';
import { nsgRdpFromInternet } from './nsg-rdp-from-internet';
import { nsgSshFromInternet } from './nsg-ssh-from-internet';
import { nsgUdpFromInternet } from './nsg-udp-from-internet';
import { providerDataSafeFeatures } from './provider-data-safe-features';
import { publicIpEdgeOnly } from './public-ip-edge-only';
import { rsvCrossRegion } from './rsv-cross-region';
import { rsvImmutability } from './rsv-immutability';
import { rsvManagedIdentity } from './rsv-managed-identity';
import { rsvSoftDelete } from './rsv-soft-delete';
import { statefulPreventDestroy } from './stateful-prevent-destroy';
import { storageGeoReplication } from './storage-geo-replication';
import { storageHttpsOnly } from './storage-https-only';
import { storageMinTls } from './storage-min-tls';
import { storageNoAnonymousBlobAccess } from './storage-no-anonymous-blob-access';
import { storageNoSharedKey } from './storage-no-shared-key';
import { storagePublicNetworkAccess } from './storage-public-network-access';
import { storageSoftDelete } from './storage-soft-delete';
import { subnetHasNsg } from './subnet-has-nsg';
import { vmBackup } from './vm-backup';
import { vmssEncryptionAtHost } from './vmss-encryption-at-host';
import { webTestHttps } from './web-test-https';

/** Every rule of the Azure pack, in id order. */
export const AZURE_RULES: readonly PolicyRule[] = [
  aksAzureRbac,
  aksHostEncryption,
  aksLocalAccountsDisabled,
  aksNetworkPolicy,
  aksPolicyAddon,
  aksPrivateCluster,
  aksUpgradeChannel,
  alertHasAction,
  appInsightsLocalAuth,
  appInsightsWorkspace,
  containerAppHttpsOnly,
  containerAppMinReplicas,
  containerAppProbes,
  containerAppSecretEnv,
  diagnosticsEnabled,
  diskEncryption,
  diskNetworkAccessPolicy,
  diskPublicNetworkAccess,
  keyVaultPublicNetworkAccess,
  keyVaultPurgeProtection,
  keyVaultSoftDeleteRetention,
  linuxVmEncryptionAtHost,
  linuxVmNoAdminPassword,
  linuxVmPasswordAuthDisabled,
  linuxVmSshKey,
  logRetention,
  nameLimits,
  nicNoPublicIp,
  nsgHttpFromInternet,
  nsgInternetIngress,
  nsgRdpFromInternet,
  nsgSshFromInternet,
  nsgUdpFromInternet,
  providerDataSafeFeatures,
  publicIpEdgeOnly,
  rsvCrossRegion,
  rsvImmutability,
  rsvManagedIdentity,
  rsvSoftDelete,
  statefulPreventDestroy,
  storageGeoReplication,
  storageHttpsOnly,
  storageMinTls,
  storageNoAnonymousBlobAccess,
  storageNoSharedKey,
  storagePublicNetworkAccess,
  storageSoftDelete,
  subnetHasNsg,
  vmBackup,
  vmssEncryptionAtHost,
  webTestHttps,
].sort((a, b) => a.id.localeCompare(b.id));
