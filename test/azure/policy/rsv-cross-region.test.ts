import { rsvCrossRegion } from '../../../lib/azure/policy/rules/rsv-cross-region';
import { recoveryVault } from './fixtures/vaults';
import { findingsOf } from './helpers';

describe('PC_AZURE_RSV_CROSS_REGION production vaults are geo-redundant with cross-region restore', () => {
  test('Compliance: GeoRedundant (by default or explicitly) with cross-region restore in production', () => {
    const findings = findingsOf(
      rsvCrossRegion,
      (scope) => {
        recoveryVault(scope, 'default', { crossRegionRestoreEnabled: true });
        recoveryVault(scope, 'explicit', { storageModeType: 'GeoRedundant', crossRegionRestoreEnabled: true });
      },
      'production',
    );
    expect(findings).toEqual([]);
  });

  test('Compliance: a locally redundant vault in development, where the rule does not apply', () => {
    expect(
      findingsOf(
        rsvCrossRegion,
        (scope) => recoveryVault(scope, 'dev', { storageModeType: 'LocallyRedundant' }),
        'development',
      ),
    ).toEqual([]);
  });

  test('Noncompliance: left at the defaults in production, no cross-region restore', () => {
    const findings = findingsOf(rsvCrossRegion, (scope) => recoveryVault(scope, 'prod'), 'production');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      ruleId: 'PC_AZURE_RSV_CROSS_REGION',
      severity: 'error',
      address: 'azurerm_recovery_services_vault.prod',
    });
    expect(findings[0]!.message).toBe(
      'azurerm_recovery_services_vault.prod (Recovery Services vault rsv-prod) leaves cross_region_restore_enabled unset (the provider defaults to false): set cross_region_restore_enabled = true',
    );
  });

  test('Noncompliance: zone-redundant without cross-region restore, two findings', () => {
    const findings = findingsOf(
      rsvCrossRegion,
      (scope) => recoveryVault(scope, 'prod', { storageModeType: 'ZoneRedundant', crossRegionRestoreEnabled: false }),
      'production',
    );
    expect(findings.map((f) => f.message)).toEqual([
      'azurerm_recovery_services_vault.prod (Recovery Services vault rsv-prod) sets storage_mode_type = "ZoneRedundant": set storage_mode_type = "GeoRedundant" (Azure refuses the change once items are protected: create a new vault)',
      'azurerm_recovery_services_vault.prod (Recovery Services vault rsv-prod) sets cross_region_restore_enabled = false: set cross_region_restore_enabled = true',
    ]);
  });
});
