import { appInsightsLocalAuth } from '../../../lib/azure/policy/rules/app-insights-local-auth';
import { component } from './fixtures/insights';
import { findingsOf } from './helpers';

describe('PC_AZURE_APP_INSIGHTS_LOCAL_AUTH Application Insights accepts Entra ID authentication only', () => {
  test('Compliance: local_authentication_disabled = true', () => {
    expect(findingsOf(appInsightsLocalAuth, (scope) => component(scope, 'checks'))).toEqual([]);
  });

  test('Noncompliance: left unset (the provider accepts local authentication) or set to false', () => {
    const findings = findingsOf(appInsightsLocalAuth, (scope) => {
      component(scope, 'unset', { localAuthenticationDisabled: undefined });
      component(scope, 'off', { localAuthenticationDisabled: false });
    });
    expect(findings.map((f) => [f.ruleId, f.severity, f.address])).toEqual([
      ['PC_AZURE_APP_INSIGHTS_LOCAL_AUTH', 'error', 'azurerm_application_insights.off'],
      ['PC_AZURE_APP_INSIGHTS_LOCAL_AUTH', 'error', 'azurerm_application_insights.unset'],
    ]);
    expect(findings.find((f) => f.address.endsWith('.unset'))?.message).toBe(
      'azurerm_application_insights.unset (Application Insights appi-unset) leaves local_authentication_disabled unset (the provider defaults to false): set local_authentication_disabled = true and send telemetry with an Entra ID token ("Monitoring Metrics Publisher" on the component)',
    );
  });

  test('applies in development too', () => {
    const findings = findingsOf(
      appInsightsLocalAuth,
      (scope) => component(scope, 'dev', { localAuthenticationDisabled: false }),
      'development',
    );
    expect(findings.map((f) => f.address)).toEqual(['azurerm_application_insights.dev']);
  });
});
