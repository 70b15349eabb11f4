import * as provider from '@cdktf/provider-azurerm/lib/provider';
import { AzurermBackend, LocalBackend, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { checkProps, IssueCollector, TIERS, type AzureBackend, type Tier } from '../core';
import { PolicyChecks } from './policy';
import { RetainStatefulResources } from './protection';
import { DATA_SAFE_FEATURES, localStatePath, REQUIRED_TERRAFORM_VERSION } from './provider';

/** Where a {@link PlatformStack} keeps its Terraform state: a blob in an Azure Storage account. */
export interface PlatformStackBackend extends Omit<AzureBackend, 'key'> {
  /**
   * The state blob's name, ending in `.tfstate`.
   * @default - `<stack id>.tfstate`
   */
  readonly key?: string;
}

/** Props of {@link PlatformStack}. */
export interface PlatformStackProps {
  /**
   * The tier of the environment the stack deploys to (`defineApplication(...).environment.tier`). It decides the
   * stack's protection: in production every resource that holds data gets `lifecycle.prevent_destroy`, the
   * production rules of the rule pack apply, and state must be kept in Azure Storage.
   */
  readonly tier: Tier;
  /**
   * The Azure subscription the provider deploys to.
   * @default - the one the Azure CLI or the ARM_SUBSCRIPTION_ID environment variable selects
   */
  readonly subscriptionId?: string;
  /**
   * Keep Terraform state in Azure Storage (the azurerm backend, with Entra ID authentication). Required for a
   * production-tier stack.
   * @default - local state in `terraform.<stack id>.tfstate` at the project root (development tier only)
   */
  readonly backend?: PlatformStackBackend;
  /**
   * The TCP ports network security rules of this stack may open to the Internet, as the rule pack checks them
   * (`declaredPublicPorts`). Container apps are published through the platform's Container Apps environment and
   * need none.
   * @default - none
   */
  readonly publicPorts?: readonly number[];
}

const SUBSCRIPTION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const STATE_KEY = /^[\w./-]{1,1024}\.tfstate$/;

/**
 * The stack an application team (or the platform) puts constructs in on Azure: a TerraformStack whose output is
 * plain Terraform JSON that terraform (1.5 or later) or OpenTofu applies without cdktf, the same on every machine.
 *
 * - Provider: azurerm with {@link DATA_SAFE_FEATURES} (no `terraform destroy` purges or force-deletes anything),
 *   Entra ID for storage, the provider's full source address (`hashicorp/azurerm`), and
 *   `terraform.required_version` {@link REQUIRED_TERRAFORM_VERSION}, as the platform's own stacks have.
 * - State: in Azure Storage when `backend` is given; otherwise in `terraform.<stack id>.tfstate` at the project
 *   root, by a relative path (cdktf's default local backend writes an absolute path, which differs per machine and
 *   would show up in every review). A production-tier stack refuses local state: state on one machine is lost with
 *   it, and with it Terraform's record of every retained resource.
 * - Protection by tier: in production, every resource that holds data gets `lifecycle.prevent_destroy`
 *   (`RetainStatefulResources`), as the platform's production stacks do.
 * - Guardrails: the Azure rule pack of the tier runs at synthesis (`PolicyChecks`); an unacknowledged error fails it.
 *
 * @example
 * const payments = defineApplication({ name: 'payments', environment: { name: 'prod', tier: 'production',
 *   azure: { location: 'westeurope' } }, services: [...] });
 * const stack = new PlatformStack(app, 'payments-prod', {
 *   tier: payments.environment.tier,
 *   backend: { resourceGroupName: 'rg-tfstate', storageAccountName: 'stpaymentstfstate', containerName: 'tfstate' },
 * });
 * const platform = PlatformEnvironment.join(stack, 'platform', { spec: payments.environment });
 * new Application(stack, 'payments', { spec: payments, platform });
 *
 * @throws SpecError naming every invalid prop, and a production-tier stack without `backend`
 */
export class PlatformStack extends TerraformStack {
  /** The tier the stack was given: it decided the stack's protection and rules. */
  public readonly tier: Tier;
  /** The azurerm provider. */
  public readonly provider: provider.AzurermProvider;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id);
    validatePlatformStackProps(id, this.node.path, props);
    this.tier = props.tier;

    this.provider = new provider.AzurermProvider(this, 'azurerm', {
      features: [DATA_SAFE_FEATURES],
      storageUseAzuread: true,
      ...(props.subscriptionId !== undefined && { subscriptionId: props.subscriptionId }),
    });
    // Plain Terraform JSON that terraform or OpenTofu apply without cdktf: the provider's full source address,
    // and the oldest CLI that reads every feature used here.
    this.addOverride('terraform.required_providers.azurerm.source', 'hashicorp/azurerm');
    this.addOverride('terraform.required_version', REQUIRED_TERRAFORM_VERSION);

    const backend = props.backend;
    if (backend) {
      new AzurermBackend(this, {
        resourceGroupName: backend.resourceGroupName,
        storageAccountName: backend.storageAccountName,
        containerName: backend.containerName,
        key: backend.key ?? `${id}.tfstate`,
        useAzureadAuth: true,
      });
    } else {
      new LocalBackend(this, { path: localStatePath(id) });
    }

    if (props.tier === 'production') RetainStatefulResources.applyTo(this);
    PolicyChecks.applyTo(this, { tier: props.tier, publicPorts: props.publicPorts ?? [] });
  }
}

