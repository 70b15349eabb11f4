import * as containerApp from '@cdktf/provider-azurerm/lib/container-app';
import * as diagnosticSetting from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import type { Construct } from 'constructs';
import { checkProps, IssueCollector, makeName, serviceProblems, type ServiceSpec } from '../core';
import { pathUnder } from './construct-props';
import {
  addLimitProblems,
  checkContainerWorkloadProps,
  ContainerWorkload,
  containerWorkloadPropRules,
  renderWorkloadContainer,
  renderWorkloadConfig,
  workloadIdentityName,
  type ContainerWorkloadProps,
} from './container-definition';
import { addServiceAlarms } from './container-service-alarms';
import { DIAGNOSTIC_SETTING_NAME } from './diagnostics';
import type { IMonitoring } from './interfaces';

/** Props of {@link ContainerService}. */
export interface ContainerServiceProps extends ContainerWorkloadProps {
  /** One resolved service definition (`services[i]` of the environment): image, size, port, counts, secrets. */
  readonly spec: ServiceSpec;
  /**
   * Short code of the location. The service's names leave it out (a container app's name is also its host name
   * inside the environment), so it is accepted for symmetry with the other constructs only.
   * @default - unused
   */
  readonly locationCode?: string;
  /**
   * The environment's monitoring: the default alerts, a workbook section, and a diagnostic setting sending the
   * app's metrics to its workspace (the workbook charts read them there).
   * @default - no alerts and no diagnostic setting
   */
  readonly monitoring?: IMonitoring;
}

/** Probe timing shared by the liveness, readiness and startup probes. */
const PROBE_INTERVAL_SECONDS = 10;
const PROBE_TIMEOUT_SECONDS = 5;
/** Startup gets 30 x 10 seconds (5 minutes) before the container is restarted; liveness starts after it. */
const STARTUP_FAILURES = 30;

/** The names of everything the service creates. */
export interface ContainerServiceNames {
  /** The container app: `ca-<env>-<name>` (2-32 characters; a longer one is shortened with a hash). */
  readonly containerApp: string;
  /** Its user-assigned identity: `id-<env>-<name>`. */
  readonly identity: string;
}

/** Names the service's resources, within Azure's limits; pure. */
export function renderContainerServiceNames(
  props: Pick<ContainerServiceProps, 'spec' | 'environment'>,
): ContainerServiceNames {
  const words = [props.environment, props.spec.name];
  return { containerApp: makeName('azureContainerApp', ['ca', ...words]), identity: workloadIdentityName(words) };
}

/** The scale rules: concurrent HTTP requests, CPU and memory utilization, each when the spec gives a target; pure. */
export function renderScaleRules(
  autoscaling: ServiceSpec['autoscaling'],
): Pick<containerApp.ContainerAppTemplate, 'httpScaleRule' | 'customScaleRule'> {
  const utilization = (
    kind: 'cpu' | 'memory',
    percent: number | undefined,
  ): containerApp.ContainerAppTemplateCustomScaleRule[] =>
    percent === undefined
      ? []
      : [{ name: kind, customRuleType: kind, metadata: { type: 'Utilization', value: String(percent) } }];
  const custom = [...utilization('cpu', autoscaling.cpuPercent), ...utilization('memory', autoscaling.memoryPercent)];
  return {
    ...(autoscaling.concurrentRequests !== undefined && {
      httpScaleRule: [{ name: 'http-requests', concurrentRequests: String(autoscaling.concurrentRequests) }],
    }),
    ...(custom.length > 0 && { customScaleRule: custom }),
  };
}

/** The template: replica bounds, the one container with its probes, and the scale rules; pure. */
export function renderContainerAppTemplate(spec: ServiceSpec): containerApp.ContainerAppTemplate {
  const http = { transport: 'HTTP', port: spec.port, path: spec.healthCheckPath };
  const timing = { intervalSeconds: PROBE_INTERVAL_SECONDS, timeout: PROBE_TIMEOUT_SECONDS };
  return {
    minReplicas: spec.minCount,
    maxReplicas: spec.maxCount,
    container: [
      {
        ...renderWorkloadContainer(spec, { listEmptyEnv: true }),
        // A hung replica is restarted, one that is not ready gets no traffic, and a slow start is given
        // 5 minutes before liveness takes over.
        livenessProbe: [{ ...http, ...timing, failureCountThreshold: 3 }],
        readinessProbe: [{ ...http, ...timing, failureCountThreshold: 3, successCountThreshold: 1 }],
        startupProbe: [{ ...http, ...timing, failureCountThreshold: STARTUP_FAILURES }],
      },
    ],
    ...renderScaleRules(spec.autoscaling),
  };
}

