import * as appInsights from '@cdktf/provider-azurerm/lib/application-insights';
import * as containerAppJob from '@cdktf/provider-azurerm/lib/container-app-job';
import type * as metricAlert from '@cdktf/provider-azurerm/lib/monitor-metric-alert';
import * as roleAssignment from '@cdktf/provider-azurerm/lib/role-assignment';
import * as webTest from '@cdktf/provider-azurerm/lib/application-insights-standard-web-test';
import type * as identity from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { Lazy, Token } from 'cdktf';
import { Construct } from 'constructs';
import {
  apiCheckAlarmIds,
  checkProps,
  ENVIRONMENT_NAME_PATTERN,
  IssueCollector,
  makeName,
  PLATFORM_PREFIX,
  type ApiCheckDefinition,
  type CheckSpec,
  type PropRules,
} from '../core';
import {
  API_CHECK_PROBE_IMAGE,
  PROBE_CONNECTION_STRING_SECRET,
  renderProbeJobConfig,
  type ProbeScriptOptions,
} from './api-check-probe';
import {
  ENVIRONMENT_PROP,
  LOCATION_CODE_PROP,
  pathUnder,
  RESOURCE_GROUP_PROP,
  RETAIN_DATA_PROP,
} from './construct-props';
import { appSecretNameOf, workloadIdentityName } from './container-definition';
import type { IKeyVault, IMonitoring, IResourceGroup, MetricAlertDefinition, WorkbookItem } from './interfaces';
import { isKeyVaultId, KEY_VAULT_ID_RULE } from './key-vault';
import { locationCodeOf } from './location';
import { METRIC_ALERT_WINDOWS } from './monitoring';
import { protectionOf, RetainStatefulResources } from './protection';
import { addWorkloadIdentity } from './workload-identity';

// ---------------------------------------------------------------------------------------------------------------
// Application Insights: one component per environment, shared by its checks.
// ---------------------------------------------------------------------------------------------------------------

/**
 * The Application Insights component API checks report to: `ApiCheckInsights` implements it. A standard web test
 * must be in the component's location, and a probe's identity publishes to it.
 */
export interface IApiCheckInsights {
  /** The component's resource ID. */
  readonly componentId: string;
  /** Its name, for the alerts' first responses. */
  readonly componentName: string;
  /** Its connection string (instrumentation key and ingestion endpoint; useless without Entra ID auth). */
  readonly connectionString: string;
  /** Its Azure location. */
  readonly location: string;
}

/** The retentions Application Insights takes, in days. */
export const APPLICATION_INSIGHTS_RETENTION_DAYS = [30, 60, 90, 120, 180, 270, 365, 550, 730] as const;

/**
 * The retention of a component for log records kept `days`: the shortest Application Insights takes that is not
 * shorter (150 becomes 180, 400 becomes 550), at most 730; pure.
 */
export function applicationInsightsRetention(days: number): number {
  return APPLICATION_INSIGHTS_RETENTION_DAYS.find((d) => d >= days) ?? 730;
}

/** Props of {@link ApiCheckInsights}. */
export interface ApiCheckInsightsProps {
  /** The environment name, in the component's name (`appi-platform-<env>-<location code>`). */
  readonly name: string;
  /**
   * The application whose checks report to the component, for an application team's own component in the
   * platform's resource group: `appi-platform-<env>-<application>-<location code>`.
   * @default - the environment's own component
   */
  readonly application?: string;
  /** The resource group (and location) of the component. */
  readonly resourceGroup: IResourceGroup;
  /**
   * Short code of the location used in the name.
   * @default - the code of the resource group's location in AZURE_LOCATIONS
   */
  readonly locationCode?: string;
  /** The environment's Log Analytics workspace (`monitoring.workspaceId`): the component stores its records there. */
  readonly workspaceId: string;
  /**
   * Days the component keeps records, rounded up to a retention Application Insights takes
   * ({@link applicationInsightsRetention}).
   * @default - the tier of the stack (`protectionOf(this).logRetentionDays`): 365 in production, 30 in development
   */
  readonly retentionDays?: number;
  /**
   * Give the component `lifecycle.prevent_destroy`.
   * @default - the tier of the stack (`protectionOf(this).retainData`): in production, and wherever no tier is stated
   */
  readonly retainData?: boolean;
}

const API_CHECK_INSIGHTS_PROPS: PropRules = {
  name: ENVIRONMENT_PROP,
  application: { kind: 'string', optional: true, allowed: 'the application name, such as payments' },
  resourceGroup: RESOURCE_GROUP_PROP,
  locationCode: LOCATION_CODE_PROP,
  workspaceId: { kind: 'string', allowed: 'the ID of the Log Analytics workspace (monitoring.workspaceId)' },
  retentionDays: { kind: 'number', optional: true, allowed: 'days the component keeps records, 30-730' },
  retainData: RETAIN_DATA_PROP,
};

const WORKSPACE_ID = /\/providers\/Microsoft\.OperationalInsights\/workspaces\/[^/]+$/i;

/**
 * The Application Insights component of an environment's API checks (one per environment, shared by every
 * check): workspace-based (its records, `AppAvailabilityResults` among them, go to the environment's Log
 * Analytics workspace), local authentication disabled (the probes report with Entra ID tokens; an instrumentation
 * key alone is refused), retention from the spec or the tier, kept on destroy where the tier retains data.
 *
 * @example
 * const insights = new ApiCheckInsights(stack, 'api-checks', {
 *   name: env.name, resourceGroup: rg, workspaceId: monitoring.workspaceId,
 *   retentionDays: env.monitoring.logRetentionDays,
 * });
 */
