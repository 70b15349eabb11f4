import { rsvImmutability } from '../../../lib/azure/policy/rules/rsv-immutability';
import { recoveryVault } from './fixtures/vaults';
import { findingsOf } from './helpers';

describe('PC_AZURE_RSV_IMMUTABILITY Recovery Services vaults are immutable, locked in production', () => {
  test('Compliance: Locked in production', () => {
    expect(
      findingsOf(rsvImmutability, (scope) => recoveryVault(scope, 'prod', { immutability: 'Locked' }), 'production'),
    ).toEqual([]);
  });

  test('Compliance: Unlocked or Locked in development', () => {
    const findings = findingsOf(
      rsvImmutability,
      (scope) => {
        recoveryVault(scope, 'unlocked', { immutability: 'Unlocked' });
        recoveryVault(scope, 'locked', { immutability: 'Locked' });
      },
      'development',
    );
    expect(findings).toEqual([]);
  });

  test('Noncompliance: Unlocked or left out in production', () => {
    const findings = findingsOf(
      rsvImmutability,
      (scope) => {
        recoveryVault(scope, 'unlocked', { immutability: 'Unlocked' });
        recoveryVault(scope, 'unset');
      },
      'production',
    );
    expect(findings.map((f) => [f.ruleId, f.severity, f.address])).toEqual([
      ['PC_AZURE_RSV_IMMUTABILITY', 'error', 'azurerm_recovery_services_vault.unlocked'],
      ['PC_AZURE_RSV_IMMUTABILITY', 'error', 'azurerm_recovery_services_vault.unset'],
    ]);
    expect(findings.map((f) => f.message)).toEqual([
      'azurerm_recovery_services_vault.unlocked (Recovery Services vault rsv-unlocked) sets immutability = "Unlocked": set immutability = "Locked" (this cannot be undone)',
      'azurerm_recovery_services_vault.unset (Recovery Services vault rsv-unset) leaves immutability unset (the vault is not immutable): set immutability = "Locked" (this cannot be undone)',
    ]);
  });

  test('Noncompliance: Disabled in development', () => {
    const findings = findingsOf(
      rsvImmutability,
      (scope) => recoveryVault(scope, 'dev', { immutability: 'Disabled' }),
      'development',
    );
    expect(findings.map((f) => f.message)).toEqual([
      'azurerm_recovery_services_vault.dev (Recovery Services vault rsv-dev) sets immutability = "Disabled": set immutability = "Unlocked" (production locks it)',
    ]);
  });
});
