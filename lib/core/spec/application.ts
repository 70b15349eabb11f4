import { z } from 'zod';
import type { ChecksSpec } from '../api-checks';
import { IssueCollector, joinPath, SpecError, type SpecIssue } from '../errors';
import { checkName, makeName } from '../naming';
import { PLATFORM_PREFIX } from '../prefix';
import { AZURE_LOCATIONS, defaultAwsZones } from '../regions';
import type { Tier } from '../tiers';
import { baseShape, MANAGED_BY, RESERVED_TAG_KEYS, sortKeys } from './base';
import { checkChecks, checksSection, resolveChecks } from './checks';
import { monitoringSection, type MonitoringSpec } from './monitoring';
import { networkSection } from './network';
import { protectionSection, type ProtectionSpec } from './protection';
import { isAtOrBelow, rawInputIssues } from './raw-input';
import type { SectionCheckContext, SpecSection } from './section';
import { jobsSection, servicesSection, type JobSpec, type ServiceSpec } from './services';
import { valueAt, zodIssuesToSpecIssues } from './zod-issues';
import { deepFreeze, genericMessage, validElements, validParts } from './parsing';

/** The platform environment an application joins, as the application team declares it. Resolved. */
export interface ApplicationEnvironment {
  /** The platform environment's name (`prod`). */
  readonly name: string;
  /** The platform environment's tier: it decides the application's defaults, as it does the platform's. */
  readonly tier: Tier;
  /**
   * The AWS account, region and availability zones of the environment, when the team deploys to AWS. The zones are
   * the ones the team gave, or those the platform environment uses by default in that region and tier.
   */
  readonly aws?: {
    readonly account: string;
    readonly region: string;
    readonly availabilityZones: readonly string[];
  };
  /** The Azure location of the environment (with its short code for names), when the team deploys to Azure. */
  readonly azure?: {
    readonly location: string;
    readonly locationCode: string;
  };
}

/** A resolved, frozen application spec: every default of the environment's tier applied, every rule checked. */
export interface ApplicationSpec {
  /** The application's name (kebab-case); it prefixes its workloads' names. */
  readonly name: string;
  /** The environment it joins. */
  readonly environment: ApplicationEnvironment;
  /** Tags on every resource: the team's tags plus `environment`, `application` and `managed-by`. */
  readonly tags: Readonly<Record<string, string>>;
  /** The application's container services; each name is `<application>-<service>`. */
  readonly services: readonly ServiceSpec[];
  /** The application's scheduled jobs; each name is `<application>-<job>`. */
  readonly jobs: readonly JobSpec[];
  /**
   * Monitoring as the tier resolves it (log retention, log patterns, alarm tuning); the alert channels are the
   * platform's, so `emails` and `webhookUrls` are empty and `routing` is the tier's.
   */
  readonly monitoring: MonitoringSpec;
  /** Removal and deletion protection as the tier resolves it. */
  readonly protection: ProtectionSpec;
  /**
   * The application's API checks, as an environment's: one per service of its health path (named after the service,
   * `<application>-<service>`) unless switched off, then its endpoint checks, each named `<application>-<name>`.
   */
  readonly checks: ChecksSpec;
}

/**
 * Application names prefix their workloads' names, which must stay within the platform's workload name rule (2-20
 * characters), so they are short: 2-12 lowercase letters, digits and single hyphens, as environment names are.
 */
export const APPLICATION_NAME_PATTERN = /^[a-z](?:[a-z0-9]|-(?!-)){0,10}[a-z0-9]$/;

/** The tag key the library sets to the application's name. */
export const APPLICATION_TAG_KEY = 'application';

/** Tag keys the library sets on an application's resources; the spec cannot set them. */
export const RESERVED_APPLICATION_TAG_KEYS: readonly string[] = [...RESERVED_TAG_KEYS, APPLICATION_TAG_KEY];

/** The longest name an application load balancer may have (the AWS load balancer is named `<env>-<service>`). */
const LOAD_BALANCER_NAME_MAX = 32;

