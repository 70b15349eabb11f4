import type { PolicyRule } from '../rule';
import { expectBool } from './util';

/**
 * A Recovery Services vault keeps soft delete on (`soft_delete_enabled`, default true), so deleted backup data
 * stays recoverable for 14 days. checkov has no check for it.
 */
export const rsvSoftDelete: PolicyRule = {
  id: 'PC_AZURE_RSV_SOFT_DELETE',
  severity: 'error',
  title: 'Recovery Services vaults keep soft delete on',
  resourceTypes: ['azurerm_recovery_services_vault'],
  check(vault) {
    return expectBool(vault, 'soft_delete_enabled', { expected: true, providerDefault: true, hint: ' (or remove it)' });
  },
};
