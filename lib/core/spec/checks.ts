import { z } from 'zod';
import type { BodyAssertion, CheckOptOut, CheckSpec, ChecksSpec } from '../api-checks';
import { makeName, type NameKind } from '../naming';
import { PLATFORM_PREFIX } from '../prefix';
import { defineSection, type ReportIssue, type SectionCheckContext } from './section';
import { servicesSection, type ServiceSpec } from './services';

/** The HTTP methods a check may send. */
export const CHECK_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/**
 * The limits of an API check, the same on both clouds.
 * - `intervalMinutes`: how often it runs; CloudWatch Synthetics runs a canary every 1 to 60 minutes.
 * - `latencyBudgetMs`: a check waits at most a minute for an answer (the budget can therefore never pass the
 *   interval, which is at least a minute).
 * - `expectedStatus`: an HTTP status code.
 * - `tlsExpiryWarningDays`: ACM and Key Vault renew certificates 60 and 30 days ahead; a warning beyond 90 days
 *   would fire for every healthy certificate of 90 days.
 * - `nameLength`: check names go into resource names (`platform-<env>-<check>`) and alarm ids (`check/<name>/...`).
 */
export const CHECK_LIMITS = {
  intervalMinutes: { min: 1, max: 60 },
  latencyBudgetMs: { min: 1, max: 60_000 },
  expectedStatus: { min: 100, max: 599 },
  tlsExpiryWarningDays: { min: 1, max: 90 },
  nameLength: { min: 2, max: 32 },
  urlLength: { max: 2048 },
  pathLength: { max: 1024 },
} as const;

/** The fewest words a reason for switching a service's default check off must have. */
export const CHECK_OPT_OUT_MIN_WORDS = 3;

/** Headers that carry credentials: their values go in `secretHeaders`, never in plain `headers`. */
const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'x-api-key'];

/** The tier defaults of a check. */
export interface CheckDefaults {
  /** How often a check runs, in minutes. */
  readonly intervalMinutes: number;
  /** The most milliseconds a healthy response may take. */
  readonly latencyBudgetMs: number;
  /** Days before a TLS certificate expires at which a check warns. */
  readonly tlsExpiryWarningDays: number;
  /** The status a healthy endpoint answers with. */
  readonly expectedStatus: number;
  /** The method a check sends. */
  readonly method: (typeof CHECK_METHODS)[number];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A whole number within a limit, with one message for every way to miss it. */
function wholeNumber(limit: { readonly min: number; readonly max: number }, rule: string): z.ZodNumber {
  return z.number({ error: rule }).int({ error: rule }).min(limit.min, { error: rule }).max(limit.max, { error: rule });
}

const { intervalMinutes, latencyBudgetMs, expectedStatus, tlsExpiryWarningDays, nameLength } = CHECK_LIMITS;

const CHECK_NAME_PATTERN = new RegExp(
  `^[a-z](?:[a-z0-9]|-(?!-)){${nameLength.min - 2},${nameLength.max - 2}}[a-z0-9]$`,
);
const CHECK_NAME_RULE = `a kebab-case name of ${nameLength.min}-${nameLength.max} lowercase letters, digits and single hyphens, such as api-status`;

/** An RFC 7230 token: the characters a header name may have. */
const HEADER_NAME_PATTERN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;
const HEADER_NAME_RULE =
  "a header name of at most 128 characters: letters, digits and !#$%&'*+-.^_`|~ (an RFC 7230 token), such as Accept or X-Request-Id";
const headerName = z.string().regex(HEADER_NAME_PATTERN, { error: HEADER_NAME_RULE });

const HEADER_VALUE_RULE = 'a header value of at most 4096 characters, without line breaks or control characters';
// eslint-disable-next-line no-control-regex -- control characters are exactly what the rule refuses
const headerValue = z.string().regex(/^[^\u0000-\u0008\u000a-\u001f\u007f]{0,4096}$/, { error: HEADER_VALUE_RULE });

/** Secret names follow the services' rule: valid in Secrets Manager and Key Vault alike. */
const secretName = servicesSection.schema.unwrap().element.shape.secrets.unwrap().valueType;

/** An absolute URL path, optionally with a query. */
const CHECK_PATH_PATTERN = /^\/[\w\-./~%]*(?:\?[\w\-./~%=&+,:@]*)?$/;
const CHECK_PATH_RULE = `an absolute URL path of at most ${CHECK_LIMITS.pathLength.max} characters, optionally with a query, such as /healthz or /v1/status?deep=1`;
const checkPath = z
  .string()
  .max(CHECK_LIMITS.pathLength.max, { error: CHECK_PATH_RULE })
  .regex(CHECK_PATH_PATTERN, { error: CHECK_PATH_RULE });

const JSON_PATH_RULE =
  'a dotted path of field names and list indexes of at most 256 characters, such as status or data.items.0.id';
const bodySchema = z.strictObject({
  contains: z
    .string()
    .min(1, { error: 'text of 1-1024 characters the body must contain' })
    .max(1024, { error: 'text of 1-1024 characters the body must contain' })
    .optional(),
  json: z
    .strictObject({
      path: z
        .string()
        .max(256, { error: JSON_PATH_RULE })
        .regex(/^[\w$-]+(?:\.[\w$-]+)*$/, { error: JSON_PATH_RULE }),
      equals: z.union([z.string(), z.number(), z.boolean(), z.null()], {
        error: 'a string, a finite number, true, false or null',
      }),
    })
    .optional(),
});

const BODY_RULE = "{ contains: '<text>' } or { json: { path, equals } }: one of them";

const URL_RULE = 'an absolute http:// or https:// URL, such as https://api.example.com/health';

/** What is wrong with a check URL on its own (scheme, credentials, fragment), or undefined. */
export function checkUrlProblem(url: string): string | undefined {
  if (url.length > CHECK_LIMITS.urlLength.max)
    return `${URL_RULE}, of at most ${CHECK_LIMITS.urlLength.max} characters`;
  if (/\s/.test(url)) return `${URL_RULE}, without spaces or line breaks`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return URL_RULE;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return `${URL_RULE}: checks speak HTTP, not ${parsed.protocol.replace(/:$/, '')}`;
  }
  if (parsed.hostname === '') return URL_RULE;
  if (parsed.username !== '' || parsed.password !== '') {
    return 'a URL without credentials (user:password@), which would be written into the script and the template; send them in secretHeaders';
  }
  if (url.includes('#')) return 'a URL without a fragment (#...): a fragment is never sent to the server';
  return undefined;
}

