import { rsvSoftDelete } from '../../../lib/azure/policy/rules/rsv-soft-delete';
import { recoveryVault } from './fixtures/vaults';
import { findingsOf } from './helpers';

describe('PC_AZURE_RSV_SOFT_DELETE Recovery Services vaults keep soft delete on', () => {
  test('Compliance: left at the default (true) or set to true', () => {
    const findings = findingsOf(rsvSoftDelete, (scope) => {
      recoveryVault(scope, 'default');
      recoveryVault(scope, 'explicit', { softDeleteEnabled: true });
    });
    expect(findings).toEqual([]);
  });

  test('Noncompliance: soft_delete_enabled = false, in every tier', () => {
    const findings = findingsOf(
      rsvSoftDelete,
      (scope) => recoveryVault(scope, 'dev', { softDeleteEnabled: false }),
      'development',
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      ruleId: 'PC_AZURE_RSV_SOFT_DELETE',
      severity: 'error',
      address: 'azurerm_recovery_services_vault.dev',
    });
    expect(findings[0]!.message).toBe(
      'azurerm_recovery_services_vault.dev (Recovery Services vault rsv-dev) sets soft_delete_enabled = false: set soft_delete_enabled = true (or remove it)',
    );
  });
});