export class ApiCheckInsights extends Construct implements IApiCheckInsights {
  /** The component. */
  public readonly component: appInsights.ApplicationInsights;
  /** The component's name, `appi-platform-<env>-<location code>`. */
  public readonly componentName: string;
  /** Its location. */
  public readonly location: string;
  private idToken?: string;
  private connectionStringToken?: string;

  constructor(scope: Construct, id: string, props: ApiCheckInsightsProps) {
    checkProps('ApiCheckInsights', pathUnder(scope, id), props, API_CHECK_INSIGHTS_PROPS);
    const issues = new IssueCollector();
    if (!ENVIRONMENT_NAME_PATTERN.test(props.name)) {
      issues.add('name', props.name, 'an environment name: 2-12 lowercase letters, digits and single hyphens');
    }
    if (!Token.isUnresolved(props.workspaceId) && !WORKSPACE_ID.test(props.workspaceId)) {
      issues.add('workspaceId', props.workspaceId, 'a Log Analytics workspace resource ID');
    }
    if (props.retentionDays !== undefined && !(props.retentionDays >= 1 && props.retentionDays <= 730)) {
      issues.add('retentionDays', props.retentionDays, '1-730 days (Application Insights keeps at most 730)');
    }
    issues.throwIfAny(`Invalid ApiCheckInsights props (${pathUnder(scope, id)})`);
    super(scope, id);
    const code = props.locationCode ?? locationCodeOf(props.resourceGroup.location);
    // An Application Insights name takes 1-260 characters; the workspace rule (4-63, letter first) is stricter.
    this.componentName = makeName('azureLogAnalyticsWorkspace', [
      'appi',
      PLATFORM_PREFIX,
      props.name,
      ...(props.application === undefined ? [] : [props.application]),
      ...(code === undefined ? [] : [code]),
    ]);
    this.location = props.resourceGroup.location;
    this.component = new appInsights.ApplicationInsights(this, 'Resource', {
      name: this.componentName,
      location: props.resourceGroup.location,
      resourceGroupName: props.resourceGroup.name,
      applicationType: 'other',
      // ForceNew once set: a workspace-based component cannot be moved back to classic storage.
      workspaceId: props.workspaceId,
      localAuthenticationDisabled: true,
      retentionInDays:
        props.retentionDays !== undefined
          ? applicationInsightsRetention(props.retentionDays)
          : Lazy.numberValue({ produce: () => applicationInsightsRetention(protectionOf(this).logRetentionDays) }),
    });
    RetainStatefulResources.protect(this.component, props.retainData);
  }

  /** The component's resource ID (read once: each read of a provider attribute is a new token). */
  public get componentId(): string {
    this.idToken ??= this.component.id;
    return this.idToken;
  }