const urlSchema = z.string().superRefine((url, ctx) => {
  const problem = checkUrlProblem(url);
  if (problem) ctx.addIssue({ code: 'custom', input: url, message: problem });
});

/** The fields a service's default check may tune and an endpoint check may set. */
const tunableShape = {
  method: z.enum(CHECK_METHODS, { error: `one of ${CHECK_METHODS.join(', ')}` }).optional(),
  headers: z.record(headerName, headerValue).optional(),
  secretHeaders: z.record(headerName, secretName).optional(),
  expectedStatus: wholeNumber(
    expectedStatus,
    `a status code from ${expectedStatus.min} to ${expectedStatus.max}, such as 200`,
  ).optional(),
  body: bodySchema.optional(),
  latencyBudgetMs: wholeNumber(
    latencyBudgetMs,
    `a whole number of milliseconds from ${latencyBudgetMs.min} to ${latencyBudgetMs.max}: a check waits a minute at most, and never longer than its interval`,
  ).optional(),
  intervalMinutes: wholeNumber(
    intervalMinutes,
    `a whole number of minutes from ${intervalMinutes.min} to ${intervalMinutes.max}`,
  ).optional(),
  tlsExpiryWarningDays: wholeNumber(
    tlsExpiryWarningDays,
    `a whole number of days from ${tlsExpiryWarningDays.min} to ${tlsExpiryWarningDays.max}`,
  ).optional(),
};

/** A JSON media range, or one that covers JSON (`application/*`, `*\/*`). */
function acceptsJson(accept: string): boolean {
  return accept
    .split(',')
    .map((range) => range.split(';')[0]!.trim().toLowerCase())
    .some((type) => /^(?:application\/(?:json|[\w.+-]*\+json|\*)|\*\/\*)$/.test(type));
}

type Issue = { readonly path: ReadonlyArray<string | number>; readonly input: unknown; readonly message: string };

/**
 * The rules between the fields of one check (a service's tuning or an endpoint), judged on whatever fields are there
 * so that they are reported with the fields' own problems.
 */