const NO_CLOUD_RULE =
  'aws ({ account, region }) or azure ({ location }), or both: the clouds the application deploys to';

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function recordOf(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

const environmentSchema = z
  .strictObject({
    name: baseShape.name,
    tier: baseShape.tier,
    aws: baseShape.aws.optional(),
    azure: z.strictObject({ location: baseShape.azure.shape.location }).optional(),
  })
  // Checked even when a field of the environment is invalid, so that a missing cloud is reported with the rest.
  .refine((environment) => environment.aws !== undefined || environment.azure !== undefined, {
    error: NO_CLOUD_RULE,
    when: (payload) => isRecord(payload.value),
  });

/**
 * The environment's tag rules (keys, values, count, case), without its `owner` requirement: an application's tags
 * are optional. `application` is reserved besides the environment's reserved keys.
 */
const tagsSchema = z.record(z.string(), z.string()).superRefine((tags, ctx) => {
  const base = baseShape.tags.safeParse(tags);
  for (const issue of base.success ? [] : base.error.issues) {
    if (issue.path.length === 1 && issue.path[0] === 'owner' && tags.owner === undefined) continue;
    ctx.addIssue({ code: 'custom', path: [...issue.path], input: valueAt(tags, issue.path), message: issue.message });
  }
  for (const [key, value] of Object.entries(tags)) {
    if (key.toLowerCase() === APPLICATION_TAG_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: [key],
        input: value,
        message: "set by the library (the application's name); remove it from the spec",
      });
    }
  }
});

/** What an application may tune of monitoring: its alarms and how long its logs are kept. */
const monitoringSchema = monitoringSection.schema.unwrap().pick({ alarms: true, logRetentionDays: true });

/**
 * The zod schema of an application spec: its name, the platform environment it joins (one or both clouds), tags,
 * services, jobs and monitoring overrides. The services and jobs are written as in an environment spec.
 */
export const applicationSchema = z.strictObject({
  name: z.string().regex(APPLICATION_NAME_PATTERN, {
    error:
      'lowercase letters, digits and single hyphens, 2-12 characters, starting with a letter and ending with a letter or digit',
  }),
  environment: environmentSchema,
  tags: tagsSchema.optional(),
  services: servicesSection.schema,
  jobs: jobsSection.schema,
  monitoring: monitoringSchema.optional(),
  checks: checksSection.schema,
});

/** What an application team writes: the spec before defaults. */
export type ApplicationInput = z.input<typeof applicationSchema>;

/** The outcome of resolving an application spec. */
export type ApplicationResolveResult =
  | { readonly application: ApplicationSpec; readonly issues: readonly [] }
  | { readonly application?: undefined; readonly issues: readonly SpecIssue[] };

type Cloud = 'aws' | 'azure';

/**
 * Validates and resolves an application spec without throwing: every problem at once, each path starting with the
 * application's name (`payments.services[0].port`, or `application.` when the name itself is invalid).
 */
