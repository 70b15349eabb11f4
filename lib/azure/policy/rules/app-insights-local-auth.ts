import type { PolicyRule } from '../rule';
import { expectBool } from './util';

/**
 * PC_AZURE_APP_INSIGHTS_LOCAL_AUTH: an Application Insights component sets `local_authentication_disabled = true`
 * (the provider defaults it to false), so it accepts telemetry only with an Entra ID token: with local
 * authentication on, anyone who reads the instrumentation key (it travels in connection strings, page scripts and
 * job settings) can write forged telemetry and results into it. checkov has no check for it (Microsoft cloud
 * security benchmark IM-1: use centralized identity, not keys).
 */
export const appInsightsLocalAuth: PolicyRule = {
  id: 'PC_AZURE_APP_INSIGHTS_LOCAL_AUTH',
  severity: 'error',
  title: 'Application Insights components accept Entra ID authentication only',
  resourceTypes: ['azurerm_application_insights'],
  check(component) {
    return expectBool(component, 'local_authentication_disabled', {
      expected: true,
      providerDefault: false,
      hint: ' and send telemetry with an Entra ID token ("Monitoring Metrics Publisher" on the component)',
    });
  },
};