  /** The component's connection string. */
  public get connectionString(): string {
    this.connectionStringToken ??= this.component.connectionString;
    return this.connectionStringToken;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Where a check runs, how often, from where.
// ---------------------------------------------------------------------------------------------------------------

/**
 * The standard web test locations (their population tags) and the Azure region each stands for, with the
 * region's coordinates (degrees; approximate, for choosing the nearest).
 * @see https://learn.microsoft.com/azure/azure-monitor/app/availability#location-population-tags
 */
export const AVAILABILITY_TEST_LOCATIONS: Readonly<
  Record<string, { readonly region: string; readonly latitude: number; readonly longitude: number }>
> = {
  'emea-au-syd-edge': { region: 'australiaeast', latitude: -33.86, longitude: 151.21 },
  'latam-br-gru-edge': { region: 'brazilsouth', latitude: -23.55, longitude: -46.63 },
  'us-fl-mia-edge': { region: 'centralus', latitude: 41.59, longitude: -93.62 },
  'apac-hk-hkn-azr': { region: 'eastasia', latitude: 22.27, longitude: 114.17 },
  'us-va-ash-azr': { region: 'eastus', latitude: 37.37, longitude: -79.82 },
  'emea-ch-zrh-edge': { region: 'francesouth', latitude: 43.3, longitude: 5.37 },
  'emea-fr-pra-edge': { region: 'francecentral', latitude: 48.86, longitude: 2.35 },
  'apac-jp-kaw-edge': { region: 'japaneast', latitude: 35.68, longitude: 139.69 },
  'emea-gb-db3-azr': { region: 'northeurope', latitude: 53.35, longitude: -6.26 },
  'us-il-ch1-azr': { region: 'northcentralus', latitude: 41.88, longitude: -87.63 },
  'us-tx-sn1-azr': { region: 'southcentralus', latitude: 29.42, longitude: -98.49 },
  'apac-sg-sin-azr': { region: 'southeastasia', latitude: 1.35, longitude: 103.82 },
  'emea-se-sto-edge': { region: 'ukwest', latitude: 51.48, longitude: -3.18 },
  'emea-nl-ams-azr': { region: 'westeurope', latitude: 52.37, longitude: 4.9 },
  'us-ca-sjc-azr': { region: 'westus', latitude: 37.78, longitude: -122.42 },
  'emea-ru-msa-edge': { region: 'uksouth', latitude: 51.51, longitude: -0.13 },
};

/** Approximate coordinates (degrees) of the Azure locations environments are deployed to (AZURE_LOCATIONS). */
const REGION_COORDINATES: Readonly<Record<string, readonly [number, number]>> = {
  australiaeast: [-33.86, 151.21],
  brazilsouth: [-23.55, -46.63],
  canadacentral: [43.65, -79.38],
  centralindia: [18.52, 73.86],
  centralus: [41.59, -93.62],
  eastasia: [22.27, 114.17],
  eastus: [37.37, -79.82],
  eastus2: [36.67, -78.39],
  francecentral: [48.86, 2.35],
  germanywestcentral: [50.11, 8.68],
  israelcentral: [31.5, 34.9],
  italynorth: [45.46, 9.19],
  japaneast: [35.68, 139.69],
  koreacentral: [37.57, 126.98],
  mexicocentral: [20.59, -100.39],
  newzealandnorth: [-36.85, 174.76],
  northeurope: [53.35, -6.26],
  norwayeast: [59.91, 10.75],
  polandcentral: [52.23, 21.01],
  qatarcentral: [25.29, 51.53],
  southafricanorth: [-26.2, 28.05],
  southcentralus: [29.42, -98.49],
  southeastasia: [1.35, 103.82],
  spaincentral: [40.42, -3.7],
  swedencentral: [60.67, 17.14],
  switzerlandnorth: [47.38, 8.54],
  uaenorth: [25.2, 55.27],
  uksouth: [51.51, -0.13],
  westeurope: [52.37, 4.9],
  westus2: [47.23, -119.85],
  westus3: [33.45, -112.07],
};

/** How many locations a standard web test runs from by default: Microsoft recommends at least five. */
export const DEFAULT_GEO_LOCATION_COUNT = 5;

function distanceKm([lat1, lon1]: readonly [number, number], [lat2, lon2]: readonly [number, number]): number {
  const rad = Math.PI / 180;
  const a =
    Math.sin(((lat2 - lat1) * rad) / 2) ** 2 +
    Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(a));
}

/**
 * The standard web test locations nearest an Azure location (great-circle distance, ties by id), `count` of
 * them: where the environment's users most likely are, and within the latency a budget was set for
 * (`westeurope`: Amsterdam, London, Cardiff, Paris, Dublin); undefined for a location not in AZURE_LOCATIONS or
 * a token; pure.
 */
export function availabilityTestLocations(
  azureLocation: string,
  count: number = DEFAULT_GEO_LOCATION_COUNT,
): string[] | undefined {
  const here = REGION_COORDINATES[azureLocation.toLowerCase().replaceAll(' ', '')];
  if (here === undefined) return undefined;
  return Object.entries(AVAILABILITY_TEST_LOCATIONS)
    .map(([id, { latitude, longitude }]) => ({ id, km: distanceKm(here, [latitude, longitude]) }))
    .sort((a, b) => a.km - b.km || (a.id < b.id ? -1 : 1))
    .slice(0, count)
    .map(({ id }) => id);
}

/** The frequencies a standard web test runs at, in seconds. */
export const WEB_TEST_FREQUENCIES = [300, 600, 900] as const;

/** The timeouts a standard web test takes, in seconds. */
export const WEB_TEST_TIMEOUTS = [30, 60, 90, 120] as const;

/**
 * A standard web test's frequency for a check's interval: the slowest of 300, 600 and 900 seconds that is not
 * slower than the interval (12 minutes runs every 10), and 300 for intervals under 5 minutes, which a web test
 * cannot run (each of its locations runs every 5 minutes, so five locations make about one run a minute); pure.
 */
export function webTestFrequencySeconds(intervalMinutes: number): number {
  return [...WEB_TEST_FREQUENCIES].reverse().find((s) => s <= intervalMinutes * 60) ?? WEB_TEST_FREQUENCIES[0];
}

/**
 * A standard web test's timeout for a latency budget: the shortest it takes that is at least twice the budget,
 * so a slow response is measured (the latency alert) rather than cut off (the success alert); undefined when the
 * budget is over 60 seconds (the check then runs as the probe); pure.
 */
export function webTestTimeoutSeconds(latencyBudgetMs: number): number | undefined {
  return WEB_TEST_TIMEOUTS.find((s) => s * 1000 >= latencyBudgetMs * 2);
}

/** How an API check runs on Azure. */
export type ApiCheckRunner = 'web-test' | 'probe';

/**
 * Whether a check runs as a standard web test or as the in-network probe, and why; pure. A web test reaches
 * public endpoints only, stores header values in plain text, matches text only and times out after 120 seconds,
 * so the probe runs a check that is internal, has secret headers, asserts a JSON field or has a latency budget
 * over 60 seconds.
 */
export function apiCheckRunner(
  check: Pick<ApiCheckDefinition, 'internal' | 'secretHeaders' | 'body' | 'latencyBudgetMs'>,
): {
  readonly runner: ApiCheckRunner;
  readonly reasons: string[];
} {
  const reasons = [
    ...(check.internal ? ['internal'] : []),
    ...(Object.keys(check.secretHeaders).length > 0 ? ['secret headers'] : []),
    ...(check.body !== undefined && 'jsonPath' in check.body ? ['a JSON field assertion'] : []),
    ...(webTestTimeoutSeconds(check.latencyBudgetMs) === undefined ? ['a latency budget over 60 seconds'] : []),
  ];
  return { runner: reasons.length > 0 ? 'probe' : 'web-test', reasons };
}

/** The availability test name of a check (`platform-<env>-<check>`): the web test's name, or what the probe reports. */
export function apiCheckTestName(environment: string, check: string): string {
  // A web test name takes 1-260 characters; the workspace rule (4-63, letter first) is stricter.
  return makeName('azureLogAnalyticsWorkspace', [PLATFORM_PREFIX, environment, check]);
}

/** The availability test name of a check's certificate test: `<test name>-tls`. */
export function apiCheckTlsTestName(environment: string, check: string): string {
  return `${apiCheckTestName(environment, check)}-tls`;
}

/** A service as a check's target needs it: its container app's ingress FQDN. */
export interface CheckTargetService {
  /** The container app. */
  readonly containerApp: { readonly ingress: { readonly fqdn: string } };
}

/**
 * The URL a check requests: its own, or for a service target `https://<container app FQDN><path>` (the public FQDN
 * for a public service, `<app>.internal.<domain>` otherwise; Container Apps ingress is HTTPS either way); pure.
 * @throws Error naming the check and the service when `services` has no service of that name
 */
export function apiCheckUrl(check: CheckSpec, services: ReadonlyMap<string, CheckTargetService>): string {
  if ('url' in check.target) return check.target.url;
  const service = services.get(check.target.service);
  if (!service) {
    throw new Error(
      `checks.${check.name}: ${check.target.service} is not one of the services (${[...services.keys()].join(', ') || 'none'})`,
    );
  }
  return `https://${service.containerApp.ingress.fqdn}${check.target.path}`;
}

/** The shortest metric alert window that holds a run every `minutes`; pure. */
export function alertWindowMinutes(minutes: number): number {
  return METRIC_ALERT_WINDOWS.find((w) => w >= minutes) ?? 1440;
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering.
// ---------------------------------------------------------------------------------------------------------------

/** What {@link renderWebTestConfig} needs besides the check. */
export interface WebTestOptions {
  /** The web test's name (its availability results are named after it). */
  readonly name: string;
  /** The resource group's name. */
  readonly resourceGroupName: string;
  /** The component's ID and location. */
  readonly insights: Pick<IApiCheckInsights, 'componentId' | 'location'>;
  /** The locations the test runs from. */
  readonly geoLocations: readonly string[];
  /**
   * The certificate test: no status or body rule; fails when the certificate has fewer than
   * `tlsExpiryWarningDays` left; every 15 minutes.
   * @default false
   */
  readonly tlsOnly?: boolean;
}

/**
 * Maps a check to a standard web test; pure. The request: the URL and method, the plain headers, redirects not
 * followed (a redirect is judged as the answer, as on AWS), no dependent requests. The rules: the expected
 * status, a `contains` body assertion as a case-sensitive content match, the TLS certificate checked for https.
 * Frequency {@link webTestFrequencySeconds}, timeout {@link webTestTimeoutSeconds}, a failed run retried once
 * (Azure retries after 20 seconds) so one lost packet at one location does not page.
 *
 * The certificate test (`tlsOnly`) requests the same URL every 900 seconds, accepts any status below 400, and
 * fails when the certificate has fewer than `tlsExpiryWarningDays` left (`ssl_cert_remaining_lifetime`): a
 * lifetime rule in the main test could only fail the main test (a critical alert), so it is a test of its own
 * with a warning.
 */
export function renderWebTestConfig(
  check: ApiCheckDefinition,
  options: WebTestOptions,
): webTest.ApplicationInsightsStandardWebTestConfig {
  const https = check.url.toLowerCase().startsWith('https:');
  const headers = Object.entries(check.headers)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => ({ name, value }));
  const contains = check.body !== undefined && 'contains' in check.body ? check.body.contains : undefined;
  return {
    name: options.name,
    resourceGroupName: options.resourceGroupName,
    location: options.insights.location,
    applicationInsightsId: options.insights.componentId,
    description: options.tlsOnly
      ? `API check ${check.name}: the TLS certificate has ${check.tlsExpiryWarningDays} days or more left`
      : `API check ${check.name}: ${check.method} ${check.url} answers ${check.expectedStatus}`,
    enabled: true,
    retryEnabled: true,
    frequency: options.tlsOnly ? 900 : webTestFrequencySeconds(check.intervalMinutes),
    timeout: webTestTimeoutSeconds(check.latencyBudgetMs) ?? 120,
    geoLocations: [...options.geoLocations],
    request: {
      url: check.url,
      httpVerb: check.method,
      followRedirectsEnabled: false,
      parseDependentRequestsEnabled: false,
      ...(headers.length > 0 && { header: headers }),
    },
    validationRules: options.tlsOnly
      ? { expectedStatusCode: 0, sslCheckEnabled: true, sslCertRemainingLifetime: check.tlsExpiryWarningDays }
      : {
          expectedStatusCode: check.expectedStatus,
          sslCheckEnabled: https,
          ...(contains !== undefined && {
            content: { contentMatch: contains, ignoreCase: false, passIfTextFound: true },
          }),
        },
  };
}

/** What {@link renderApiCheckAlerts} needs besides the check. */
export interface ApiCheckAlertOptions {
  /** How the check runs. */
  readonly runner: ApiCheckRunner;
  /** The component's ID and name. */
  readonly insights: Pick<IApiCheckInsights, 'componentId' | 'componentName'>;
  /** The availability test names. */
  readonly testName: string;
  /** The certificate test's name, for an https URL. @default - no certificate alert */
  readonly tlsTestName?: string;
  /** The probe job's name, for the first responses of a probe. @default - a web test */
  readonly jobName?: string;
}

const AVAILABILITY_NAMESPACE = 'microsoft.insights/components';
const AVAILABILITY_DIMENSION = 'availabilityResult/name';

/**
 * The metric alerts of a check, by alarm id (`apiCheckAlarmIds`), over the component's availability metrics
 * filtered to the check's test name, so web tests and probes share them; pure:
 * - `check/<name>/success` (critical): `availabilityResults/availabilityPercentage` (Average) below 100 in the
 *   window that holds one run (5 minutes for a web test every 5, 15 for one every 10 or 15; for the probe the
 *   shortest window not under its interval), when a run fails at one location or more;
 * - `check/<name>/latency` (warning): `availabilityResults/duration` (Maximum, milliseconds) over the budget in
 *   the same window;
 * - `check/<name>/tls` (warning, https only): the certificate test's availability (Average, the only aggregation
 *   Azure offers for it) below 50 percent over an hour: most runs of the hour found fewer than
 *   `tlsExpiryWarningDays` left, or could not connect (a lost packet or two does not raise it).
 * Azure Monitor does not raise a metric alert when there is no data: a check that stops reporting raises none.
 */
export function renderApiCheckAlerts(
  check: ApiCheckDefinition,
  options: ApiCheckAlertOptions,
): Record<string, MetricAlertDefinition> {
  const ids = apiCheckAlarmIds(check.name);
  const everyMinutes =
    options.runner === 'web-test' ? webTestFrequencySeconds(check.intervalMinutes) / 60 : check.intervalMinutes;
  const window = alertWindowMinutes(everyMinutes);
  const availability = (
    testName: string,
  ): Pick<MetricAlertDefinition, 'scopes' | 'metricNamespace' | 'dimensions'> => ({
    scopes: [options.insights.componentId],
    metricNamespace: AVAILABILITY_NAMESPACE,
    dimensions: [{ name: AVAILABILITY_DIMENSION, values: [testName] }],
  });
  const where =
    options.runner === 'web-test'
      ? `the availability test ${options.testName} of ${options.insights.componentName}`
      : `the results named ${options.testName} in ${options.insights.componentName} (AppAvailabilityResults) and the console logs of the probe job ${options.jobName ?? ''}`;
  const alerts: Record<string, MetricAlertDefinition> = {
    [ids.success]: {
      ...availability(options.testName),
      metricName: 'availabilityResults/availabilityPercentage',
      aggregation: 'Average',
      operator: 'LessThan',
      threshold: 100,
      windowMinutes: window,
      severity: 'critical',
      description: `The API check ${check.name} (${check.method} ${check.url}) failed: a wrong status or body, no response${options.runner === 'web-test' ? ' or an invalid TLS certificate' : ''}.`,
      firstResponse: `Read the failed result's message in ${where}; then check the endpoint.`,
    },
    [ids.latency]: {
      ...availability(options.testName),
      metricName: 'availabilityResults/duration',
      aggregation: 'Maximum',
      operator: 'GreaterThan',
      threshold: check.latencyBudgetMs,
      windowMinutes: window,
      severity: 'warning',
      description: ({ threshold }) => `The API check ${check.name} got a response slower than ${threshold} ms.`,
      firstResponse: `Compare the latency of ${check.url} with its recent deployments and load.`,
    },
  };
  if (options.tlsTestName !== undefined) {
    alerts[ids.tls] = {
      ...availability(options.tlsTestName),
      metricName: 'availabilityResults/availabilityPercentage',
      aggregation: 'Average',
      operator: 'LessThan',
      threshold: 50,
      windowMinutes: 60,
      severity: 'warning',
      description: `The TLS certificate of the API check ${check.name} (${check.url}) has less than ${check.tlsExpiryWarningDays} days left, or most certificate tests of the hour could not reach it.`,
      firstResponse: `Read the certificate test's message in ${options.tlsTestName}; renew the certificate or find why its automatic renewal failed.`,
    };
  }
  return alerts;
}

/** The workbook section of a check: availability and duration over time, and the recent failures; pure. */
export function renderApiCheckWorkbookItems(testNames: readonly string[]): WorkbookItem[] {
  const names = testNames.map((n) => JSON.stringify(n)).join(', ');
  const results = `AppAvailabilityResults | where Name in (${names})`;
  return [
    {
      type: 'query',
      title: 'Availability (%)',
      query: `${results} | summarize Availability = 100.0 * avg(todouble(Success)) by Name, bin(TimeGenerated, 15m)`,
      visualization: 'timechart',
    },
    {
      type: 'query',
      title: 'Duration (ms)',
      query: `${results} | summarize Slowest = max(DurationMs) by Name, bin(TimeGenerated, 15m)`,
      visualization: 'timechart',
    },
    {
      type: 'query',
      title: 'Recent failures',
      query: `${results} | where Success == false | project TimeGenerated, Name, Location, Message | top 50 by TimeGenerated desc`,
      visualization: 'table',
    },
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// The construct.
// ---------------------------------------------------------------------------------------------------------------

/** Props of {@link ApiCheck}. */
export interface ApiCheckProps {
  /** The resolved check: URL, method, headers, secret headers, expected status and body, budgets, interval. */
  readonly check: ApiCheckDefinition;
  /** The environment name, in the test, job and alert names. */
  readonly environment: string;
  /** The resource group the web tests, the probe and its identity go into. */
  readonly resourceGroup: IResourceGroup;
  /** The environment's monitoring: the check's alerts and its workbook section. */
  readonly monitoring: IMonitoring;
  /** The environment's API check component (`ApiCheckInsights`), shared by its checks. */
  readonly insights: IApiCheckInsights;
  /**
   * The Azure location the web test locations are chosen near ({@link availabilityTestLocations}).
   * @default - the resource group's location, when it is known at synthesis
   */
  readonly azureLocation?: string;
  /**
   * The web test locations (population tags of AVAILABILITY_TEST_LOCATIONS).
   * @default - the five nearest `azureLocation`
   */
  readonly geoLocations?: readonly string[];
  /**
   * The Container Apps environment the probe runs in (`ContainerAppsEnvironment.id`). Required for a check that
   * runs as the probe ({@link apiCheckRunner}).
   * @default - none: only web tests
   */
  readonly containerAppsEnvironmentId?: string;
  /**
   * The Key Vault holding the secret headers' values (the environment's `azure.keyVaultId`); the probe's
   * identity gets "Key Vault Secrets User" on it. Required when the check has secret headers.
   * @default - none
   */
  readonly keyVault?: IKeyVault;
  /**
   * Short code of the location, at the end of the probe's and its identity's names.
   * @default - the code of the resource group's location in AZURE_LOCATIONS
   */
  readonly locationCode?: string;
  /**
   * The image the probe runs (Node.js 18 or later).
   * @default API_CHECK_PROBE_IMAGE
   */
  readonly probeImage?: string;
}

const API_CHECK_PROPS: PropRules = {
  check: {
    kind: 'object',
    allowed: 'the resolved API check definition (ApiCheckDefinition)',
    fields: {
      name: { kind: 'string', allowed: 'the check name, kebab-case' },
      url: { kind: 'string', allowed: 'the URL to request' },
      internal: { kind: 'boolean', allowed: 'whether the endpoint is reachable only inside the network' },
      method: { kind: 'string', allowed: 'the HTTP method' },
      headers: { kind: 'object', allowed: 'the plain headers, name to value ({} for none)' },
      secretHeaders: { kind: 'object', allowed: 'the secret headers, name to Key Vault secret name ({} for none)' },
      expectedStatus: { kind: 'number', allowed: 'the expected HTTP status' },
      latencyBudgetMs: { kind: 'number', allowed: 'the latency budget in milliseconds' },
      intervalMinutes: { kind: 'number', allowed: 'how often the check runs, 1-60 minutes' },
      tlsExpiryWarningDays: { kind: 'number', allowed: 'days before the certificate expires to warn' },
    },
  },
  environment: ENVIRONMENT_PROP,
  resourceGroup: RESOURCE_GROUP_PROP,
  monitoring: {
    kind: 'object',
    allowed: "the environment's monitoring (a Monitoring, or Monitoring.fromMonitoringAttributes)",
  },
  insights: { kind: 'object', allowed: "the environment's API check component: an ApiCheckInsights" },
  azureLocation: { kind: 'string', optional: true, allowed: 'an Azure location such as westeurope' },
  geoLocations: { kind: 'array', optional: true, allowed: 'web test location ids such as emea-nl-ams-azr' },
  containerAppsEnvironmentId: {
    kind: 'string',
    optional: true,
    allowed: 'the ID of the Container Apps environment (ContainerAppsEnvironment.id)',
  },
  keyVault: {
    kind: 'object',
    optional: true,
    allowed: 'the Key Vault holding the secret headers: KeyVault.fromKeyVaultId(...)',
  },
  locationCode: LOCATION_CODE_PROP,
  probeImage: { kind: 'string', optional: true, allowed: 'a container image reference with Node.js' },
};

const CHECK_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const METHODS: readonly string[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
/** A Key Vault secret name: 1-127 letters, digits and hyphens. */
const KEY_VAULT_SECRET_NAME = /^[A-Za-z0-9-]{1,127}$/;
const CONTAINER_APPS_ENVIRONMENT_ID =
  /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.App\/managedEnvironments\/[^/]+$/i;

/** Every problem of the props, as a SpecError. */
function validateApiCheck(path: string, props: ApiCheckProps): { runner: ApiCheckRunner; geoLocations: string[] } {
  const { check } = props;
  const issues = new IssueCollector();
  const at = (field: string): string => `check.${field}`;
  if (!CHECK_NAME.test(check.name))
    issues.add(at('name'), check.name, 'kebab-case: lowercase letters, digits and hyphens');
  if (!ENVIRONMENT_NAME_PATTERN.test(props.environment)) {
    issues.add(
      'environment',
      props.environment,
      'an environment name: 2-12 lowercase letters, digits and single hyphens',
    );
  }
  const scheme = /^([a-z]+):\/\//i.exec(check.url)?.[1]?.toLowerCase();
  if (!Token.isUnresolved(check.url)) {
    try {
      new URL(check.url);
    } catch {
      issues.add(at('url'), check.url, 'an absolute http(s) URL');
    }
  }
  if (scheme !== 'https' && !(scheme === 'http' && check.internal)) {
    issues.add(at('url'), check.url, 'an https:// URL (http:// only for an internal check)');
  }
  if (!METHODS.includes(check.method)) issues.add(at('method'), check.method, `one of ${METHODS.join(', ')}`);
  if (!Number.isInteger(check.expectedStatus) || check.expectedStatus < 100 || check.expectedStatus > 599) {
    issues.add(at('expectedStatus'), check.expectedStatus, 'an HTTP status code, 100-599');
  }
  if (!Number.isInteger(check.latencyBudgetMs) || check.latencyBudgetMs < 1) {
    issues.add(at('latencyBudgetMs'), check.latencyBudgetMs, 'a whole number of milliseconds, at least 1');
  }
  if (!Number.isInteger(check.intervalMinutes) || check.intervalMinutes < 1 || check.intervalMinutes > 60) {
    issues.add(at('intervalMinutes'), check.intervalMinutes, 'a whole number of minutes, 1-60');
  }
  if (
    !Number.isInteger(check.tlsExpiryWarningDays) ||
    check.tlsExpiryWarningDays < 1 ||
    check.tlsExpiryWarningDays > 365
  ) {
    issues.add(
      at('tlsExpiryWarningDays'),
      check.tlsExpiryWarningDays,
      'a whole number of days, 1-365 (what a web test certificate rule takes)',
    );
  }
  if (check.body !== undefined && 'contains' in check.body && check.body.contains === '') {
    issues.add(at('body.contains'), '', 'a non-empty text');
  }
  for (const [header, secret] of Object.entries(check.secretHeaders)) {
    if (!KEY_VAULT_SECRET_NAME.test(secret)) {
      issues.add(at(`secretHeaders.${header}`), secret, 'a Key Vault secret name: 1-127 letters, digits and hyphens');
    } else if (appSecretNameOf(secret) === PROBE_CONNECTION_STRING_SECRET) {
      issues.add(
        at(`secretHeaders.${header}`),
        secret,
        `a secret name other than ${PROBE_CONNECTION_STRING_SECRET} (the probe's own)`,
      );
    }
    if (header in check.headers)
      issues.add(at(`headers.${header}`), check.headers[header], 'a header given once: it is a secret header too');
  }
  const secretNames = Object.values(check.secretHeaders);
  if (secretNames.length > 0 && props.keyVault === undefined) {
    issues.add(
      'keyVault',
      undefined,
      `the Key Vault holding the secrets ${secretNames.join(', ')} (the environment's azure.keyVaultId)`,
    );
  }
  if (props.keyVault !== undefined && !isKeyVaultId(props.keyVault.keyVaultId)) {
    issues.add('keyVault.keyVaultId', props.keyVault.keyVaultId, KEY_VAULT_ID_RULE);
  }
  const { runner, reasons } = apiCheckRunner(check);
  let geoLocations: string[] = [];
  if (runner === 'probe') {
    const caeId = props.containerAppsEnvironmentId;
    if (caeId === undefined) {
      issues.add(
        'containerAppsEnvironmentId',
        undefined,
        `the Container Apps environment the probe runs in: the check runs as the in-network probe (${reasons.join(', ')})`,
      );
    } else if (!Token.isUnresolved(caeId) && !CONTAINER_APPS_ENVIRONMENT_ID.test(caeId)) {
      issues.add(
        'containerAppsEnvironmentId',
        caeId,
        'a Container Apps environment resource ID (/subscriptions/.../providers/Microsoft.App/managedEnvironments/<name>)',
      );
    }
  } else if (props.geoLocations !== undefined) {
    geoLocations = [...props.geoLocations];
    if (geoLocations.length === 0) issues.add('geoLocations', [], 'at least one web test location');
    geoLocations.forEach((id, i) => {
      if (!(id in AVAILABILITY_TEST_LOCATIONS)) {
        issues.add(
          `geoLocations[${i}]`,
          id,
          `a web test location: ${Object.keys(AVAILABILITY_TEST_LOCATIONS).join(', ')}`,
        );
      }
    });
  } else {
    const location =
      props.azureLocation ??
      (Token.isUnresolved(props.resourceGroup.location) ? undefined : props.resourceGroup.location);
    const nearest = location === undefined ? undefined : availabilityTestLocations(location);
    if (nearest === undefined) {
      issues.add(
        'azureLocation',
        location,
        `an Azure location of AZURE_LOCATIONS to choose the web test locations near (or give geoLocations)`,
      );
    } else geoLocations = nearest;
  }
  issues.throwIfAny(`Invalid ApiCheck props (${path})`);
  return { runner, geoLocations };
}

/** The probe of a check: its job, the identity it runs as and what that identity may do. */
export interface ApiCheckProbe {
  /** The Container Apps job. */
  readonly job: containerAppJob.ContainerAppJob;
  /** The identity it runs as. */
  readonly identity: identity.UserAssignedIdentity;
  /** "Monitoring Metrics Publisher" for the identity on the component. */
  readonly metricsPublisher: roleAssignment.RoleAssignment;
  /** "Key Vault Secrets User" for the identity on the Key Vault, when the check has secret headers. */
  readonly keyVaultAccess?: roleAssignment.RoleAssignment;
}

/** The built-in role that may send telemetry to an Application Insights component with Entra ID auth. */
export const MONITORING_METRICS_PUBLISHER = 'Monitoring Metrics Publisher';

/**
 * A synthetic API check on Azure: requests one URL on a schedule, asserts its status and body, and alerts
 * through the environment's monitoring when it fails, answers slowly, or its TLS certificate nears expiry. It
 * reports to the environment's Application Insights component ({@link ApiCheckInsights}) and runs as one of two
 * things ({@link apiCheckRunner}):
 *
 * - A public check without secret headers whose assertions a web test can make: an
 *   `azurerm_application_insights_standard_web_test` ({@link renderWebTestConfig}) from the five locations
 *   nearest the environment ({@link availabilityTestLocations}), every 5, 10 or 15 minutes
 *   ({@link webTestFrequencySeconds}: a 1-minute production check runs every 5 minutes from each location). A web
 *   test can assert the status, a text the body contains, the certificate's validity and remaining lifetime and,
 *   through its timeout, an upper bound on the time; it cannot read JSON, and stores header values in plain text.
 *   For https a second web test (`<name>-tls`, every 15 minutes) checks the remaining lifetime, so that it raises
 *   a warning of its own instead of failing the main test.
 * - Any other check (internal, secret headers, a JSON field, a budget over 60 seconds): the in-network probe, a
 *   Container Apps job in the environment's Container Apps environment ({@link renderProbeJobConfig}), on the
 *   check's interval ({@link renderProbeSchedule}), running a generated Node.js script
 *   ({@link renderProbeScript}) as a user-assigned identity that reads the secret headers through Key Vault
 *   references ("Key Vault Secrets User") and reports availability results, including the certificate's as
 *   `<name>-tls`, with Entra ID auth ("Monitoring Metrics Publisher" on the component). It runs from the
 *   environment's location only.
 *
 * Alerts, the same for both ({@link renderApiCheckAlerts}): `check/<name>/success` (critical),
 * `check/<name>/latency` (warning) and, for https, `check/<name>/tls` (warning), metric alerts on the component
 * routed to the action group of their severity, tunable in the spec like every alert; and a workbook section.
 *
 * Unlike AWS: latency over the budget raises the latency warning only (a web test cannot fail on it, and the probe
 * judges it the same way); the certificate warning comes from a test that fails, not from a days-left metric; and
 * a check that stops reporting raises no alert (Azure Monitor ignores missing metric data).
 *
 * @example
 * new ApiCheck(stack, 'check-api-health', {
 *   check: apiCheckDefinition(env.checks.checks[0], 'https://api.example.com/health'),
 *   environment: env.name, resourceGroup: rg, monitoring, insights, azureLocation: env.azure.location,
 *   containerAppsEnvironmentId: apps.id, keyVault: KeyVault.fromKeyVaultId(env.azure.keyVaultId),
 * });
 */
export class ApiCheck extends Construct {
  /** How the check runs. */
  public readonly runner: ApiCheckRunner;
  /** The availability test name its results carry (the alerts filter on it). */
  public readonly testName: string;
  /** The web test, for a check that runs as one. */
  public readonly webTest?: webTest.ApplicationInsightsStandardWebTest;
  /** The certificate web test, for an https check that runs as a web test. */
  public readonly tlsWebTest?: webTest.ApplicationInsightsStandardWebTest;
  /** The probe, for a check that runs as one. */
  public readonly probe?: ApiCheckProbe;
  /** The metric alerts, by alarm id (none for an id the spec switched off). */
  public readonly alerts: Readonly<Record<string, metricAlert.MonitorMetricAlert>>;

  constructor(scope: Construct, id: string, props: ApiCheckProps) {
    checkProps('ApiCheck', pathUnder(scope, id), props, API_CHECK_PROPS);
    const { runner, geoLocations } = validateApiCheck(pathUnder(scope, id), props);
    super(scope, id);
    const { check, environment, insights, resourceGroup } = props;
    const https = check.url.toLowerCase().startsWith('https:');
    this.runner = runner;
    this.testName = apiCheckTestName(environment, check.name);
    const tlsTestName = https ? apiCheckTlsTestName(environment, check.name) : undefined;

    let jobName: string | undefined;
    if (runner === 'web-test') {
      const base = { resourceGroupName: resourceGroup.name, insights, geoLocations };
      this.webTest = new webTest.ApplicationInsightsStandardWebTest(
        this,
        'WebTest',
        renderWebTestConfig(check, { ...base, name: this.testName }),
      );
      if (tlsTestName !== undefined) {
        this.tlsWebTest = new webTest.ApplicationInsightsStandardWebTest(
          this,
          'TlsWebTest',
          renderWebTestConfig(check, { ...base, name: tlsTestName, tlsOnly: true }),
        );
      }
    } else {
      const code = props.locationCode ?? locationCodeOf(resourceGroup.location);
      const words = [environment, 'check', check.name, ...(code === undefined ? [] : [code])];
      jobName = makeName('azureContainerApp', ['caj', ...words]);
      const access = addWorkloadIdentity(this, {
        name: workloadIdentityName(words),
        resourceGroup,
        secrets: check.secretHeaders,
        ...(props.keyVault !== undefined && { keyVault: props.keyVault }),
        reader: jobName,
      });
      const metricsPublisher = new roleAssignment.RoleAssignment(this, 'MetricsPublisher', {
        scope: insights.componentId,
        roleDefinitionName: MONITORING_METRICS_PUBLISHER,
        principalId: access.identity.principalId,
        principalType: 'ServicePrincipal',
        description: `${jobName} reports the availability results of the API check ${check.name}`,
      });
      const script: ProbeScriptOptions = { testName: this.testName, ...(tlsTestName !== undefined && { tlsTestName }) };
      const job = new containerAppJob.ContainerAppJob(this, 'Probe', {
        ...renderProbeJobConfig(check, {
          name: jobName,
          resourceGroupName: resourceGroup.name,
          location: resourceGroup.location,
          containerAppsEnvironmentId: props.containerAppsEnvironmentId!,
          identity: { id: access.identity.id, clientId: access.identity.clientId },
          connectionString: insights.connectionString,
          ...(props.keyVault !== undefined && { keyVault: props.keyVault }),
          image: props.probeImage ?? API_CHECK_PROBE_IMAGE,
          runLocation: `${props.azureLocation ?? resourceGroup.location} (in-network probe)`,
          script,
        }),
        // Azure resolves the Key Vault references when it creates the job; the results are refused until the
        // identity may publish them.
        dependsOn: [...(access.keyVaultAccess ? [access.keyVaultAccess] : []), metricsPublisher],
      });
      this.probe = {
        job,
        identity: access.identity,
        metricsPublisher,
        ...(access.keyVaultAccess && { keyVaultAccess: access.keyVaultAccess }),
      };
    }

    const definitions = renderApiCheckAlerts(check, {
      runner,
      insights,
      testName: this.testName,
      ...(tlsTestName !== undefined && { tlsTestName }),
      ...(jobName !== undefined && { jobName }),
    });
    const alerts: Record<string, metricAlert.MonitorMetricAlert> = {};
    for (const [alarmId, definition] of Object.entries(definitions)) {
      const alert = props.monitoring.addMetricAlert(this, alarmId, definition);
      if (alert) alerts[alarmId] = alert;
    }
    this.alerts = alerts;
    props.monitoring.addWorkbookItems(
      `API check: ${check.name}`,
      ...renderApiCheckWorkbookItems([this.testName, ...(tlsTestName !== undefined ? [tlsTestName] : [])]),
    );
  }
}
