import { defineApplication, defineEnvironment, formatIssue, SpecError, type ApplicationInput } from '../../lib/core';
import { errorOf, prodInput } from '../util/fixtures';

const IMAGE = 'public.ecr.aws/nginx/nginx:1.27';
const AWS = { account: '123456789012', region: 'eu-west-1' };
const AZURE = { location: 'westeurope' };

/** An application joining `prod` on the given clouds, with a public web and an internal API, and these checks. */
function app(checks: unknown, clouds: Record<string, unknown> = { aws: AWS }): ApplicationInput {
  return {
    name: 'payments',
    environment: { name: 'prod', tier: 'production', ...clouds },
    services: [
      { name: 'web', image: IMAGE, cpu: 0.25, memoryGiB: 0.5, port: 80, public: true },
      { name: 'api', image: IMAGE, cpu: 0.5, memoryGiB: 1, port: 8080, healthCheckPath: '/healthz' },
    ],
    checks,
  } as ApplicationInput;
}

/** The problems an application spec produces, as `path: value - message` lines. */
function problems(input: ApplicationInput): string[] {
  const error = errorOf(() => defineApplication(input));
  expect(SpecError.isSpecError(error)).toBe(true);
  return (error as SpecError).issues.map(formatIssue);
}

describe('defineApplication: checks', () => {
  test("every service gets a check under its full name, with the tier's defaults, as the platform's services do", () => {
    const application = defineApplication(app(undefined));
    const platform = defineEnvironment({
      ...prodInput(),
      services: [
        { name: 'payments-web', image: IMAGE, cpu: 0.25, memoryGiB: 0.5, port: 80, public: true },
        { name: 'payments-api', image: IMAGE, cpu: 0.5, memoryGiB: 1, port: 8080, healthCheckPath: '/healthz' },
      ],
    });
    expect(application.checks).toEqual(platform.checks);
    expect(application.checks.checks.map((c) => [c.name, c.target, c.internal, c.intervalMinutes])).toEqual([
      ['payments-web', { service: 'payments-web', path: '/' }, false, 1],
      ['payments-api', { service: 'payments-api', path: '/healthz' }, true, 1],
    ]);
  });

  test('short names in the input: services.<name> tunes or switches off, endpoints name services and are named <application>-<name>', () => {
    const application = defineApplication(
      app({
        services: { web: { off: 'served through the CDN check' }, api: { latencyBudgetMs: 500 } },
        endpoints: [
          { name: 'api-status', service: 'api', path: '/status', body: { json: { path: 'status', equals: 'ok' } } },
          { name: 'partner', url: 'https://partner.example.com/health', headers: { Accept: 'application/json' } },
        ],
      }),
    );
    expect(application.checks.optedOut).toEqual([{ service: 'payments-web', reason: 'served through the CDN check' }]);
    expect(application.checks.checks).toEqual([
      {
        name: 'payments-api',
        target: { service: 'payments-api', path: '/healthz' },
        internal: true,
        method: 'GET',
        headers: {},
        secretHeaders: {},
        expectedStatus: 200,
        latencyBudgetMs: 500,
        intervalMinutes: 1,
        tlsExpiryWarningDays: 30,
      },
      {
        name: 'payments-api-status',
        target: { service: 'payments-api', path: '/status' },
        internal: true,
        method: 'GET',
        headers: {},
        secretHeaders: {},
        expectedStatus: 200,
        body: { jsonPath: 'status', equals: 'ok' },
        latencyBudgetMs: 2000,
        intervalMinutes: 1,
        tlsExpiryWarningDays: 30,
      },
      {
        name: 'payments-partner',
        target: { url: 'https://partner.example.com/health' },
        internal: false,
        method: 'GET',
        headers: { Accept: 'application/json' },
        secretHeaders: {},
        expectedStatus: 200,
        latencyBudgetMs: 2000,
        intervalMinutes: 1,
        tlsExpiryWarningDays: 30,
      },
    ]);
  });

  test('secret headers: an application on Azure reads them from the platform Key Vault; an AWS-only one needs none', () => {
    const checks = {
      endpoints: [
        { name: 'partner', url: 'https://partner.example.com/', secretHeaders: { 'X-Token': 'partner-token' } },
      ],
    };
    expect(defineApplication(app(checks, { azure: AZURE })).checks.checks[2]?.secretHeaders).toEqual({
      'X-Token': 'partner-token',
    });
    expect(defineApplication(app(checks)).checks.checks[2]?.secretHeaders).toEqual({ 'X-Token': 'partner-token' });
  });

  test('refuses unknown services, clashing names and contradictions at the short names the team wrote', () => {
    expect(
      problems(
        app({
          services: { billing: { intervalMinutes: 2 } },
          endpoints: [
            { name: 'api', url: 'https://partner.example.com/' },
            { name: 'gone', service: 'billing' },
            { name: 'web-in', service: 'web', internal: true },
          ],
        }),
      ),
    ).toEqual([
      'payments.checks.services.billing: "billing" - a service of the application (web, api)',
      'payments.checks.endpoints[0].name: "api" - a name no service has: each service\'s default check is named after its service (web, api)',
      'payments.checks.endpoints[1].service: "billing" - a service of the application (web, api)',
      'payments.checks.endpoints[2].internal: true - false or left out: the service web is public (public: true), so its check requests it from the Internet',
    ]);
  });

  test('refuses a check name that is too long once prefixed with the application name', () => {
    const name = 'a'.repeat(24);
    expect(problems(app({ endpoints: [{ name, url: 'https://partner.example.com/' }] }))).toEqual([
      `payments.checks.endpoints[0].name: "${name}" - a name of at most 23 characters: the check is named "payments-${name}" (<application>-<name>), and check names are a kebab-case name of 2-32 lowercase letters, digits and single hyphens, such as api-status`,
    ]);
    expect(
      defineApplication(app({ endpoints: [{ name: 'a'.repeat(23), url: 'https://partner.example.com/' }] })).checks
        .checks[2]?.name,
    ).toBe(`payments-${'a'.repeat(23)}`);
  });

  test('field problems of the checks are reported with the rest of the application', () => {
    expect(
      problems({
        ...app({ endpoints: [{ name: 'plain', url: 'http://partner.example.com/' }] }),
        services: [{ name: 'api', image: IMAGE, cpu: 0.5, memoryGiB: 1, port: 0 }],
      } as ApplicationInput),
    ).toEqual([
      'payments.services[0].port: 0 - a port from 1 to 65535',
      'payments.checks.endpoints[0].url: "http://partner.example.com/" - an https:// URL: a public endpoint is checked over TLS; http:// only with internal: true (an endpoint reachable only inside the network)',
    ]);
  });
});
