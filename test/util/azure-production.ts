import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { App, TerraformStack } from 'cdktf';
import type { Environment } from '../../lib/core';
import {
  DATA_SAFE_FEATURES,
  Monitoring,
  Network,
  PolicyChecks,
  RetainStatefulResources,
  SendDiagnostics,
  TagResources,
  type IResourceGroup,
} from '../../lib/azure';

/** What a guardrail test adds its construct to. */
export interface ProductionParts {
  readonly env: Environment;
  readonly stack: TerraformStack;
  readonly resourceGroup: IResourceGroup;
  readonly monitoring: Monitoring;
  readonly network: Network;
}

/** Options of {@link productionApp}. */
export interface ProductionAppOptions {
  /** Let synthesis through with findings, to read them from the output. @default false */
  readonly skipValidation?: boolean;
  /** Declare the resource group as a resource of the stack. @default true */
  readonly withResourceGroup?: boolean;
}

/**
 * A production-tier app composed like the environment stacks: provider, resource group, monitoring and network,
 * what `add` puts in, then diagnostics, tags, retention and the production policy pack.
 */
export function productionApp(
  env: Environment,
  outdir: string,
  add: (parts: ProductionParts) => void,
  options: ProductionAppOptions = {},
): App {
  const resourceGroup = { name: 'rg-platform-prod-weu', location: 'westeurope' };
  const app = new App({ outdir, skipValidation: options.skipValidation ?? false });
  const stack = new TerraformStack(app, 'env');
  new AzurermProvider(stack, 'azurerm', { features: [DATA_SAFE_FEATURES] });
  if (options.withResourceGroup ?? true) new ResourceGroup(stack, 'resource-group', resourceGroup);
  const monitoring = new Monitoring(stack, 'monitoring', { spec: env.monitoring, name: env.name, resourceGroup });
  const network = new Network(stack, 'network', { spec: env.network, name: env.name, resourceGroup, monitoring });
  add({ env, stack, resourceGroup, monitoring, network });
  SendDiagnostics.applyTo(stack, monitoring.workspaceId);
  TagResources.applyTo(stack, env.tags);
  RetainStatefulResources.applyTo(stack);
  PolicyChecks.applyTo(stack, { tier: 'production' });
  return app;
}