function entryProblems(entry: Record<string, unknown>): Issue[] {
  const issues: Issue[] = [];
  const headers = isRecord(entry.headers) ? entry.headers : {};
  const secretHeaders = isRecord(entry.secretHeaders) ? entry.secretHeaders : {};
  const body = entry.body;
  if (isRecord(body)) {
    const kinds = ['contains', 'json'].filter((k) => body[k] !== undefined);
    if (kinds.length !== 1) issues.push({ path: ['body'], input: body, message: BODY_RULE });
    if (entry.method === 'HEAD') {
      issues.push({
        path: ['body'],
        input: body,
        message: 'no body assertion with method HEAD: a response to HEAD has no body',
      });
    } else if (body.json !== undefined) {
      const accept = Object.entries(headers).find(([name]) => name.toLowerCase() === 'accept');
      if (accept !== undefined && typeof accept[1] === 'string' && !acceptsJson(accept[1])) {
        issues.push({
          path: ['body', 'json'],
          input: body.json,
          message: `a body assertion the response can meet: headers.${accept[0]} (${JSON.stringify(accept[1])}) asks for no JSON; use { contains } or accept application/json`,
        });
      }
    }
  }
  const seen = new Map<string, string>();
  for (const [field, record] of [
    ['headers', headers],
    ['secretHeaders', secretHeaders],
  ] as const) {
    for (const name of Object.keys(record)) {
      const key = name.toLowerCase();
      const first = seen.get(key);
      if (first !== undefined) {
        issues.push({
          path: [field, name],
          input: record[name],
          message: `a header set once: ${first} sets it already (header names are case-insensitive)`,
        });
      } else {
        seen.set(key, `${field}.${name}`);
      }
      if (field === 'headers' && CREDENTIAL_HEADERS.includes(key)) {
        issues.push({
          path: [field, name],
          input: record[name],
          message: `no credential in plain headers, which are written into the script and the template: put ${name} in secretHeaders, by the name of the secret that holds it`,
        });
      }
    }
  }
  return issues;
}

function addAll(ctx: z.RefinementCtx, issues: readonly Issue[]): void {
  for (const issue of issues) {
    ctx.addIssue({ code: 'custom', path: [...issue.path], input: issue.input, message: issue.message });
  }
}

const OFF_RULE = `a reason of at least ${CHECK_OPT_OUT_MIN_WORDS} words and at most 500 characters saying why the service needs no check, such as 'checked through the gateway endpoint check'`;

/** A service's default check: tuned, or switched off with a reason. */
const serviceCheckSchema = z
  .strictObject({
    off: z
      .string()
      .max(500, { error: OFF_RULE })
      .refine((reason) => reason.trim().split(/\s+/).filter(Boolean).length >= CHECK_OPT_OUT_MIN_WORDS, {
        error: OFF_RULE,
      })
      .optional(),
    path: checkPath.optional(),
    ...tunableShape,
  })
  .superRefine(
    (value, ctx) => {
      const entry = value as Record<string, unknown>;
      const tuned = Object.keys(entry).filter((key) => key !== 'off' && entry[key] !== undefined);
      if (entry.off !== undefined && tuned.length > 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['off'],
          input: entry.off,
          message: `off alone: a check switched off takes no tuning (remove ${tuned.join(', ')}, or remove off)`,
        });
      }
      addAll(ctx, entryProblems(entry));
    },
    { when: (payload) => isRecord(payload.value) },
  );

/** A check of the spec's own: a URL, or a service of the environment with a path. */
const endpointSchema = z
  .strictObject({
    name: z.string().regex(CHECK_NAME_PATTERN, { error: CHECK_NAME_RULE }),
    url: urlSchema.optional(),
    service: z.string().optional(),
    path: checkPath.optional(),
    internal: z.boolean().optional(),
    ...tunableShape,
  })
  .superRefine(
    (value, ctx) => {
      const entry = value as Record<string, unknown>;
      if ((entry.url === undefined) === (entry.service === undefined)) {
        ctx.addIssue({
          code: 'custom',
          path: entry.url === undefined ? [] : ['service'],
          input: entry.url === undefined ? entry : entry.service,
          message:
            entry.url === undefined
              ? 'a url or a service (with an optional path): what the check requests'
              : 'a url or a service, not both: a service check requests the address the cloud gives the service',
        });
      }
      if (entry.url !== undefined && entry.path !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['path'],
          input: entry.path,
          message: 'a path only with service: with url, put the path in the URL',
        });
      }
      if (typeof entry.url === 'string' && entry.internal !== true && /^http:/i.test(entry.url)) {
        ctx.addIssue({
          code: 'custom',
          path: ['url'],
          input: entry.url,
          message:
            'an https:// URL: a public endpoint is checked over TLS; http:// only with internal: true (an endpoint reachable only inside the network)',
        });
      }
      addAll(ctx, entryProblems(entry));
    },
    { when: (payload) => isRecord(payload.value) },
  );

