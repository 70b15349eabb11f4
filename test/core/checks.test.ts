import {
  checksSection,
  defineEnvironment,
  formatIssue,
  SpecError,
  type CheckSpec,
  type EnvironmentInput,
} from '../../lib/core';
import { devInput, errorOf, prodInput } from '../util/fixtures';

const IMAGE = 'public.ecr.aws/nginx/nginx:1.27';
const KEY_VAULT_ID =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-secrets/providers/Microsoft.KeyVault/vaults/kv-platform-dev';

/** A public web service and an internal API with its own health path. */
const SERVICES = [
  { name: 'web', image: IMAGE, cpu: 0.25, memoryGiB: 0.5, port: 80, public: true },
  { name: 'api', image: IMAGE, cpu: 0.5, memoryGiB: 1, port: 8080, healthCheckPath: '/healthz' },
] as const;

type ChecksInput = EnvironmentInput['checks'];

/** An environment with the two services and these checks (written as a spec would, valid or not). */
function withChecks(checks: unknown, base: EnvironmentInput = devInput()): EnvironmentInput {
  return { ...base, services: [...SERVICES], checks: checks as ChecksInput };
}

/** The same with the Azure Key Vault that secret headers need. */
function withVault(checks: unknown, base: EnvironmentInput = devInput()): EnvironmentInput {
  return { ...withChecks(checks, base), azure: { ...base.azure, keyVaultId: KEY_VAULT_ID } } as EnvironmentInput;
}

/** The problems a spec produces, as `path: value - message` lines. */
function problems(input: EnvironmentInput): string[] {
  const error = errorOf(() => defineEnvironment(input));
  expect(SpecError.isSpecError(error)).toBe(true);
  return (error as SpecError).issues.map(formatIssue);
}

/** The one problem a spec produces, as its path, value and message. */
function onlyProblem(input: EnvironmentInput): { path: string; value: unknown; message: string } {
  const error = errorOf(() => defineEnvironment(input));
  expect(SpecError.isSpecError(error)).toBe(true);
  const issues = (error as SpecError).issues;
  expect(issues.map(formatIssue)).toHaveLength(1);
  return { ...issues[0]! };
}

/** A check of a service's health path with the tier's defaults. */
function defaultCheck(
  name: string,
  path: string,
  internal: boolean,
  tier: { intervalMinutes: number; latencyBudgetMs: number; tlsExpiryWarningDays: number },
): CheckSpec {
  return {
    name,
    target: { service: name, path },
    internal,
    method: 'GET',
    headers: {},
    secretHeaders: {},
    expectedStatus: 200,
    ...tier,
  };
}

const PRODUCTION = { intervalMinutes: 1, latencyBudgetMs: 2000, tlsExpiryWarningDays: 30 };
const DEVELOPMENT = { intervalMinutes: 5, latencyBudgetMs: 5000, tlsExpiryWarningDays: 14 };

describe('the checks section: defaults', () => {
  test('the tier defaults: every minute, 2 s, 30 days in production; every 5 minutes, 5 s, 14 days in development', () => {
    expect(checksSection.defaults).toEqual({
      production: { ...PRODUCTION, expectedStatus: 200, method: 'GET' },
      development: { ...DEVELOPMENT, expectedStatus: 200, method: 'GET' },
    });
  });

  test('an environment without services or checks has none', () => {
    expect(defineEnvironment(devInput()).checks).toEqual({ checks: [], optedOut: [] });
  });

  test('every service of a production environment gets a check of its health path, internal unless public', () => {
    expect(defineEnvironment(withChecks(undefined, prodInput())).checks).toEqual({
      checks: [defaultCheck('web', '/', false, PRODUCTION), defaultCheck('api', '/healthz', true, PRODUCTION)],
      optedOut: [],
    });
  });

  test('development checks every 5 minutes with a 5-second budget and warns 14 days before a certificate expires', () => {
    expect(defineEnvironment(withChecks({})).checks).toEqual({
      checks: [defaultCheck('web', '/', false, DEVELOPMENT), defaultCheck('api', '/healthz', true, DEVELOPMENT)],
      optedOut: [],
    });
  });
});

