import type { PolicyRule } from '../rule';
import { readString, stateOf, subject, UNKNOWN } from './util';

/**
 * A Recovery Services vault is immutable, so no one can delete recovery points before they expire: `immutability`
 * is Locked in production, and Unlocked (or Locked) elsewhere, never Disabled or left out. Only production locks,
 * because a Locked vault cannot be unlocked: the provider re-creates the vault, backups and all, if
 * `immutability` changes from Locked. checkov has no check for it.
 */
export const rsvImmutability: PolicyRule = {
  id: 'PC_AZURE_RSV_IMMUTABILITY',
  severity: 'error',
  title: 'Recovery Services vaults are immutable, and locked in production',
  resourceTypes: ['azurerm_recovery_services_vault'],
  check(vault, context) {
    const immutability = readString(vault.config, 'immutability');
    if (immutability === UNKNOWN) return [];
    const production = context.tier === 'production';
    const allowed = production ? ['Locked'] : ['Unlocked', 'Locked'];
    if (immutability !== undefined && allowed.includes(immutability)) return [];
    const fix = production
      ? 'set immutability = "Locked" (this cannot be undone)'
      : 'set immutability = "Unlocked" (production locks it)';
    return [`${subject(vault)} ${stateOf('immutability', immutability, 'the vault is not immutable')}: ${fix}`];
  },
};