/** The input of the `checks` section. */
const checksSchema = z.strictObject({
  services: z.record(z.string(), serviceCheckSchema).optional(),
  endpoints: z.array(endpointSchema).optional(),
});

/** What an environment or application spec writes in `checks`. */
export type ChecksInput = z.input<typeof checksSchema>;
type ParsedChecks = z.output<typeof checksSchema>;
type Tunable = Omit<z.output<typeof endpointSchema>, 'name' | 'url' | 'service' | 'path' | 'internal'>;

/** How a spec names what it declares: an application `<application>-<name>`, an environment as written. */
export interface ChecksNaming {
  /** What the spec is, for messages. */
  readonly owner: 'environment' | 'application';
  /** `payments-` for an application, `''` for an environment. */
  readonly prefix: string;
  /**
   * Whether the names built from check names are judged (not when the application's own name is invalid).
   * @default true
   */
  readonly judgeNames?: boolean;
}

const ENVIRONMENT_NAMING: ChecksNaming = { owner: 'environment', prefix: '' };

function bodyOf(body: Tunable['body']): BodyAssertion | undefined {
  if (body?.contains !== undefined) return { contains: body.contains };
  if (body?.json !== undefined) return { jsonPath: body.json.path, equals: body.json.equals };
  return undefined;
}

function resolveTunable(input: Tunable, defaults: CheckDefaults): Omit<CheckSpec, 'name' | 'target' | 'internal'> {
  const body = bodyOf(input.body);
  return {
    method: input.method ?? defaults.method,
    headers: { ...input.headers },
    secretHeaders: { ...input.secretHeaders },
    expectedStatus: input.expectedStatus ?? defaults.expectedStatus,
    ...(body !== undefined && { body }),
    latencyBudgetMs: input.latencyBudgetMs ?? defaults.latencyBudgetMs,
    intervalMinutes: input.intervalMinutes ?? defaults.intervalMinutes,
    tlsExpiryWarningDays: input.tlsExpiryWarningDays ?? defaults.tlsExpiryWarningDays,
  };
}

/** The services present (a list that did not parse whole has holes where its invalid entries were). */
function present(services: readonly (ServiceSpec | undefined)[]): ServiceSpec[] {
  return services.filter((s): s is ServiceSpec => s !== undefined);
}

/**
 * Resolves the `checks` section: one check per service of its health path (named after the service, tuned by
 * `services.<name>`) unless switched off, then the endpoint checks; pure. `services` are the resolved services,
 * named as resolved (`<application>-<name>` for an application, whose input names are the short names).
 */
export function resolveChecks(
  input: ParsedChecks | undefined,
  services: readonly (ServiceSpec | undefined)[],
  defaults: CheckDefaults,
  naming: ChecksNaming = ENVIRONMENT_NAMING,
): ChecksSpec {
  const tuning = new Map(Object.entries(input?.services ?? {}).map(([name, t]) => [`${naming.prefix}${name}`, t]));
  const checks: CheckSpec[] = [];
  const optedOut: CheckOptOut[] = [];
  for (const service of present(services)) {
    const tuned = tuning.get(service.name);
    if (tuned?.off !== undefined) {
      optedOut.push({ service: service.name, reason: tuned.off.trim() });
      continue;
    }
    checks.push({
      name: service.name,
      target: { service: service.name, path: tuned?.path ?? service.healthCheckPath },
      internal: !service.public,
      ...resolveTunable(tuned ?? {}, defaults),
    });
  }
  for (const endpoint of input?.endpoints ?? []) {
    if (endpoint === undefined) continue;
    const service =
      endpoint.service === undefined
        ? undefined
        : present(services).find((s) => s.name === `${naming.prefix}${endpoint.service}`);
    checks.push({
      name: `${naming.prefix}${endpoint.name}`,
      target:
        endpoint.url !== undefined
          ? { url: endpoint.url }
          : {
              service: `${naming.prefix}${endpoint.service ?? ''}`,
              path: endpoint.path ?? service?.healthCheckPath ?? '/',
            },
      internal: endpoint.internal ?? (service !== undefined ? !service.public : false),
      ...resolveTunable(endpoint, defaults),
    });
  }
  return { checks, optedOut };
}