function validatePlatformStackProps(id: string, path: string, props: PlatformStackProps): void {
  checkProps('PlatformStack', path, props, {
    tier: { kind: 'string', allowed: `the environment's tier: ${TIERS.join(' or ')}` },
    subscriptionId: { kind: 'string', optional: true, allowed: 'a subscription ID (a GUID)' },
    backend: {
      kind: 'object',
      optional: true,
      allowed: 'the azurerm backend: { resourceGroupName, storageAccountName, containerName, key? }',
      fields: {
        resourceGroupName: { kind: 'string', allowed: 'the resource group of the state storage account' },
        storageAccountName: { kind: 'string', allowed: 'the storage account holding the state' },
        containerName: { kind: 'string', allowed: 'the blob container holding the state' },
        key: { kind: 'string', optional: true, allowed: 'the state blob name, ending in .tfstate' },
      },
    },
    publicPorts: { kind: 'array', optional: true, allowed: 'TCP port numbers (1-65535)' },
  });
  const issues = new IssueCollector();
  if (!(TIERS as readonly string[]).includes(props.tier)) {
    issues.add('props.tier', props.tier, `one of ${TIERS.map((t) => `'${t}'`).join(', ')}`);
  }
  if (props.subscriptionId !== undefined && !SUBSCRIPTION_ID.test(props.subscriptionId)) {
    issues.add(
      'props.subscriptionId',
      props.subscriptionId,
      'a subscription ID: a GUID such as 00000000-0000-0000-0000-000000000000',
    );
  }
  const backend = props.backend;
  if (backend === undefined && props.tier === 'production') {
    issues.add(
      'props.backend',
      backend,
      'an azurerm backend ({ resourceGroupName, storageAccountName, containerName }) for a production-tier stack: local state lives on one machine and is lost with it, and with it the record of every retained resource',
    );
  }
  if (backend !== undefined) {
    if (!/^[a-z0-9]{3,24}$/.test(backend.storageAccountName)) {
      issues.add('props.backend.storageAccountName', backend.storageAccountName, '3-24 lowercase letters and digits');
    }
    if (!/^[-\w.()]{1,90}$/.test(backend.resourceGroupName)) {
      issues.add(
        'props.backend.resourceGroupName',
        backend.resourceGroupName,
        '1-90 letters, digits, hyphens, underscores, periods or parentheses',
      );
    }
    if (!/^[a-z0-9](?:[a-z0-9]|-(?!-)){1,61}[a-z0-9]$/.test(backend.containerName)) {
      issues.add(
        'props.backend.containerName',
        backend.containerName,
        '3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit',
      );
    }
    const key = backend.key ?? `${id}.tfstate`;
    if (!STATE_KEY.test(key) || key.startsWith('/') || key.split('/').includes('..')) {
      issues.add('props.backend.key', key, 'a relative blob name of letters, digits, _ . / -, ending in .tfstate');
    }
  }
  issues.throwIfAny(`Invalid PlatformStack props (${path})`);
}
