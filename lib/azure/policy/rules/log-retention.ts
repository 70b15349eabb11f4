import type { Tier } from '../../../core';
import type { PolicyRule } from '../rule';
import { readNumber, stateOf, subject, UNKNOWN } from './util';

/** The fewest days logs are kept, per tier (DESIGN.md: log retention 30 days in development, 365 in production). */
const MIN_DAYS: Readonly<Record<Tier, number>> = { development: 30, production: 365 };

/** What Azure keeps when `retention_in_days` is left out, per resource type. */
const WHEN_UNSET: Readonly<Record<string, string>> = {
  azurerm_application_insights: 'the provider defaults to 90',
  azurerm_log_analytics_workspace: 'Azure keeps 30 days',
};

/**
 * A Log Analytics workspace or Application Insights component sets `retention_in_days` explicitly, to at least
 * 365 days in production and 30 elsewhere, so how long logs live is a decision in the code rather than a default.
 * checkov has no equivalent check.
 */
export const logRetention: PolicyRule = {
  id: 'PC_AZURE_LOG_RETENTION',
  severity: 'error',
  title: 'Log Analytics workspaces and Application Insights set their retention explicitly, 365 days in production',
  resourceTypes: ['azurerm_application_insights', 'azurerm_log_analytics_workspace'],
  check(resource, context) {
    const days = readNumber(resource.config, 'retention_in_days');
    const min = MIN_DAYS[context.tier];
    if (days === UNKNOWN || (days !== undefined && days >= min)) return [];
    return [
      `${subject(resource)} ${stateOf('retention_in_days', days, WHEN_UNSET[resource.type])}: set retention_in_days = ${min} or more (${context.tier})`,
    ];
  },
};