describe('the checks section: services and endpoints', () => {
  test('a service switched off with a reason has no check, and the reason is kept (trimmed)', () => {
    const env = defineEnvironment(withChecks({ services: { api: { off: '  checked through the gateway check ' } } }));
    expect(env.checks.checks.map((c) => c.name)).toEqual(['web']);
    expect(env.checks.optedOut).toEqual([{ service: 'api', reason: 'checked through the gateway check' }]);
  });

  test("services.<name> tunes the service's default check, every field", () => {
    const env = defineEnvironment(
      withVault({
        services: {
          api: {
            path: '/ready?deep=1',
            method: 'POST',
            headers: { Accept: 'application/json' },
            secretHeaders: { 'X-Api-Token': 'api-check-token' },
            expectedStatus: 204,
            body: { contains: 'ready' },
            latencyBudgetMs: 800,
            intervalMinutes: 10,
            tlsExpiryWarningDays: 45,
          },
        },
      }),
    );
    expect(env.checks.checks[1]).toEqual({
      name: 'api',
      target: { service: 'api', path: '/ready?deep=1' },
      internal: true,
      method: 'POST',
      headers: { Accept: 'application/json' },
      secretHeaders: { 'X-Api-Token': 'api-check-token' },
      expectedStatus: 204,
      body: { contains: 'ready' },
      latencyBudgetMs: 800,
      intervalMinutes: 10,
      tlsExpiryWarningDays: 45,
    });
    expect(env.checks.checks[0]).toEqual(defaultCheck('web', '/', false, DEVELOPMENT));
  });

  test('endpoints follow the default checks: a URL with a JSON assertion, and a service path', () => {
    const env = defineEnvironment(
      withChecks(
        {
          endpoints: [
            {
              name: 'public-api',
              url: 'https://api.example.com/v1/health',
              headers: { Accept: 'application/problem+json, text/plain;q=0.5' },
              body: { json: { path: 'data.items.0.status', equals: 'ok' } },
            },
            { name: 'api-status', service: 'api', path: '/status', expectedStatus: 202 },
            { name: 'web-home', service: 'web' },
          ],
        },
        prodInput(),
      ),
    );
    expect(env.checks.checks.map((c) => c.name)).toEqual(['web', 'api', 'public-api', 'api-status', 'web-home']);
    expect(env.checks.checks[2]).toEqual({
      name: 'public-api',
      target: { url: 'https://api.example.com/v1/health' },
      internal: false,
      method: 'GET',
      headers: { Accept: 'application/problem+json, text/plain;q=0.5' },
      secretHeaders: {},
      expectedStatus: 200,
      body: { jsonPath: 'data.items.0.status', equals: 'ok' },
      ...PRODUCTION,
    });
    expect(env.checks.checks[3]).toMatchObject({
      target: { service: 'api', path: '/status' },
      internal: true,
      expectedStatus: 202,
    });
    // Without a path, a service endpoint requests the service's health path.
    expect(env.checks.checks[4]).toMatchObject({ target: { service: 'web', path: '/' }, internal: false });
  });

  test('an internal endpoint may be http://; internal given as the service is, is accepted', () => {
    const env = defineEnvironment(
      withChecks({
        endpoints: [
          { name: 'metrics', url: 'http://10.10.1.20:9100/metrics', internal: true },
          { name: 'api-deep', service: 'api', internal: true },
          { name: 'web-deep', service: 'web', internal: false },
        ],
      }),
    );
    expect(env.checks.checks.slice(2).map((c) => [c.name, c.internal, c.target])).toEqual([
      ['metrics', true, { url: 'http://10.10.1.20:9100/metrics' }],
      ['api-deep', true, { service: 'api', path: '/healthz' }],
      ['web-deep', false, { service: 'web', path: '/' }],
    ]);
  });

  test('JSON assertions are accepted with a JSON or wildcard Accept, or none; each JSON value type is kept', () => {
    const accepts = [undefined, 'application/json; charset=utf-8', 'application/vnd.api+json', '*/*', 'application/*'];
    const values = ['ok', 3, true, null];
    const env = defineEnvironment(
      withChecks({
        endpoints: accepts.map((accept, i) => ({
          name: `json-${i}`,
          url: 'https://api.example.com/health',
          ...(accept !== undefined && { headers: { accept } }),
          body: { json: { path: 'status', equals: values[i % values.length] } },
        })),
      }),
    );
    expect(env.checks.checks.slice(2).map((c) => c.body)).toEqual([
      { jsonPath: 'status', equals: 'ok' },
      { jsonPath: 'status', equals: 3 },
      { jsonPath: 'status', equals: true },
      { jsonPath: 'status', equals: null },
      { jsonPath: 'status', equals: 'ok' },
    ]);
  });

  test('checks of URLs alone need no services', () => {
    const env = defineEnvironment({
      ...devInput(),
      checks: { endpoints: [{ name: 'status', url: 'https://status.example.com/' }] },
    });
    expect(env.checks.checks.map((c) => c.name)).toEqual(['status']);
  });

  test('the resolved section is frozen with the environment', () => {
    const env = defineEnvironment(withChecks({}));
    expect(Object.isFrozen(env.checks.checks[0]?.target)).toBe(true);
  });
});

