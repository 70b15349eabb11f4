import * as containerApp from '@cdktf/provider-azurerm/lib/container-app';
import * as diagnosticSetting from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import type * as roleAssignment from '@cdktf/provider-azurerm/lib/role-assignment';
import type * as identity from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { Fn, Token } from 'cdktf';
import { Construct } from 'constructs';
import {
  containerSizeProblem,
  ENVIRONMENT_NAME_PATTERN,
  IssueCollector,
  makeName,
  parseImageReference,
  type ImageSource,
  type ServiceSpec,
} from '../core';
import { CONSUMPTION_WORKLOAD_PROFILE } from './container-apps-environment';
import { addServiceAlarms } from './container-service-alarms';
import { DIAGNOSTIC_SETTING_NAME } from './diagnostics';
import type { IMonitoring } from './monitoring';
import type { IResourceGroup } from './network';
import { addWorkloadIdentity } from './workload-identity';

/** Props of {@link ContainerService}. */
export interface ContainerServiceProps {
  /** One resolved service definition (`services[i]` of the environment): image, size, port, counts, secrets. */
  readonly spec: ServiceSpec;
  /** The environment name; it goes into the resource names (`ca-<env>-<name>`, `id-<env>-<name>`). */
  readonly environment: string;
  /** The resource group to create the app and its identity in; its location is theirs. */
  readonly resourceGroup: IResourceGroup;
  /**
   * Short code of the location. The service's names leave it out (a container app's name is also its host name
   * inside the environment), so it is accepted for symmetry with the other constructs only.
   * @default - unused
   */
  readonly locationCode?: string;
  /** The Container Apps environment the app runs in (`ContainerAppsEnvironment.id`). */
  readonly containerAppsEnvironmentId: string;
  /**
   * The environment's monitoring: the default alerts, a workbook section, and a diagnostic setting sending the
   * app's metrics to its workspace (the workbook charts read them there).
   * @default - no alerts and no diagnostic setting
   */
  readonly monitoring?: IMonitoring;
  /**
   * The Key Vault holding the secrets `spec.secrets` names (the environment's `azure.keyVaultId`); the app's
   * identity gets "Key Vault Secrets User" on it. The vault must use Azure RBAC authorization.
   * @default - none; required when `spec.secrets` is not empty
   */
  readonly keyVaultId?: string;
}

/** The DNS suffix of Key Vault in Azure's public cloud. */
const KEY_VAULT_DNS_SUFFIX = 'vault.azure.net';

/** Probe timing shared by the liveness, readiness and startup probes. */
const PROBE_INTERVAL_SECONDS = 10;
const PROBE_TIMEOUT_SECONDS = 5;
/** Startup gets 30 x 10 seconds (5 minutes) before the container is restarted; liveness starts after it. */
const STARTUP_FAILURES = 30;

/** The most replicas a container app runs (Azure Container Apps' limit). */
export const MAX_CONTAINER_APP_REPLICAS = 1000;

/** A container app secret name: lowercase letters, digits and hyphens, starting and ending with a letter or digit. */
const CONTAINER_APP_SECRET_NAME = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

/** A service name, as the spec takes it: it is also the container's name. */
const SERVICE_NAME = /^[a-z](?:[a-z0-9]|-(?!-)){0,18}[a-z0-9]$/;

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
  return {
    containerApp: makeName('azureContainerApp', ['ca', ...words]),
    // A user-assigned identity takes 3-128 letters, digits, hyphens and underscores: the Linux VM rule (2-64,
    // lowercase letters, digits and hyphens, starting with a letter) is the nearest one named, and stricter.
    identity: makeName('azureLinuxVirtualMachine', ['id', ...words]),
  };
}

/** The image Azure runs: the reference, or for a Dockerfile directory the pushed `azureReference`; pure. */
export function azureImageOf(image: ImageSource): string {
  return 'reference' in image ? image.reference : image.azureReference;
}

/** The Azure Container Registry an image is pulled from (`myacr.azurecr.io`), or undefined for other registries; pure. */
export function azureContainerRegistryOf(image: ImageSource): string | undefined {
  const parsed = parseImageReference(azureImageOf(image));
  if (typeof parsed === 'string' || parsed.registry === undefined) return undefined;
  return parsed.registry.toLowerCase().endsWith('.azurecr.io') ? parsed.registry.toLowerCase() : undefined;
}

/**
 * The vault URI of a Key Vault resource ID, `https://<vault name>.vault.azure.net` (the name lowercased, as DNS
 * holds it); from a token, the name is cut out at apply time.
 */
export function keyVaultUriOf(keyVaultId: string): string {
  const name = Token.isUnresolved(keyVaultId)
    ? Fn.lower(Fn.element(Fn.split('/', keyVaultId), 8))
    : (keyVaultId.split('/').pop() ?? '').toLowerCase();
  return `https://${name}.${KEY_VAULT_DNS_SUFFIX}`;
}

