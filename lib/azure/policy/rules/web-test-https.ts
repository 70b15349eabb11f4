import { blocks, isExpression, type PolicyRule } from '../rule';
import { readBool, subject } from './util';

/**
 * PC_AZURE_WEB_TEST_HTTPS: a standard web test requests an `https://` URL and checks its TLS certificate
 * (`validation_rules.ssl_check_enabled = true`). A test of plain http sends its headers in clear text from
 * Microsoft's test locations across the Internet, and passes while the endpoint serves no valid certificate; the
 * API check spec refuses a public http URL for the same reason. A URL known only at apply time is judged by its
 * literal scheme prefix, if it has one. checkov has no check for it.
 */
export const webTestHttps: PolicyRule = {
  id: 'PC_AZURE_WEB_TEST_HTTPS',
  severity: 'error',
  title: 'Standard web tests request https and check the certificate',
  resourceTypes: ['azurerm_application_insights_standard_web_test'],
  check(test) {
    const request = blocks(test.config, 'request')[0] ?? {};
    const url = request.url;
    if (typeof url !== 'string' || (isExpression(url) && !/^https?:\/\//i.test(url))) return [];
    if (!/^https:\/\//i.test(url)) {
      return [
        `${subject(test)} requests ${url}: request https:// (the endpoint must serve TLS) and set ssl_check_enabled = true`,
      ];
    }
    const rules = blocks(test.config, 'validation_rules')[0] ?? {};
    const sslCheck = readBool(rules, 'ssl_check_enabled');
    return sslCheck === false || sslCheck === undefined
      ? [
          `${subject(test)} ${sslCheck === undefined ? 'leaves validation_rules.ssl_check_enabled unset (the provider defaults to false)' : 'sets validation_rules.ssl_check_enabled = false'}: set it to true, so an invalid certificate fails the test`,
        ]
      : [];
  },
};
