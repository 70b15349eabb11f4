import { webTestHttps } from '../../../lib/azure/policy/rules/web-test-https';
import { standardWebTest } from './fixtures/insights';
import { findingsOf } from './helpers';

describe('PC_AZURE_WEB_TEST_HTTPS standard web tests request https and check the certificate', () => {
  test('Compliance: an https URL with the certificate checked, or a URL known only at apply time', () => {
    const findings = findingsOf(webTestHttps, (scope) => {
      standardWebTest(scope, 'api');
      standardWebTest(scope, 'token', {
        request: { url: 'https://${azurerm_container_app.api.ingress[0].fqdn}/health' },
      });
      standardWebTest(scope, 'opaque', { request: { url: '${var.url}' }, validationRules: undefined });
    });
    expect(findings).toEqual([]);
  });

  test('Noncompliance: plain http', () => {
    const findings = findingsOf(webTestHttps, (scope) =>
      standardWebTest(scope, 'plain', {
        request: { url: 'http://api.example.com/health' },
        validationRules: { expectedStatusCode: 200 },
      }),
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      ruleId: 'PC_AZURE_WEB_TEST_HTTPS',
      severity: 'error',
      address: 'azurerm_application_insights_standard_web_test.plain',
    });
    expect(findings[0]!.message).toMatch(/requests http:\/\/api\.example\.com\/health: request https:\/\//);
  });

  test('Noncompliance: https without the certificate check, unset or off', () => {
    const findings = findingsOf(webTestHttps, (scope) => {
      standardWebTest(scope, 'unset', { validationRules: { expectedStatusCode: 200 } });
      standardWebTest(scope, 'off', { validationRules: { expectedStatusCode: 200, sslCheckEnabled: false } });
    });
    expect(findings.map((f) => [f.address, /ssl_check_enabled (unset|= false)/.exec(f.message)?.[1]])).toEqual([
      ['azurerm_application_insights_standard_web_test.off', '= false'],
      ['azurerm_application_insights_standard_web_test.unset', 'unset'],
    ]);
  });
});