/** The app secret name of a Key Vault secret name: lowercased (Key Vault names ignore case, app secrets refuse capitals). */
export function appSecretNameOf(secretName: string): string {
  return secretName.toLowerCase();
}

/**
 * One app secret per Key Vault secret the spec names (once, however many variables use it), each a versionless
 * Key Vault reference read with the app's identity, so a new secret version reaches the app without a deploy; pure.
 */
export function renderContainerAppSecrets(
  secrets: Readonly<Record<string, string>>,
  keyVaultId: string,
  identityId: string,
): containerApp.ContainerAppSecret[] {
  const byName = new Map<string, string>();
  for (const secretName of Object.values(secrets)) {
    if (!byName.has(appSecretNameOf(secretName))) byName.set(appSecretNameOf(secretName), secretName);
  }
  const uri = keyVaultUriOf(keyVaultId);
  return [...byName.keys()].sort().map((name) => ({
    name,
    keyVaultSecretId: `${uri}/secrets/${byName.get(name)!}`,
    identity: identityId,
  }));
}

/** The container's environment: the plain variables, then each secret by `secret_name`, both sorted by name; pure. */
export function renderContainerEnv(
  spec: Pick<ServiceSpec, 'environment' | 'secrets'>,
): containerApp.ContainerAppTemplateContainerEnv[] {
  const sorted = (record: Readonly<Record<string, string>>): [string, string][] =>
    Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return [
    ...sorted(spec.environment).map(([name, value]) => ({ name, value })),
    ...sorted(spec.secrets).map(([name, secretName]) => ({ name, secretName: appSecretNameOf(secretName) })),
  ];
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
        name: spec.name,
        image: azureImageOf(spec.image),
        cpu: spec.cpu,
        memory: `${spec.memoryGiB}Gi`,
        env: renderContainerEnv(spec),
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
  const registry = azureContainerRegistryOf(spec.image);
  const hasSecrets = Object.keys(spec.secrets).length > 0;
  return {
    // ForceNew: name, resource_group_name and container_app_environment_id; a change to any replaces the app.
    name: names.containerApp,
    resourceGroupName: props.resourceGroup.name,
    containerAppEnvironmentId: props.containerAppsEnvironmentId,
    // Azure reads it back as "Consumption" in a workload-profiles environment; naming it keeps plans empty.
    workloadProfileName: CONSUMPTION_WORKLOAD_PROFILE,
    // One revision at a time: a change starts a new revision and moves all traffic once it is ready.
    revisionMode: 'Single',
    identity: { type: 'UserAssigned', identityIds: [identityId] },
    ingress: {
      // Public: through the environment's external load balancer; otherwise only from the environment's apps.
      externalEnabled: spec.public,
      targetPort: spec.port,
      allowInsecureConnections: false,
      transport: 'auto',
      trafficWeight: [{ latestRevision: true, percentage: 100 }],
    },
    ...(hasSecrets &&
      props.keyVaultId !== undefined && {
        secret: renderContainerAppSecrets(spec.secrets, props.keyVaultId, identityId),
      }),
    // Pulled with the app's identity, which needs AcrPull on that registry; other registries anonymously.
    ...(registry !== undefined && { registry: [{ server: registry, identity: identityId }] }),
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
 *   monitoring, keyVaultId: env.azure.keyVaultId,
 * });
 */
export class ContainerService extends Construct {
  /** The container app. */
  public readonly containerApp: containerApp.ContainerApp;
  /** The identity the app runs as: it reads the Key Vault secrets and pulls from Azure Container Registry. */
  public readonly identity: identity.UserAssignedIdentity;
  /** "Key Vault Secrets User" for the identity on the Key Vault, when the service has secrets. */
  public readonly keyVaultAccess?: roleAssignment.RoleAssignment;
  /** The diagnostic setting sending the app's metrics to the workspace, when monitoring is given. */
  public readonly diagnosticSetting?: diagnosticSetting.MonitorDiagnosticSetting;
  /** The names of what the service creates; the container app's name is its host name inside the environment. */
  public readonly names: ContainerServiceNames;