/** Maps the props to the provider's container app config, given the identity it runs as; pure. */
export function renderContainerAppConfig(
  props: ContainerServiceProps,
  names: ContainerServiceNames,
  identityId: string,
): containerApp.ContainerAppConfig {
  const { spec } = props;
  return {
    ...renderWorkloadConfig(props, identityId),
    name: names.containerApp,
    // One revision at a time: a change starts a new revision and moves all traffic once it is ready.
    revisionMode: 'Single',
    ingress: {
      // Public: through the environment's external load balancer; otherwise only from the environment's apps.
      externalEnabled: spec.public,
      targetPort: spec.port,
      allowInsecureConnections: false,
      transport: 'auto',
      trafficWeight: [{ latestRevision: true, percentage: 100 }],
    },
    template: renderContainerAppTemplate(spec),
  };
}

/**
 * One long-running container service on Azure Container Apps: a container app in the environment's Container
 * Apps environment, running as its own user-assigned identity, with `spec.minCount` to `spec.maxCount` replicas.
 *
 * - Ingress on `spec.port`, HTTPS only (HTTP is refused, not redirected), all traffic to the latest revision.
 *   A public service (`spec.public`) is reachable from the Internet through the environment's external load
 *   balancer; any other only from the apps of the same environment.
 * - Liveness, readiness and startup probes request `spec.healthCheckPath` over HTTP on `spec.port`.
 * - Scale rules for concurrent HTTP requests, CPU and memory utilization, each when `spec.autoscaling` gives it.
 * - The image, identity, variables, secrets and size are rendered and checked as for a scheduled job
 *   (`container-definition.ts`), the limits (size, port, 1-100 replicas, autoscaling targets 10-95 percent) as the
 *   spec checks them (`serviceProblems` of lib/core).
 * - Secrets: each `spec.secrets` entry is an app secret referring to the Key Vault secret of that name
 *   (versionless, so new versions are picked up without a deploy), read with the app's identity, which gets
 *   "Key Vault Secrets User" on the vault; the variable refers to it by `secret_name`, so no value is in the app.
 *   Role assignments take a few minutes to reach Key Vault: a first deployment may need a retry.
 * - Images from an Azure Container Registry (`*.azurecr.io`) are pulled with the app's identity; grant it
 *   AcrPull on that registry (the registry's ID is not in the spec, so this construct cannot). Images from other
 *   registries are pulled anonymously, so they must be public.
 *
 * With `monitoring`: the default alerts (`container-service-alarms.ts`), a workbook section, and a diagnostic
 * setting sending the app's metrics to the workspace.
 *
 * @example
 * new ContainerService(stack, 'service-api', {
 *   spec: env.services[0], environment: env.name, resourceGroup: rg, containerAppsEnvironmentId: apps.id,
 *   monitoring, keyVault: KeyVault.fromKeyVaultId(env.azure.keyVaultId),
 * });
 */
export class ContainerService extends ContainerWorkload<ContainerServiceNames> {
  /** The container app. */
  public readonly containerApp: containerApp.ContainerApp;
  /** The diagnostic setting sending the app's metrics to the workspace, when monitoring is given. */
  public readonly diagnosticSetting?: diagnosticSetting.MonitorDiagnosticSetting;
  constructor(scope: Construct, id: string, props: ContainerServiceProps) {
    checkProps('ContainerService', pathUnder(scope, id), props, containerWorkloadPropRules('services'));
    validateContainerServiceProps(props);
    const names = renderContainerServiceNames(props);
    // The container app's name is its host name inside the environment.
    super(scope, id, props, names, names.containerApp);
    this.containerApp = new containerApp.ContainerApp(this, 'Resource', {
      ...renderContainerAppConfig(props, names, this.identity.id),
      ...this.afterKeyVaultAccess,
    });

    const monitoring = props.monitoring;
    if (monitoring) {
      // Read once: each read of a provider attribute is a new token, with a stack trace cdktf records.
      const containerAppId = this.containerApp.id;
      // The id SendDiagnostics would give it; container apps send metrics only (their logs go through the
      // environment).
      this.diagnosticSetting = new diagnosticSetting.MonitorDiagnosticSetting(this, 'Resource-diagnostics', {
        name: DIAGNOSTIC_SETTING_NAME,
        targetResourceId: containerAppId,
        logAnalyticsWorkspaceId: monitoring.workspaceId,
        enabledMetric: [{ category: 'AllMetrics' }],
      });
      addServiceAlarms(
        this,
        {
          name: props.spec.name,
          containerAppId,
          containerAppName: names.containerApp,
          cpu: props.spec.cpu,
          memoryGiB: props.spec.memoryGiB,
          minCount: props.spec.minCount,
        },
        monitoring,
      );
    }
  }
}

function validateContainerServiceProps(props: ContainerServiceProps): void {
  const issues = new IssueCollector();
  checkContainerWorkloadProps(props, issues);
  // Size, variables, port, health check path, replica counts and autoscaling targets: the spec's limits.
  addLimitProblems(issues, serviceProblems(props.spec));
  issues.throwIfAny(`Invalid ContainerService props (${props.spec.name})`);
}