export function resolveApplication(input: unknown): ApplicationResolveResult {
  const label = labelOf(input);
  // As for an environment: what the schema cannot see is found on the raw input first, and a problem at or below
  // such a path is not reported again.
  const hostile = rawInputIssues(input, label);
  const issues = new IssueCollector();
  const parsed = applicationSchema.safeParse(input, { error: genericMessage });
  if (!parsed.success) issues.addAll(zodIssuesToSpecIssues(parsed.error.issues, input, applicationSchema, label));
  const result = (): { issues: readonly SpecIssue[] } => ({
    issues: [...hostile, ...issues.issues.filter((i) => !hostile.some((h) => isAtOrBelow(i.path, h.path)))],
  });
  const report = (path: string, value: unknown, message: string): void =>
    issues.add(joinPath(label, path), value, message);

  // The sections are resolved and checked with whatever parsed, so that one run reports every problem.
  const raw = recordOf(input);
  const rawEnvironment = recordOf(raw.environment);
  const tier = baseShape.tier.safeParse(rawEnvironment.tier);
  if (!tier.success) return result();
  const environmentName = baseShape.name.safeParse(rawEnvironment.name);
  const clouds = (['aws', 'azure'] as const).filter((cloud): cloud is Cloud => rawEnvironment[cloud] !== undefined);
  const rawAws = recordOf(rawEnvironment.aws);
  const account = baseShape.aws.shape.account.safeParse(rawAws.account);
  const region = baseShape.aws.shape.region.safeParse(rawAws.region);
  const zones = baseShape.aws.shape.availabilityZones.safeParse(rawAws.availabilityZones);
  const location = baseShape.azure.shape.location.safeParse(recordOf(rawEnvironment.azure).location);
  // The zones the platform environment's network uses by default in this region and tier, so that the joined
  // network's subnets are the platform's.
  const zoneCandidates =
    (zones.success ? zones.data : undefined) ??
    (region.success ? defaultAwsZones(region.data).slice(0, networkSection.defaults[tier.data].zones) : []);
  const name = environmentName.success ? environmentName.data : label;

  const resolved: Record<string, unknown> = {};
  const checkContext: SectionCheckContext = {
    name,
    tier: tier.data,
    aws: {
      ...(account.success && { account: account.data }),
      ...(region.success && { region: region.data }),
      zoneCandidates,
    },
    // On Azure, secrets are read from the platform environment's Key Vault, which the application joins.
    azure: { hasAdminSshKey: false, hasKeyVault: clouds.includes('azure') },
    clouds,
    sections: resolved,
  };
  const contextOf = <T>(
    defaults: T,
  ): { name: string; tier: Tier; defaults: T; awsRegion?: string; sections: Record<string, unknown> } => ({
    name,
    tier: tier.data,
    defaults,
    ...(region.success && { awsRegion: region.data }),
    sections: { ...resolved },
  });
  const own = (key: string, schema: z.ZodType): { success: boolean; data?: unknown } =>
    parsed.success && !hostile.some((h) => isAtOrBelow(h.path, joinPath(label, key)))
      ? { success: true, data: (parsed.data as Record<string, unknown>)[key] }
      : (validElements(schema, raw[key], (i) => !hostile.some((h) => isAtOrBelow(h.path, joinPath(label, key, i)))) ??
        schema.safeParse(raw[key]));

  resolved.protection = protectionSection.resolve(undefined, contextOf(protectionSection.defaults[tier.data]));
  const monitoring = own('monitoring', monitoringSchema.optional());
  if (monitoring.success) {
    resolved.monitoring = monitoringSection.resolve(
      monitoring.data as z.output<typeof monitoringSection.schema>,
      contextOf(monitoringSection.defaults[tier.data]),
    );
  }
  const workloads = [
    ['services', servicesSection],
    ['jobs', jobsSection],
  ] as unknown as ReadonlyArray<['services' | 'jobs', SpecSection<z.ZodType, unknown, unknown>]>;
  for (const [key, section] of workloads) {
    const list = own(key, section.schema);
    if (!list.success) continue;
    const entries = (list.data ?? []) as ReadonlyArray<{ readonly name: string } | undefined>;
    // Named before they are resolved, so that everything derived from the name (the AWS workload stack) is the
    // platform's for a workload of that name.
    const named = entries.map((entry) => entry && { ...entry, name: `${label}-${entry.name}` });
    resolved[key] = section.resolve(named, contextOf(section.defaults[tier.data]));
  }
  // The checks name the services by their short names; resolved, every name is the platform's `<application>-<name>`.
  const checksNaming = { owner: 'application' as const, prefix: `${label}-`, judgeNames: label !== FALLBACK_LABEL };
  const checksInput = ((): { success: boolean; data?: unknown } => {
    const whole = own('checks', checksSection.schema);
    if (whole.success) return whole;
    // As in an environment: a bad endpoint does not hide the cross-section problems of the others.
    const clean = (field: string, entry: number | string): boolean =>
      !hostile.some((h) => isAtOrBelow(h.path, joinPath(label, 'checks', field, entry)));
    return validParts(checksSection.schema, raw.checks, clean) ?? whole;
  })();
  const checksServices = resolved.services as readonly (ServiceSpec | undefined)[] | undefined;
  if (checksInput.success) {
    resolved.checks = resolveChecks(
      checksInput.data as z.output<typeof checksSection.schema>,
      checksServices ?? [],
      checksSection.defaults[tier.data],
      checksNaming,
    );
  }

  const sections: ReadonlyArray<[string, SpecSection<z.ZodType, unknown, unknown>]> = [
    ['protection', protectionSection as unknown as SpecSection<z.ZodType, unknown, unknown>],
    ['monitoring', monitoringSection as unknown as SpecSection<z.ZodType, unknown, unknown>],
    ...workloads,
  ];
  for (const [key, section] of sections) {
    if (!(key in resolved)) continue;
    section.check?.(resolved[key], checkContext, (path, value, message) => {
      // Alerts go to the platform's channels, which the platform environment's spec checks.
      if (path === 'monitoring.routing.critical') return;
      report(path, value, message);
    });
  }

  if (checksInput.success) {
    checkChecks(
      {
        input: checksInput.data as z.output<typeof checksSection.schema>,
        services: checksServices,
        ...(environmentName.success && { environment: environmentName.data }),
        ...(location.success && clouds.includes('azure') && { locationCode: locationCodeOf(location.data) }),
      },
      checkContext,
      report,
      checksNaming,
    );
  }

  if (label !== FALLBACK_LABEL) {
    const names = {
      application: label,
      ...(environmentName.success && { environment: environmentName.data }),
      ...(location.success && { locationCode: locationCodeOf(location.data) }),
      clouds,
    };
    // Every name the team wrote validly is judged, also in an entry with other problems.
    for (const kind of ['services', 'jobs'] as const) {
      const list = raw[kind];
      if (!Array.isArray(list)) continue;
      list.forEach((entry: unknown, i) => {
        const written = workloadName.safeParse(recordOf(entry).name);
        const clean = !hostile.some((h) => isAtOrBelow(joinPath(label, kind, i, 'name'), h.path));
        if (written.success && clean) checkWorkloadName(kind, i, written.data, names, report);
      });
    }
  }
  if (zones.success && zones.data !== undefined && region.success) {
    const at = 'environment.aws.availabilityZones';
    const foreign = zones.data.filter((zone) => !zone.startsWith(region.data));
    if (foreign.length > 0) report(at, foreign, `zones of the region ${region.data} (such as ${region.data}a)`);
    if (new Set(zones.data).size !== zones.data.length) report(at, zones.data, 'each zone once');
  }
  if (!parsed.success || issues.issues.length > 0 || hostile.length > 0) return result();

  const spec = parsed.data;
  const { aws, azure } = spec.environment;
  const application: ApplicationSpec = {
    name: spec.name,
    environment: {
      name: spec.environment.name,
      tier: spec.environment.tier,
      ...(aws !== undefined && {
        aws: { account: aws.account, region: aws.region, availabilityZones: zoneCandidates },
      }),
      ...(azure !== undefined && {
        azure: { location: azure.location, locationCode: locationCodeOf(azure.location) },
      }),
    },
    tags: sortKeys({
      ...spec.tags,
      environment: spec.environment.name,
      [APPLICATION_TAG_KEY]: spec.name,
      'managed-by': MANAGED_BY,
    }),
    services: resolved.services as readonly ServiceSpec[],
    jobs: resolved.jobs as readonly JobSpec[],
    monitoring: resolved.monitoring as MonitoringSpec,
    protection: resolved.protection as ProtectionSpec,
    checks: resolved.checks as ChecksSpec,
  };
  return { application: deepFreeze(application), issues: [] };
}