  constructor(scope: Construct, id: string, props: ContainerServiceProps) {
    super(scope, id);
    validateContainerServiceProps(props);
    const names = renderContainerServiceNames(props);
    this.names = names;
    const rg = props.resourceGroup;

    const access = addWorkloadIdentity(this, {
      name: names.identity,
      resourceGroup: rg,
      secrets: props.spec.secrets,
      ...(props.keyVaultId !== undefined && { keyVaultId: props.keyVaultId }),
      reader: names.containerApp,
    });
    this.identity = access.identity;
    if (access.keyVaultAccess) this.keyVaultAccess = access.keyVaultAccess;

    this.containerApp = new containerApp.ContainerApp(this, 'Resource', {
      ...renderContainerAppConfig(props, names, this.identity.id),
      // Azure resolves the Key Vault references when it creates the revision: the role must exist by then.
      ...(this.keyVaultAccess && { dependsOn: [this.keyVaultAccess] }),
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
  const { spec } = props;
  if (!ENVIRONMENT_NAME_PATTERN.test(props.environment)) {
    issues.add(
      'environment',
      props.environment,
      'an environment name: 2-12 lowercase letters, digits and single hyphens, such as prod',
    );
  }
  if (!SERVICE_NAME.test(spec.name)) {
    issues.add(
      'spec.name',
      spec.name,
      'a kebab-case name of 2-20 lowercase letters, digits and single hyphens, such as api',
    );
  }
  const size = containerSizeProblem(spec.cpu, spec.memoryGiB);
  if (size) issues.add('spec.memoryGiB', { cpu: spec.cpu, memoryGiB: spec.memoryGiB }, size);
  if (!Number.isInteger(spec.port) || spec.port < 1 || spec.port > 65535) {
    issues.add('spec.port', spec.port, 'a port from 1 to 65535');
  }
  if (!/^\/\S*$/.test(spec.healthCheckPath)) {
    issues.add('spec.healthCheckPath', spec.healthCheckPath, 'an absolute URL path such as /healthz');
  }
  if (!Number.isInteger(spec.minCount) || spec.minCount < 1 || spec.minCount > MAX_CONTAINER_APP_REPLICAS) {
    issues.add('spec.minCount', spec.minCount, `a whole number of replicas from 1 to ${MAX_CONTAINER_APP_REPLICAS}`);
  }
  if (!Number.isInteger(spec.maxCount) || spec.maxCount < spec.minCount || spec.maxCount > MAX_CONTAINER_APP_REPLICAS) {
    issues.add(
      'spec.maxCount',
      spec.maxCount,
      `a whole number of replicas from minCount (${spec.minCount}) to ${MAX_CONTAINER_APP_REPLICAS}`,
    );
  }
  const image = azureImageOf(spec.image);
  const parsed = parseImageReference(image);
  if (typeof parsed === 'string') {
    issues.add('reference' in spec.image ? 'spec.image' : 'spec.image.azureReference', image, parsed);
  }
  const { concurrentRequests, cpuPercent, memoryPercent } = spec.autoscaling;
  if (concurrentRequests !== undefined && (!Number.isInteger(concurrentRequests) || concurrentRequests < 1)) {
    issues.add('spec.autoscaling.concurrentRequests', concurrentRequests, 'a whole number of requests, at least 1');
  }
  for (const [key, percent] of [
    ['cpuPercent', cpuPercent],
    ['memoryPercent', memoryPercent],
  ] as const) {
    if (percent !== undefined && (!Number.isInteger(percent) || percent < 1 || percent > 100)) {
      issues.add(`spec.autoscaling.${key}`, percent, 'a whole percentage from 1 to 100');
    }
  }
  for (const [variable, secretName] of Object.entries(spec.secrets)) {
    if (!CONTAINER_APP_SECRET_NAME.test(appSecretNameOf(secretName))) {
      issues.add(
        `spec.secrets.${variable}`,
        secretName,
        'a secret name of letters, digits and hyphens that starts and ends with a letter or digit (a container app secret name)',
      );
    }
    if (variable in spec.environment) {
      issues.add(`spec.secrets.${variable}`, variable, 'a variable that is not also in environment');
    }
  }
  if (Object.keys(spec.secrets).length > 0 && props.keyVaultId === undefined) {
    issues.add(
      'keyVaultId',
      props.keyVaultId,
      `the ID of the Key Vault holding the secrets ${Object.values(spec.secrets).join(', ')} (the environment's azure.keyVaultId)`,
    );
  }
  if (
    props.keyVaultId !== undefined &&
    !Token.isUnresolved(props.keyVaultId) &&
    !/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.KeyVault\/vaults\/[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/i.test(
      props.keyVaultId,
    )
  ) {
    issues.add(
      'keyVaultId',
      props.keyVaultId,
      'a Key Vault resource ID: /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.KeyVault/vaults/<name>',
    );
  }
  if (!Token.isUnresolved(props.containerAppsEnvironmentId) && props.containerAppsEnvironmentId.trim() === '') {
    issues.add(
      'containerAppsEnvironmentId',
      props.containerAppsEnvironmentId,
      'the ID of a Container Apps environment',
    );
  }
  issues.throwIfAny(`Invalid ContainerService props (${spec.name})`);
}