describe('the checks section: bad input', () => {
  const at = (path: string): string => `dev.checks.${path}`;

  test.each([
    [
      'a public URL over http',
      { name: 'plain', url: 'http://api.example.com/' },
      'url',
      'http://api.example.com/',
      'an https:// URL: a public endpoint is checked over TLS; http:// only with internal: true (an endpoint reachable only inside the network)',
    ],
    [
      'a URL of another scheme',
      { name: 'ftp', url: 'ftp://files.example.com/', internal: true },
      'url',
      'ftp://files.example.com/',
      'an absolute http:// or https:// URL, such as https://api.example.com/health: checks speak HTTP, not ftp',
    ],
    [
      'a URL with credentials',
      { name: 'creds', url: 'https://user:pass@api.example.com/' },
      'url',
      'https://user:pass@api.example.com/',
      'a URL without credentials (user:password@), which would be written into the script and the template; send them in secretHeaders',
    ],
    [
      'a URL with a fragment',
      { name: 'frag', url: 'https://api.example.com/#top' },
      'url',
      'https://api.example.com/#top',
      'a URL without a fragment (#...): a fragment is never sent to the server',
    ],
    [
      'a URL that is not absolute',
      { name: 'rel', url: 'api.example.com/health' },
      'url',
      'api.example.com/health',
      'an absolute http:// or https:// URL, such as https://api.example.com/health',
    ],
    [
      'a URL with a space',
      { name: 'space', url: 'https://api.example.com/a b' },
      'url',
      'https://api.example.com/a b',
      'an absolute http:// or https:// URL, such as https://api.example.com/health, without spaces or line breaks',
    ],
    [
      'both a URL and a service',
      { name: 'both', url: 'https://api.example.com/', service: 'api' },
      'service',
      'api',
      'a url or a service, not both: a service check requests the address the cloud gives the service',
    ],
    [
      'a path with a URL',
      { name: 'path', url: 'https://api.example.com/', path: '/x' },
      'path',
      '/x',
      'a path only with service: with url, put the path in the URL',
    ],
    [
      'a path that is not an absolute URL path',
      { name: 'path', service: 'api', path: 'status' },
      'path',
      'status',
      'an absolute URL path of at most 1024 characters, optionally with a query, such as /healthz or /v1/status?deep=1',
    ],
    [
      'a JSON assertion on a response asked for as HTML',
      {
        name: 'html',
        url: 'https://api.example.com/',
        headers: { Accept: 'text/html' },
        body: { json: { path: 'status', equals: 'ok' } },
      },
      'body.json',
      { path: 'status', equals: 'ok' },
      'a body assertion the response can meet: headers.Accept ("text/html") asks for no JSON; use { contains } or accept application/json',
    ],
    [
      'a JSON assertion with method HEAD',
      { name: 'head', url: 'https://api.example.com/', method: 'HEAD', body: { json: { path: 'status', equals: 1 } } },
      'body',
      { json: { path: 'status', equals: 1 } },
      'no body assertion with method HEAD: a response to HEAD has no body',
    ],
    [
      'a body with both assertions',
      { name: 'body', url: 'https://api.example.com/', body: { contains: 'ok', json: { path: 'a', equals: 1 } } },
      'body',
      { contains: 'ok', json: { path: 'a', equals: 1 } },
      "{ contains: '<text>' } or { json: { path, equals } }: one of them",
    ],
    [
      'an empty body assertion',
      { name: 'body', url: 'https://api.example.com/', body: {} },
      'body',
      {},
      "{ contains: '<text>' } or { json: { path, equals } }: one of them",
    ],
    [
      'an empty contains',
      { name: 'body', url: 'https://api.example.com/', body: { contains: '' } },
      'body.contains',
      '',
      'text of 1-1024 characters the body must contain',
    ],
    [
      'a JSON path that is not dotted',
      { name: 'body', url: 'https://api.example.com/', body: { json: { path: 'items[0].id', equals: 'ok' } } },
      'body.json.path',
      'items[0].id',
      'a dotted path of field names and list indexes of at most 256 characters, such as status or data.items.0.id',
    ],
    [
      'a JSON value that is an object',
      { name: 'body', url: 'https://api.example.com/', body: { json: { path: 'a', equals: { b: 1 } } } },
      'body.json.equals',
      { b: 1 },
      'a string, a finite number, true, false or null',
    ],
    [
      'a latency budget over a minute',
      { name: 'slow', url: 'https://api.example.com/', latencyBudgetMs: 60001 },
      'latencyBudgetMs',
      60001,
      'a whole number of milliseconds from 1 to 60000: a check waits a minute at most, and never longer than its interval',
    ],
    [
      'an interval of 0 minutes',
      { name: 'often', url: 'https://api.example.com/', intervalMinutes: 0 },
      'intervalMinutes',
      0,
      'a whole number of minutes from 1 to 60',
    ],
    [
      'an interval over an hour',
      { name: 'rare', url: 'https://api.example.com/', intervalMinutes: 61 },
      'intervalMinutes',
      61,
      'a whole number of minutes from 1 to 60',
    ],
    [
      'an interval that is not whole',
      { name: 'half', url: 'https://api.example.com/', intervalMinutes: 1.5 },
      'intervalMinutes',
      1.5,
      'a whole number of minutes from 1 to 60',
    ],
    [
      'a status under 100',
      { name: 'status', url: 'https://api.example.com/', expectedStatus: 99 },
      'expectedStatus',
      99,
      'a status code from 100 to 599, such as 200',
    ],
    [
      'a status over 599',
      { name: 'status', url: 'https://api.example.com/', expectedStatus: 600 },
      'expectedStatus',
      600,
      'a status code from 100 to 599, such as 200',
    ],
    [
      'no TLS warning days',
      { name: 'tls', url: 'https://api.example.com/', tlsExpiryWarningDays: 0 },
      'tlsExpiryWarningDays',
      0,
      'a whole number of days from 1 to 90',
    ],
    [
      'TLS warning days over 90',
      { name: 'tls', url: 'https://api.example.com/', tlsExpiryWarningDays: 91 },
      'tlsExpiryWarningDays',
      91,
      'a whole number of days from 1 to 90',
    ],
    [
      'a method HTTP has not',
      { name: 'method', url: 'https://api.example.com/', method: 'get' },
      'method',
      'get',
      'one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS',
    ],
    [
      'a name that is not kebab-case',
      { name: 'Api_Status', url: 'https://api.example.com/' },
      'name',
      'Api_Status',
      'a kebab-case name of 2-32 lowercase letters, digits and single hyphens, such as api-status',
    ],
    [
      'a name of 33 characters',
      { name: `a${'b'.repeat(32)}`, url: 'https://api.example.com/' },
      'name',
      `a${'b'.repeat(32)}`,
      'a kebab-case name of 2-32 lowercase letters, digits and single hyphens, such as api-status',
    ],
    [
      'an unknown field',
      { name: 'extra', url: 'https://api.example.com/', timeout: 5 },
      'timeout',
      5,
      'unknown field; allowed fields here: name, url, service, path, internal, method, headers, secretHeaders, expectedStatus, body, latencyBudgetMs, intervalMinutes, tlsExpiryWarningDays',
    ],
  ])('refuses %s', (_case, endpoint, path, value, message) => {
    expect(onlyProblem(withChecks({ endpoints: [endpoint] }))).toEqual({
      path: at(`endpoints[0]${path === '' ? '' : `.${path}`}`),
      value,
      message,
    });
  });

  test('refuses an endpoint with neither a URL nor a service', () => {
    expect(onlyProblem(withChecks({ endpoints: [{ name: 'nothing' }] }))).toEqual({
      path: at('endpoints[0]'),
      value: { name: 'nothing' },
      message: 'a url or a service (with an optional path): what the check requests',
    });
  });

  test('refuses header names that are not tokens, header values with line breaks and overlong values', () => {
    expect(
      problems(
        withChecks({
          endpoints: [
            {
              name: 'headers',
              url: 'https://api.example.com/',
              headers: { 'X Bad': 'a', 'X-Inject': 'a\r\nHost: evil', 'X-Long': 'v'.repeat(4097) },
            },
          ],
        }),
      ),
    ).toEqual([
      // Line breaks are refused on the raw input, before the schema, in the words used for every field.
      `${at('endpoints[0].headers.X-Inject')}: "a\\r\\nHost: evil" - the value has \\u000d at character 2, a line break: in a script, a unit file, a header or a log line it starts a new line, which reads as a new command or field; remove it`,
      `${at('endpoints[0].headers.X Bad')}: "a" - a header name of at most 128 characters: letters, digits and !#$%&'*+-.^_\`|~ (an RFC 7230 token), such as Accept or X-Request-Id`,
      `${at('endpoints[0].headers.X-Long')}: "${'v'.repeat(59)}…(4,097 characters) - a header value of at most 4096 characters, without line breaks or control characters`,
    ]);
  });

  test('refuses a header in both headers and secretHeaders, whatever its case', () => {
    expect(
      onlyProblem(
        withVault({
          endpoints: [
            {
              name: 'twice',
              url: 'https://api.example.com/',
              headers: { 'X-Api-Token': 'plain' },
              secretHeaders: { 'x-api-token': 'api-token' },
            },
          ],
        }),
      ),
    ).toEqual({
      path: at('endpoints[0].secretHeaders.x-api-token'),
      value: 'api-token',
      message: 'a header set once: headers.X-Api-Token sets it already (header names are case-insensitive)',
    });
  });

  test('refuses a credential in plain headers', () => {
    expect(
      onlyProblem(
        withChecks({ endpoints: [{ name: 'auth', url: 'https://api.example.com/', headers: { Authorization: 'x' } }] }),
      ),
    ).toEqual({
      path: at('endpoints[0].headers.Authorization'),
      value: 'x',
      message:
        'no credential in plain headers, which are written into the script and the template: put Authorization in secretHeaders, by the name of the secret that holds it',
    });
  });

  test('refuses a secret name that the services would refuse', () => {
    expect(
      onlyProblem(
        withVault({
          endpoints: [{ name: 'secret', url: 'https://api.example.com/', secretHeaders: { 'X-Token': 'a/b' } }],
        }),
      ),
    ).toEqual({
      path: at('endpoints[0].secretHeaders.X-Token'),
      value: 'a/b',
      message: 'a secret name of 1-127 letters, digits and hyphens (valid in Secrets Manager and Key Vault)',
    });
  });

  test('refuses secret headers without a Key Vault on Azure, in endpoints and in tuning', () => {
    expect(
      problems(
        withChecks({
          services: { web: { secretHeaders: { 'X-Token': 'web-token' } } },
          endpoints: [{ name: 'secret', url: 'https://api.example.com/', secretHeaders: { 'X-Token': 'api-token' } }],
        }),
      ),
    ).toEqual([
      `${at('services.web.secretHeaders')}: ["X-Token"] - secret headers need azure.keyVaultId (the Key Vault holding them on Azure; AWS reads Secrets Manager by the same names)`,
      `${at('endpoints[0].secretHeaders')}: ["X-Token"] - secret headers need azure.keyVaultId (the Key Vault holding them on Azure; AWS reads Secrets Manager by the same names)`,
    ]);
  });

  test('refuses an unknown service, naming the services there are', () => {
    expect(onlyProblem(withChecks({ endpoints: [{ name: 'gone', service: 'billing' }] }))).toEqual({
      path: at('endpoints[0].service'),
      value: 'billing',
      message: 'a service of the environment (web, api)',
    });
    expect(onlyProblem({ ...devInput(), checks: { endpoints: [{ name: 'gone', service: 'billing' }] } })).toEqual({
      path: at('endpoints[0].service'),
      value: 'billing',
      message: 'a service of the environment (there are none)',
    });
  });

  test('refuses services.<name> naming no service', () => {
    expect(onlyProblem(withChecks({ services: { billing: { intervalMinutes: 2 } } }))).toEqual({
      path: at('services.billing'),
      value: 'billing',
      message: 'a service of the environment (web, api)',
    });
  });

  test('refuses internal contradicting the service, either way', () => {
    expect(
      problems(
        withChecks({
          endpoints: [
            { name: 'web-in', service: 'web', internal: true },
            { name: 'api-out', service: 'api', internal: false },
          ],
        }),
      ),
    ).toEqual([
      `${at('endpoints[0].internal')}: true - false or left out: the service web is public (public: true), so its check requests it from the Internet`,
      `${at('endpoints[1].internal')}: false - true or left out: the service api is internal (public: false), reachable only inside the network`,
    ]);
  });

  test('refuses two checks of one name, and a name a service has', () => {
    expect(
      problems(
        withChecks({
          endpoints: [
            { name: 'status', url: 'https://a.example.com/' },
            { name: 'status', url: 'https://b.example.com/' },
            { name: 'api', url: 'https://c.example.com/' },
          ],
        }),
      ),
    ).toEqual([
      `${at('endpoints[1].name')}: "status" - a name no other check has (checks.endpoints[0] has it)`,
      `${at('endpoints[2].name')}: "api" - a name no service has: each service's default check is named after its service (web, api)`,
    ]);
  });

  test('refuses a name a service has even when that service opts out (opting back in would clash)', () => {
    expect(
      onlyProblem(
        withChecks({
          services: { api: { off: 'checked by the api endpoint' } },
          endpoints: [{ name: 'api', service: 'api' }],
        }),
      ),
    ).toMatchObject({ path: at('endpoints[0].name'), value: 'api' });
  });

  test('refuses an opt-out without a reason of a few words, and an opt-out with tuning', () => {
    const rule =
      "a reason of at least 3 words and at most 500 characters saying why the service needs no check, such as 'checked through the gateway endpoint check'";
    expect(
      problems(withChecks({ services: { web: { off: '' }, api: { off: 'not needed', latencyBudgetMs: 100 } } })),
    ).toEqual([
      `${at('services.web.off')}: "" - ${rule}`,
      `${at('services.api.off')}: "not needed" - ${rule}`,
      `${at('services.api.off')}: "not needed" - off alone: a check switched off takes no tuning (remove latencyBudgetMs, or remove off)`,
    ]);
  });

  test('the tuning of a service follows the endpoint rules', () => {
    expect(
      problems(
        withChecks({
          services: {
            web: { method: 'HEAD', body: { contains: 'ok' }, intervalMinutes: 0 },
            api: { headers: { Accept: 'text/plain' }, body: { json: { path: 'ok', equals: true } }, url: 'x' },
          },
        }),
      ),
    ).toEqual([
      `${at('services.web.intervalMinutes')}: 0 - a whole number of minutes from 1 to 60`,
      `${at('services.web.body')}: {"contains":"ok"} - no body assertion with method HEAD: a response to HEAD has no body`,
      `${at('services.api.url')}: "x" - unknown field; allowed fields here: off, path, method, headers, secretHeaders, expectedStatus, body, latencyBudgetMs, intervalMinutes, tlsExpiryWarningDays`,
      `${at('services.api.body.json')}: {"path":"ok","equals":true} - a body assertion the response can meet: headers.Accept ("text/plain") asks for no JSON; use { contains } or accept application/json`,
    ]);
  });

  test('reports every problem of every check in one run', () => {
    expect(
      problems(
        withChecks({
          services: { web: { off: 'no', intervalMinutes: 99 } },
          endpoints: [
            { name: 'A', url: 'http://api.example.com/' },
            { name: 'ok-name', url: 'https://api.example.com/', service: 'api', latencyBudgetMs: 0 },
            {
              name: 'head',
              service: 'api',
              method: 'HEAD',
              body: { json: { path: 'a', equals: 1 } },
              headers: { Cookie: 'session=1' },
              expectedStatus: 700,
              tlsExpiryWarningDays: 100,
            },
          ],
        }),
      ),
    ).toEqual([
      `${at('services.web.off')}: "no" - a reason of at least 3 words and at most 500 characters saying why the service needs no check, such as 'checked through the gateway endpoint check'`,
      `${at('services.web.intervalMinutes')}: 99 - a whole number of minutes from 1 to 60`,
      `${at('services.web.off')}: "no" - off alone: a check switched off takes no tuning (remove intervalMinutes, or remove off)`,
      `${at('endpoints[0].name')}: "A" - a kebab-case name of 2-32 lowercase letters, digits and single hyphens, such as api-status`,
      `${at('endpoints[0].url')}: "http://api.example.com/" - an https:// URL: a public endpoint is checked over TLS; http:// only with internal: true (an endpoint reachable only inside the network)`,
      `${at('endpoints[1].latencyBudgetMs')}: 0 - a whole number of milliseconds from 1 to 60000: a check waits a minute at most, and never longer than its interval`,
      `${at('endpoints[1].service')}: "api" - a url or a service, not both: a service check requests the address the cloud gives the service`,
      `${at('endpoints[2].expectedStatus')}: 700 - a status code from 100 to 599, such as 200`,
      `${at('endpoints[2].tlsExpiryWarningDays')}: 100 - a whole number of days from 1 to 90`,
      `${at('endpoints[2].body')}: {"json":{"path":"a","equals":1}} - no body assertion with method HEAD: a response to HEAD has no body`,
      `${at('endpoints[2].headers.Cookie')}: "session=1" - no credential in plain headers, which are written into the script and the template: put Cookie in secretHeaders, by the name of the secret that holds it`,
    ]);
  });

  test('reports every problem between the checks and the services in one run', () => {
    expect(
      problems(
        withChecks({
          services: { billing: { intervalMinutes: 2 }, web: { secretHeaders: { 'X-Token': 'web-token' } } },
          endpoints: [
            { name: 'web', service: 'web', internal: true },
            { name: 'gone', service: 'billing' },
            { name: 'gone', url: 'https://api.example.com/', secretHeaders: { 'X-Token': 'api-token' } },
          ],
        }),
      ),
    ).toEqual([
      `${at('services.billing')}: "billing" - a service of the environment (web, api)`,
      `${at('services.web.secretHeaders')}: ["X-Token"] - secret headers need azure.keyVaultId (the Key Vault holding them on Azure; AWS reads Secrets Manager by the same names)`,
      `${at('endpoints[0].name')}: "web" - a name no service has: each service's default check is named after its service (web, api)`,
      `${at('endpoints[0].internal')}: true - false or left out: the service web is public (public: true), so its check requests it from the Internet`,
      `${at('endpoints[1].service')}: "billing" - a service of the environment (web, api)`,
      `${at('endpoints[2].name')}: "gone" - a name no other check has (checks.endpoints[1] has it)`,
      `${at('endpoints[2].secretHeaders')}: ["X-Token"] - secret headers need azure.keyVaultId (the Key Vault holding them on Azure; AWS reads Secrets Manager by the same names)`,
    ]);
  });

  test('a bad check does not hide the cross-section problems of the valid ones: one run reports both', () => {
    expect(
      problems(
        withChecks({
          services: { billing: { intervalMinutes: 2 }, web: { intervalMinutes: 0 } },
          endpoints: [
            { name: 'plain', url: 'http://api.example.com/health' },
            { name: 'gone', service: 'billing' },
            { name: 'partner', url: 'https://partner.example.com/', secretHeaders: { 'X-Token': 'partner-token' } },
          ],
        }),
      ),
    ).toEqual([
      `${at('services.web.intervalMinutes')}: 0 - a whole number of minutes from 1 to 60`,
      `${at('endpoints[0].url')}: "http://api.example.com/health" - an https:// URL: a public endpoint is checked over TLS; http:// only with internal: true (an endpoint reachable only inside the network)`,
      `${at('services.billing')}: "billing" - a service of the environment (web, api)`,
      `${at('endpoints[1].service')}: "billing" - a service of the environment (web, api)`,
      `${at('endpoints[2].secretHeaders')}: ["X-Token"] - secret headers need azure.keyVaultId (the Key Vault holding them on Azure; AWS reads Secrets Manager by the same names)`,
    ]);
  });

  test('a service whose entry did not parse is not called unknown by the checks', () => {
    const input = withChecks({ endpoints: [{ name: 'api-deep', service: 'api' }] });
    const services = [SERVICES[0], { ...SERVICES[1], port: 0 }];
    expect(problems({ ...input, services } as EnvironmentInput)).toEqual([
      'dev.services[1].port: 0 - a port from 1 to 65535',
    ]);
  });
});