/**
 * Validates an application spec and applies the defaults of its environment's tier, exactly as the platform
 * environment's own services and jobs get them. Each workload is named `<application>-<name>`.
 *
 * @example
 * const payments = defineApplication({
 *   name: 'payments',
 *   environment: { name: 'prod', tier: 'production', aws: { account: '123456789012', region: 'eu-west-1' } },
 *   tags: { owner: 'payments-team' },
 *   services: [{ name: 'api', image: 'public.ecr.aws/nginx/nginx:1.27', cpu: 0.5, memoryGiB: 1, port: 8080 }],
 * });
 * payments.services[0].name; // 'payments-api', with 2 tasks as every production-tier service
 *
 * @throws SpecError listing every problem, each as `path: value - what is allowed`.
 */
export function defineApplication(input: ApplicationInput): ApplicationSpec {
  const result = resolveApplication(input);
  if (!result.application) throw new SpecError(result.issues, 'Invalid application spec');
  return result.application;
}

const FALLBACK_LABEL = 'application';

function labelOf(input: unknown): string {
  const name = recordOf(input).name;
  return typeof name === 'string' && APPLICATION_NAME_PATTERN.test(name) ? name : FALLBACK_LABEL;
}

function locationCodeOf(location: string): string {
  return AZURE_LOCATIONS[location] ?? location;
}

