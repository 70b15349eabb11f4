import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { apiCheckDefinition, checkProps, IssueCollector, type ApplicationSpec, type WorkloadSpec } from '../core';
import { ApiCheck, ApiCheckInsights, apiCheckRunner, apiCheckUrl } from './api-check';
import { ContainerService } from './container-service';
import { SendDiagnostics } from './diagnostics';
import type { IKeyVault, IMonitoring } from './interfaces';
import { Monitoring } from './monitoring';
import type { IPlatformEnvironment } from './platform-environment';
import { PlatformStack } from './platform-stack';
import { RetainStatefulResources } from './protection';
import { ScheduledJob } from './scheduled-job';
import { TagResources } from './tags';

/** Props of {@link Application}. */
export interface ApplicationProps {
  /**
   * The application's resolved spec (`defineApplication(...)`): its services and jobs, tags, monitoring (alarm
   * tuning) and protection, every default of the environment's tier applied.
   */
  readonly spec: ApplicationSpec;
  /**
   * The platform environment it runs on, joined in the same stack (`PlatformEnvironment.join(stack, ...)`):
   * resource group, Container Apps environment, workspace, action groups and Key Vault.
   */
  readonly platform: IPlatformEnvironment;
}

/**
 * An application team's services and jobs on a platform environment on Azure, built with the same constructs,
 * defaults, alerts and guardrails as the platform's own workloads: each service a `ContainerService`
 * (`services/<name>`), each job a `ScheduledJob` (`jobs/<name>`), in the platform's resource group and Container
 * Apps environment, their metrics and logs in the platform's workspace.
 *
 * - Alerts: named `platform-<env>-<id>` and notifying the platform's action group of their severity, like the
 *   platform's, tuned or switched off by `spec.monitoring.alarms` (an override that names none of the application's
 *   alerts fails synthesis). The platform's workbook is the platform's: the application's sections are not added.
 * - Secrets: a workload that names secrets reads them from the platform's Key Vault with its own identity
 *   ("Key Vault Secrets User"); the vault is read only when one does.
 * - Data: resources that hold data get `lifecycle.prevent_destroy` when `spec.protection.retainData` says so (the
 *   tier decides: production retains). Logs are kept as long as the platform's workspace keeps them
 *   (`monitoring.logRetentionDays` of the platform environment): the workspace is the platform's.
 * - Tags: `spec.tags` on every taggable resource; diagnostics of every resource that supports them to the workspace.
 * - API checks (`spec.checks`): each an `ApiCheck` (`checks/<name>`), a service's check requesting the service's
 *   container app FQDN; they report to the application's own Application Insights component (`api-checks`,
 *   `appi-platform-<env>-<application>-<location code>`) in the platform's workspace.
 *
 * @example
 * const platform = PlatformEnvironment.join(stack, 'platform', { spec: payments.environment });
 * const app = new Application(stack, 'payments', { spec: payments, platform });
 * app.services.get('payments-api')?.identity; // grant the application what it needs
 */
export class Application extends Construct {
  /** The application's container services, by name (`<application>-<service>`). */
  public readonly services: ReadonlyMap<string, ContainerService>;
  /** The application's scheduled jobs, by name (`<application>-<job>`). */
  public readonly jobs: ReadonlyMap<string, ScheduledJob>;
  /** The application's monitoring: the platform's workspace and action groups, with the application's alarm tuning. */
  public readonly monitoring: IMonitoring;
  /** The Application Insights component the application's API checks report to, when it has checks. */
  public readonly checkInsights?: ApiCheckInsights;
  /** The application's API checks (`spec.checks.checks`), by name (`<application>-<name>`). */
  public readonly checks: ReadonlyMap<string, ApiCheck>;

