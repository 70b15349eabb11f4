import type { RecoveryServicesVaultConfig } from '@cdktf/provider-azurerm/lib/recovery-services-vault';
import type { Construct } from 'constructs';
import { rsvManagedIdentity } from '../../../lib/azure/policy/rules/rsv-managed-identity';
import { recoveryVault } from './fixtures/vaults';
import { findingsOf } from './helpers';

/** The vault each test judges: azurerm_recovery_services_vault.rsv, named rsv-platform. */
const vault = (scope: Construct, overrides: Partial<RecoveryServicesVaultConfig> = {}) =>
  recoveryVault(scope, 'rsv', { name: 'rsv-platform', ...overrides });

describe('CKV2_AZURE_35 Recovery Services vaults have a managed identity', () => {
  test('Compliance: a system-assigned identity', () => {
    expect(findingsOf(rsvManagedIdentity, (scope) => vault(scope, { identity: { type: 'SystemAssigned' } }))).toEqual(
      [],
    );
  });

  test('Noncompliance: no identity block', () => {
    const findings = findingsOf(rsvManagedIdentity, (scope) => vault(scope));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      ruleId: 'CKV2_AZURE_35',
      severity: 'error',
      address: 'azurerm_recovery_services_vault.rsv',
    });
    expect(findings[0]!.message).toBe(
      'azurerm_recovery_services_vault.rsv (Recovery Services vault rsv-platform) has no identity: add identity { type = "SystemAssigned" }',
    );
  });
});