/** What the rules between the checks and the rest of the spec read. */
export interface ChecksCheckInput {
  /** The section's input, parsed. */
  readonly input: ParsedChecks | undefined;
  /** The resolved services (with holes where an entry did not parse), or undefined when the list did not parse. */
  readonly services: readonly (ServiceSpec | undefined)[] | undefined;
  /**
   * The environment's name, when valid (check names go into `platform-<env>-<check>`).
   * @default - unknown: the names built from check names are not judged
   */
  readonly environment?: string;
  /**
   * The Azure location code (`weu`), when known: the in-network probe's job name carries it.
   * @default - none: the job name is judged without it
   */
  readonly locationCode?: string;
}

/**
 * The rules between the checks and the rest of the spec: services named that exist, `internal` as the service is,
 * names unique and apart from the services' default checks and within the name limits of what is built from them,
 * and secret headers only with a Key Vault on Azure. Paths are relative to the spec (`checks.endpoints[0].service`).
 */
export function checkChecks(
  checks: ChecksCheckInput,
  env: Pick<SectionCheckContext, 'azure' | 'clouds'>,
  report: ReportIssue,
  naming: ChecksNaming = ENVIRONMENT_NAMING,
): void {
  const { input, services } = checks;
  const short = (name: string): string => name.slice(naming.prefix.length);
  const known = services === undefined ? undefined : present(services);
  // A service whose entry did not parse is unknown here, though the spec names it: no rule judges a name then.
  const complete = services !== undefined && known?.length === services.length;
  const serviceNames = (known ?? []).map((s) => short(s.name));
  const listed = serviceNames.length > 0 ? serviceNames.join(', ') : 'there are none';
  const onAzure = env.clouds?.includes('azure') ?? true;
  const needsVault = (at: string, secretHeaders: Readonly<Record<string, string>> | undefined): void => {
    const names = Object.keys(secretHeaders ?? {});
    if (names.length > 0 && onAzure && !env.azure.hasKeyVault) {
      report(
        `${at}.secretHeaders`,
        names,
        'secret headers need azure.keyVaultId (the Key Vault holding them on Azure; AWS reads Secrets Manager by the same names)',
      );
    }
  };

  for (const [name, tuning] of Object.entries(input?.services ?? {})) {
    const at = `checks.services.${name}`;
    if (complete && !serviceNames.includes(name)) {
      report(at, name, `a service of the ${naming.owner} (${listed})`);
    }
    needsVault(at, tuning.secretHeaders);
  }

  const names = new Map<string, number>();
  (input?.endpoints ?? []).forEach((endpoint, i) => {
    if (endpoint === undefined) return;
    const at = `checks.endpoints[${i}]`;
    const first = names.get(endpoint.name);
    if (first !== undefined) {
      report(`${at}.name`, endpoint.name, `a name no other check has (checks.endpoints[${first}] has it)`);
    } else {
      names.set(endpoint.name, i);
    }
    if (known !== undefined && serviceNames.includes(endpoint.name)) {
      report(
        `${at}.name`,
        endpoint.name,
        `a name no service has: each service's default check is named after its service (${listed})`,
      );
    }
    if (naming.judgeNames ?? true) checkNameLimits(`${at}.name`, endpoint.name, checks, naming, report);
    needsVault(at, endpoint.secretHeaders);
    if (endpoint.service === undefined || known === undefined) return;
    const service = known.find((s) => s.name === `${naming.prefix}${endpoint.service}`);
    if (service === undefined) {
      if (complete) report(`${at}.service`, endpoint.service, `a service of the ${naming.owner} (${listed})`);
      return;
    }
    if (endpoint.internal !== undefined && endpoint.internal === service.public) {
      report(
        `${at}.internal`,
        endpoint.internal,
        service.public
          ? `false or left out: the service ${short(service.name)} is public (public: true), so its check requests it from the Internet`
          : `true or left out: the service ${short(service.name)} is internal (public: false), reachable only inside the network`,
      );
    }
  });
}