/** The platform's rule for a workload name, which the prefixed name must pass. */
const workloadName = servicesSection.schema.unwrap().element.shape.name;

/** The longest name a workload of this application may have: the platform's rule applied to the prefixed name. */
function roomFor(application: string): number {
  let room = 0;
  while (room < 64 && workloadName.safeParse(`${application}-${'a'.repeat(room + 1)}`).success) room++;
  return room;
}

/**
 * Checks a prefixed workload name against every rule the platform applies to a workload name and the names made of
 * it (the workload name rule, the AWS load balancer and log group, the Azure container app or job), reported at the
 * name the team wrote, with what is allowed there.
 */
function checkWorkloadName(
  kind: 'services' | 'jobs',
  index: number,
  written: string,
  names: {
    readonly application: string;
    readonly environment?: string;
    readonly locationCode?: string;
    readonly clouds: readonly Cloud[];
  },
  report: (path: string, value: unknown, message: string) => void,
): void {
  const at = `${kind}[${index}].name`;
  const full = `${names.application}-${written}`;
  const rule = workloadName.safeParse(full);
  if (!rule.success) {
    report(
      at,
      written,
      `a name of at most ${roomFor(names.application)} characters: the workload is named "${full}" (<application>-<name>), and workload names are ${rule.error.issues[0]?.message ?? 'kebab-case'}`,
    );
    return;
  }
  const environment = names.environment;
  if (environment === undefined) return;
  if (names.clouds.includes('aws')) {
    const loadBalancer = `${environment}-${full}`;
    if (kind === 'services' && loadBalancer.length > LOAD_BALANCER_NAME_MAX) {
      const room = LOAD_BALANCER_NAME_MAX - environment.length - names.application.length - 2;
      report(
        at,
        written,
        `a name of at most ${room} characters: the load balancer is named "<environment>-<application>-<service>" ("${loadBalancer}", ${loadBalancer.length} characters), and AWS allows ${LOAD_BALANCER_NAME_MAX}`,
      );
    }
    const logGroup = `/${PLATFORM_PREFIX}/${environment}/${kind}/${full}`;
    const problem = checkName('awsLogGroup', logGroup);
    if (problem) report(at, written, `a name that makes a valid log group: "${logGroup}" ${problem}`);
  }
  if (names.clouds.includes('azure')) {
    const words =
      kind === 'services'
        ? ['ca', environment, full]
        : ['caj', environment, full, ...(names.locationCode === undefined ? [] : [names.locationCode])];
    try {
      makeName('azureContainerApp', words);
    } catch (error) {
      report(at, written, `a name that makes a valid Azure container app name: ${(error as Error).message}`);
    }
  }
}