  constructor(scope: Construct, id: string, props: ApplicationProps) {
    super(scope, id);
    validateApplicationProps(this, props);
    const { spec, platform } = props;

    // Applied to this scope only: the application's spec decides for the application's resources.
    TagResources.applyTo(this, spec.tags);
    if (spec.protection.retainData) RetainStatefulResources.applyTo(this);
    SendDiagnostics.applyTo(this, platform.workspaceId);

    this.monitoring = Monitoring.fromMonitoringAttributes(this, 'monitoring', {
      environment: platform.environment,
      workspaceId: platform.workspaceId,
      actionGroupIds: platform.actionGroupIds,
      resourceGroup: platform.resourceGroup,
      alarms: spec.monitoring.alarms,
    });

    const shared = {
      environment: platform.environment,
      resourceGroup: platform.resourceGroup,
      locationCode: platform.locationCode,
      monitoring: this.monitoring,
    };
    // Read on first use only: an application without workloads needs no Container Apps environment, and one whose
    // workloads name no secrets needs no Key Vault.
    const workload = (
      workloadSpec: WorkloadSpec,
    ): typeof shared & { containerAppsEnvironmentId: string; keyVault?: IKeyVault } => ({
      ...shared,
      containerAppsEnvironmentId: platform.containerAppsEnvironmentId,
      ...(Object.keys(workloadSpec.secrets).length > 0 && { keyVault: platform.keyVault }),
    });
    // A workload's construct path is its kind and name, as in the platform's stacks: its addresses never depend on
    // its neighbours.
    const services = new Construct(this, 'services');
    this.services = new Map(
      spec.services.map((service) => [
        service.name,
        new ContainerService(services, service.name, { ...workload(service), spec: service }),
      ]),
    );
    const jobs = new Construct(this, 'jobs');
    this.jobs = new Map(
      spec.jobs.map((job) => [job.name, new ScheduledJob(jobs, job.name, { ...workload(job), spec: job })]),
    );

    // The application's checks report to a component of its own in the platform's workspace (the platform's
    // component is the platform's); a check the probe runs uses the Container Apps environment, a secret header
    // the Key Vault, each read only then.
    if (spec.checks.checks.length > 0) {
      this.checkInsights = new ApiCheckInsights(this, 'api-checks', {
        name: platform.environment,
        application: spec.name,
        resourceGroup: platform.resourceGroup,
        locationCode: platform.locationCode,
        workspaceId: platform.workspaceId,
      });
    }
    const insights = this.checkInsights;
    const checks = new Construct(this, 'checks');
    this.checks = new Map(
      insights === undefined
        ? []
        : spec.checks.checks.map((check) => [
            check.name,
            new ApiCheck(checks, check.name, {
              ...shared,
              check: apiCheckDefinition(check, apiCheckUrl(check, this.services)),
              insights,
              ...(spec.environment.azure !== undefined && { azureLocation: spec.environment.azure.location }),
              ...(apiCheckRunner(check).runner === 'probe' && {
                containerAppsEnvironmentId: platform.containerAppsEnvironmentId,
              }),
              ...(Object.keys(check.secretHeaders).length > 0 && { keyVault: platform.keyVault }),
            }),
          ]),
    );
  }
}

function validateApplicationProps(scope: Construct, props: ApplicationProps): void {
  checkProps('Application', scope.node.path, props, {
    spec: {
      kind: 'object',
      allowed: 'the resolved application spec: defineApplication(...)',
      fields: {
        name: { kind: 'string', allowed: 'the application name' },
        environment: {
          kind: 'object',
          allowed: 'the environment the application joins',
          fields: {
            name: { kind: 'string', allowed: 'the platform environment name' },
            tier: { kind: 'string', allowed: "the platform environment's tier" },
          },
        },
        tags: { kind: 'object', allowed: 'the tags of every resource' },
        services: { kind: 'array', allowed: 'the resolved services' },
        jobs: { kind: 'array', allowed: 'the resolved jobs' },
        monitoring: { kind: 'object', allowed: 'the resolved monitoring section' },
        protection: { kind: 'object', allowed: 'the resolved protection section' },
      },
    },
    platform: { kind: 'object', allowed: 'the platform environment: PlatformEnvironment.join(stack, ...)' },
  });
  const issues = new IssueCollector();
  const { spec, platform } = props;
  if (platform.environment !== spec.environment.name) {
    issues.add(
      'props.platform',
      platform.environment,
      `the environment the spec joins (${spec.environment.name}): join it with the spec's environment`,
    );
  }
  if (spec.environment.azure === undefined) {
    issues.add(
      'props.spec.environment.azure',
      spec.environment.azure,
      'the Azure location of the platform environment: declare environment.azure ({ location }) to deploy to Azure',
    );
  }
  const stack = TerraformStack.of(scope);
  if (TerraformStack.of(platform) !== stack) {
    issues.add(
      'props.platform',
      platform.node.path,
      `a platform environment joined in this application's stack (${stack.node.path}): a value read in another stack would travel through remote state`,
    );
  }
  if (stack instanceof PlatformStack && stack.tier !== spec.environment.tier) {
    issues.add(
      'props.spec.environment.tier',
      spec.environment.tier,
      `the tier of the stack (${stack.tier}), which decided its protection and rules`,
    );
  }
  issues.throwIfAny(`Invalid Application props (${scope.node.path})`);
}