/**
 * The names built from a check's name stay within their limits: the AWS canary (`platform-<env>-<check>`, lowercase,
 * at most 255 characters), the Azure availability test and the in-network probe's Container Apps job (both shortened
 * with a hash when long, as lib/azure names them); for an application, the prefixed name (`<application>-<name>`)
 * must itself be a check name.
 */
function checkNameLimits(
  at: string,
  written: string,
  checks: ChecksCheckInput,
  naming: ChecksNaming,
  report: ReportIssue,
): void {
  const full = `${naming.prefix}${written}`;
  if (!CHECK_NAME_PATTERN.test(full)) {
    const room = nameLength.max - naming.prefix.length;
    report(
      at,
      written,
      `a name of at most ${room} characters: the check is named "${full}" (<application>-<name>), and check names are ${CHECK_NAME_RULE}`,
    );
    return;
  }
  if (checks.environment === undefined) return;
  const canary = `${PLATFORM_PREFIX}-${checks.environment}-${full}`;
  if (canary.length > 255 || !/^[0-9a-z_-]+$/.test(canary)) {
    report(
      at,
      written,
      `a name that makes a valid canary name: "${canary}" is not 1-255 lowercase letters, digits, hyphens and underscores`,
    );
  }
  const azure: ReadonlyArray<[NameKind, string[], string]> = [
    // The availability test (Application Insights web test, or what the in-network probe reports as).
    ['azureLogAnalyticsWorkspace', [PLATFORM_PREFIX, checks.environment, full], 'Azure availability test'],
    // The in-network probe's Container Apps job.
    [
      'azureContainerApp',
      ['caj', checks.environment, 'check', full, ...(checks.locationCode === undefined ? [] : [checks.locationCode])],
      'Azure container app job',
    ],
  ];
  for (const [kind, words, what] of azure) {
    try {
      makeName(kind, words);
    } catch (error) {
      report(at, written, `a name that makes a valid ${what} name: ${(error as Error).message}`);
    }
  }
}

/** What the section's rules read besides the resolved section: its input and the services it was resolved with. */
const sources = new WeakMap<
  ChecksSpec,
  { input: ParsedChecks | undefined; services?: readonly (ServiceSpec | undefined)[] }
>();

/**
 * The `checks` section: synthetic API checks. Every service gets a check of its health path by default (switch one
 * off with `services.<name>.off`, giving the reason; tune it with the other fields of `services.<name>`), and
 * `endpoints` adds checks of URLs or of services' other paths. Production checks every minute with a 2-second budget
 * and warns 30 days before a certificate expires; development every 5 minutes, 5 seconds, 14 days.
 */
export const checksSection = defineSection({
  schema: checksSchema.optional(),
  // A bad endpoint must not hide the cross-section problems (unknown service, no Key Vault) of the others.
  partial: true,
  defaults: {
    development: {
      intervalMinutes: 5,
      latencyBudgetMs: 5000,
      tlsExpiryWarningDays: 14,
      expectedStatus: 200,
      method: 'GET' as const,
    },
    production: {
      intervalMinutes: 1,
      latencyBudgetMs: 2000,
      tlsExpiryWarningDays: 30,
      expectedStatus: 200,
      method: 'GET' as const,
    },
  } satisfies Record<string, CheckDefaults>,
  resolve: (input, { defaults, sections }): ChecksSpec => {
    const services = sections.services as readonly (ServiceSpec | undefined)[] | undefined;
    const resolved = resolveChecks(input, services ?? [], defaults);
    sources.set(resolved, { input, ...(services !== undefined && { services }) });
    return resolved;
  },
  check: (resolved, env, report) => {
    const source = sources.get(resolved);
    if (source === undefined) return;
    const environment = /^[a-z][a-z0-9-]*$/.test(env.name) ? env.name : undefined;
    checkChecks(
      { input: source.input, services: source.services, ...(environment !== undefined && { environment }) },
      env,
      report,
    );
  },
});
