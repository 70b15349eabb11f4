import type * as containerApp from '@cdktf/provider-azurerm/lib/container-app';
import type * as roleAssignment from '@cdktf/provider-azurerm/lib/role-assignment';
import type * as identity from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { Token, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import {
  ENVIRONMENT_NAME_PATTERN,
  type IssueCollector,
  type LimitProblem,
  makeName,
  parseImageReference,
  type ImageSource,
  type PropRules,
  type WorkloadSpec,
} from '../core';
import { CONSUMPTION_WORKLOAD_PROFILE } from './container-apps-environment';
import { ENVIRONMENT_PROP, LOCATION_CODE_PROP, MONITORING_PROP, RESOURCE_GROUP_PROP } from './construct-props';
import type { IKeyVault, IResourceGroup } from './interfaces';
import { isKeyVaultId, KEY_VAULT_ID_RULE } from './key-vault';
import { addWorkloadIdentity } from './workload-identity';

// The container definition container services (container-service.ts) and scheduled jobs (scheduled-job.ts) share:
// the image and the registry it is pulled from, the identity it runs as, the variables and Key Vault secrets, the
// CPU and memory, and the checks of all of these. A container app and a Container Apps job take the same blocks
// (the provider's job types have the same shape as the app's), so one rendering serves both.

/** The props every container workload takes, service or job. */
export interface ContainerWorkloadProps {
  /** The workload's resolved definition: name, image, size, variables and secrets. */
  readonly spec: WorkloadSpec;
  /** The environment name; it goes into the resource names (`ca-<env>-<name>`, `id-<env>-<name>`, ...). */
  readonly environment: string;
  /** The resource group to create the workload and its identity in; its location is theirs. */
  readonly resourceGroup: IResourceGroup;
  /** The Container Apps environment the workload runs in (`ContainerAppsEnvironment.id`). */
  readonly containerAppsEnvironmentId: string;
  /**
   * The Key Vault holding the secrets `spec.secrets` names (the environment's `azure.keyVaultId`, imported with
   * `KeyVault.fromKeyVaultId`); the workload's identity gets "Key Vault Secrets User" on it. The vault must use
   * Azure RBAC authorization.
   * @default - none; required when `spec.secrets` is not empty
   */
  readonly keyVault?: IKeyVault;
}

/**
 * The prop rules (`checkProps`) of a container service or scheduled job: the props they share, the spec's fields
 * the construct reads before its own checks, and `monitoring`; pure.
 * @param section the spec section the workload comes from, for the message (`services` or `jobs`)
 */
export function containerWorkloadPropRules(section: 'services' | 'jobs'): PropRules {
  return {
    spec: {
      kind: 'object',
      allowed: `the resolved workload: defineEnvironment(...).${section}[i] (or defineApplication(...).${section}[i])`,
      fields: {
        name: { kind: 'string', allowed: 'the workload name' },
        image: { kind: 'object', allowed: 'the image: { reference } or a Dockerfile directory with azureReference' },
        environment: { kind: 'object', allowed: 'the plain variables, name to value' },
        secrets: { kind: 'object', allowed: 'the Key Vault secrets, variable to secret name' },
      },
    },
    environment: ENVIRONMENT_PROP,
    resourceGroup: RESOURCE_GROUP_PROP,
    containerAppsEnvironmentId: {
      kind: 'string',
      allowed: 'the ID of the Container Apps environment (ContainerAppsEnvironment.id)',
    },
    keyVault: {
      kind: 'object',
      optional: true,
      allowed: 'the Key Vault holding the secrets: KeyVault.fromKeyVaultId(...)',
      fields: {
        keyVaultId: { kind: 'string', allowed: 'the Key Vault resource ID' },
        vaultUri: { kind: 'string', allowed: 'the vault URI, https://<name>.vault.azure.net' },
      },
    },
    locationCode: LOCATION_CODE_PROP,
    monitoring: MONITORING_PROP,
  };
}

/** The attributes of a container app that a Container Apps job has too, in the same shape. */
export type WorkloadConfig = Pick<
  containerApp.ContainerAppConfig,
  'resourceGroupName' | 'containerAppEnvironmentId' | 'workloadProfileName' | 'identity' | 'secret' | 'registry'
>;

/** The container of a container app or job, without the probes only services have. */
export type WorkloadContainer = Pick<
  containerApp.ContainerAppTemplateContainer,
  'name' | 'image' | 'cpu' | 'memory' | 'env'
>;

/** A container app secret name: lowercase letters, digits and hyphens, starting and ending with a letter or digit. */
const CONTAINER_APP_SECRET_NAME = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

/** A workload name, as the spec takes it: it is also the container's name. */
const WORKLOAD_NAME = /^[a-z](?:[a-z0-9]|-(?!-)){0,18}[a-z0-9]$/;

/** A Container Apps environment's resource ID. */
const CONTAINER_APPS_ENVIRONMENT_ID =
  /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.App\/managedEnvironments\/[^/]+$/i;

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

/** The app secret name of a Key Vault secret name: lowercased (Key Vault names ignore case, app secrets refuse capitals). */
export function appSecretNameOf(secretName: string): string {
  return secretName.toLowerCase();
}

/**
 * The name of a workload's user-assigned identity: `id-<words>`. An identity takes 3-128 letters, digits, hyphens
 * and underscores: the Linux VM rule (2-64, lowercase letters, digits and hyphens, starting with a letter) is the
 * nearest one named, and stricter; pure.
 */
export function workloadIdentityName(words: readonly string[]): string {
  return makeName('azureLinuxVirtualMachine', ['id', ...words]);
}

/**
 * One app secret per Key Vault secret the spec names (once, however many variables use it), each a versionless
 * Key Vault reference read with the workload's identity, so a new secret version reaches it without a deploy; pure.
 */
export function renderContainerAppSecrets(
  secrets: Readonly<Record<string, string>>,
  keyVault: IKeyVault,
  identityId: string,
): containerApp.ContainerAppSecret[] {
  const byName = new Map<string, string>();
  for (const secretName of Object.values(secrets)) {
    if (!byName.has(appSecretNameOf(secretName))) byName.set(appSecretNameOf(secretName), secretName);
  }
  return [...byName.keys()].sort().map((name) => ({
    name,
    keyVaultSecretId: `${keyVault.vaultUri}/secrets/${byName.get(name)!}`,
    identity: identityId,
  }));
}

/** The container's environment: the plain variables, then each secret by `secret_name`, both sorted by name; pure. */
export function renderContainerEnv(
  spec: Pick<WorkloadSpec, 'environment' | 'secrets'>,
): containerApp.ContainerAppTemplateContainerEnv[] {
  const sorted = (record: Readonly<Record<string, string>>): [string, string][] =>
    Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return [
    ...sorted(spec.environment).map(([name, value]) => ({ name, value })),
    ...sorted(spec.secrets).map(([name, secretName]) => ({ name, secretName: appSecretNameOf(secretName) })),
  ];
}

/**
 * The workload's container: named after the workload, the image Azure runs, its CPU and memory, and its
 * variables and secrets. `env` is left out when there are none unless `listEmptyEnv` (container apps have always
 * listed it, and their synthesized output stays as it was); pure.
 */
export function renderWorkloadContainer(
  spec: WorkloadSpec,
  options: { readonly listEmptyEnv: boolean },
): WorkloadContainer {
  const hasEnv = Object.keys(spec.environment).length + Object.keys(spec.secrets).length > 0;
  return {
    name: spec.name,
    image: azureImageOf(spec.image),
    cpu: spec.cpu,
    memory: `${spec.memoryGiB}Gi`,
    ...((hasEnv || options.listEmptyEnv) && { env: renderContainerEnv(spec) }),
  };
}

/**
 * The attributes a container app and a Container Apps job share: where it runs (the resource group, the Container
 * Apps environment and its Consumption profile), the user-assigned identity it runs as, which reads its Key Vault
 * secrets and pulls from an Azure Container Registry (`*.azurecr.io`; other registries anonymously); pure.
 */
export function renderWorkloadConfig(
  props: Pick<ContainerWorkloadProps, 'spec' | 'keyVault' | 'resourceGroup' | 'containerAppsEnvironmentId'>,
  identityId: string,
): WorkloadConfig {
  const { spec, keyVault } = props;
  const registry = azureContainerRegistryOf(spec.image);
  return {
    // ForceNew, like the name (and a job's location): a change to any replaces the app or job.
    resourceGroupName: props.resourceGroup.name,
    containerAppEnvironmentId: props.containerAppsEnvironmentId,
    // Azure reads it back as "Consumption" in a workload-profiles environment; naming it keeps plans empty.
    workloadProfileName: CONSUMPTION_WORKLOAD_PROFILE,
    identity: { type: 'UserAssigned', identityIds: [identityId] },
    ...(Object.keys(spec.secrets).length > 0 &&
      keyVault !== undefined && { secret: renderContainerAppSecrets(spec.secrets, keyVault, identityId) }),
    // Pulled with the workload's identity, which needs AcrPull on that registry; other registries anonymously.
    ...(registry !== undefined && { registry: [{ server: registry, identity: identityId }] }),
  };
}

/**
 * Records the problems of the workload limits (`serviceProblems` or `jobProblems` of lib/core/workload-limits.ts, the
 * numbers and words the spec uses) under `spec.`, so that a construct given props directly refuses what the spec
 * would refuse, naming the same fields.
 */
export function addLimitProblems(issues: IssueCollector, problems: readonly LimitProblem[]): void {
  for (const problem of problems) issues.add(`spec.${problem.path}`, problem.value, problem.allowed);
}

/**
 * Records every problem of what only Azure checks in the props services and jobs share: the environment and
 * workload names, the image Azure runs, the secret names a container app takes, a Key Vault to read them from, and
 * the IDs of the Key Vault and the Container Apps environment. The limits of the workload itself (size, variables,
 * counts, schedule) are the spec's, checked with {@link addLimitProblems}.
 */
export function checkContainerWorkloadProps(props: ContainerWorkloadProps, issues: IssueCollector): void {
  const { spec, keyVault } = props;
  if (!ENVIRONMENT_NAME_PATTERN.test(props.environment)) {
    issues.add(
      'environment',
      props.environment,
      'an environment name: 2-12 lowercase letters, digits and single hyphens, such as prod',
    );
  }
  if (!WORKLOAD_NAME.test(spec.name)) {
    issues.add('spec.name', spec.name, 'a kebab-case name of 2-20 lowercase letters, digits and single hyphens');
  }
  const image = azureImageOf(spec.image);
  const parsed = parseImageReference(image);
  if (typeof parsed === 'string') {
    issues.add('reference' in spec.image ? 'spec.image' : 'spec.image.azureReference', image, parsed);
  }
  for (const [variable, secretName] of Object.entries(spec.secrets)) {
    if (!CONTAINER_APP_SECRET_NAME.test(appSecretNameOf(secretName))) {
      issues.add(
        `spec.secrets.${variable}`,
        secretName,
        'a secret name of letters, digits and hyphens that starts and ends with a letter or digit (a container app secret name)',
      );
    }
  }
  if (Object.keys(spec.secrets).length > 0 && keyVault === undefined) {
    issues.add(
      'keyVault',
      keyVault,
      `the Key Vault holding the secrets ${Object.values(spec.secrets).join(', ')} (the environment's azure.keyVaultId)`,
    );
  }
  if (keyVault !== undefined && !isKeyVaultId(keyVault.keyVaultId)) {
    issues.add('keyVault.keyVaultId', keyVault.keyVaultId, KEY_VAULT_ID_RULE);
  }
  if (
    !Token.isUnresolved(props.containerAppsEnvironmentId) &&
    !CONTAINER_APPS_ENVIRONMENT_ID.test(props.containerAppsEnvironmentId)
  ) {
    issues.add(
      'containerAppsEnvironmentId',
      props.containerAppsEnvironmentId,
      'a Container Apps environment resource ID (/subscriptions/.../providers/Microsoft.App/managedEnvironments/<name>)',
    );
  }
}

/**
 * What a container service and a scheduled job are both made of: the user-assigned identity the workload runs as
 * (id `Identity`), and "Key Vault Secrets User" for it on the Key Vault when it names secrets (id
 * `KeyVaultSecretsUser`). The subclass creates the container app or job itself, after them.
 */
export abstract class ContainerWorkload<Names extends { readonly identity: string }> extends Construct {
  /** The identity the workload runs as: it reads the Key Vault secrets and pulls from Azure Container Registry. */
  public readonly identity: identity.UserAssignedIdentity;
  /** "Key Vault Secrets User" for the identity on the Key Vault, when the workload has secrets. */
  public readonly keyVaultAccess?: roleAssignment.RoleAssignment;
  /** The names of what the workload creates. */
  public readonly names: Names;

  /**
   * @param props the validated props
   * @param names the names of what the workload creates, among them its identity's
   * @param reader the name of the app or job that reads the secrets, for the role assignment's description
   */
  protected constructor(scope: Construct, id: string, props: ContainerWorkloadProps, names: Names, reader: string) {
    super(scope, id);
    this.names = names;
    const access = addWorkloadIdentity(this, {
      name: names.identity,
      resourceGroup: props.resourceGroup,
      secrets: props.spec.secrets,
      ...(props.keyVault !== undefined && { keyVault: props.keyVault }),
      reader,
    });
    this.identity = access.identity;
    if (access.keyVaultAccess) this.keyVaultAccess = access.keyVaultAccess;
  }

  /**
   * The `dependsOn` of the app or job: Azure resolves the Key Vault references when it creates a revision or a
   * job, so the role assignment must exist by then.
   */
  protected get afterKeyVaultAccess(): { dependsOn?: ITerraformDependable[] } {
    return this.keyVaultAccess ? { dependsOn: [this.keyVaultAccess] } : {};
  }
}
