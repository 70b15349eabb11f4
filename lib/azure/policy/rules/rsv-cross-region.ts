import type { PolicyRule } from '../rule';
import { readBool, readString, stateOf, subject, UNKNOWN } from './util';

/**
 * A production Recovery Services vault keeps its backups in a second region and can restore there:
 * `storage_mode_type` GeoRedundant (the provider's default) and `cross_region_restore_enabled = true` (default
 * false), which Azure accepts only on a GeoRedundant vault. checkov has no check for it.
 */
export const rsvCrossRegion: PolicyRule = {
  id: 'PC_AZURE_RSV_CROSS_REGION',
  severity: 'error',
  title: 'Production Recovery Services vaults are geo-redundant with cross-region restore',
  resourceTypes: ['azurerm_recovery_services_vault'],
  tiers: ['production'],
  check(vault) {
    const messages: string[] = [];
    const mode = readString(vault.config, 'storage_mode_type');
    if (mode !== undefined && mode !== UNKNOWN && mode !== 'GeoRedundant') {
      messages.push(
        `${subject(vault)} ${stateOf('storage_mode_type', mode)}: set storage_mode_type = "GeoRedundant" (Azure refuses the change once items are protected: create a new vault)`,
      );
    }
    const restore = readBool(vault.config, 'cross_region_restore_enabled');
    if (restore !== UNKNOWN && restore !== true) {
      messages.push(
        `${subject(vault)} ${stateOf('cross_region_restore_enabled', restore, 'the provider defaults to false')}: set cross_region_restore_enabled = true`,
      );
    }
    return messages;
  },
};
