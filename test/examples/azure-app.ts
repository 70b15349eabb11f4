import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import * as resourceGroup from '@cdktf/provider-azurerm/lib/resource-group';
import { App, TerraformOutput, TerraformStack } from 'cdktf';
import { defineEnvironment } from 'platform-constructs';
import { Monitoring, Network, PolicyChecks, SendDiagnostics, TagResources } from 'platform-constructs/azure';

/** The same network on Azure, in an application team's own cdktf app. */
export function buildTeamApp(): App {
  const env = defineEnvironment({
    name: 'team-dev',
    tier: 'development',
    aws: { account: '444444444444', region: 'eu-central-1' },
    azure: { location: 'germanywestcentral' },
    network: { cidr: '10.40.0.0/16' },
    tags: { owner: 'team-payments' },
    monitoring: { emails: ['payments-oncall@example.com'] },
  });

  const app = new App();
  const stack = new TerraformStack(app, 'payments-network');
  // The provider block is yours; stacks/azure/environment-stack.ts shows `features` that never destroy data.
  new AzurermProvider(stack, 'azurerm', { features: [{}] });
  const rg = new resourceGroup.ResourceGroup(stack, 'rg', { name: 'rg-payments-dev', location: env.azure.location });
  const monitoring = new Monitoring(stack, 'monitoring', { spec: env.monitoring, name: env.name, resourceGroup: rg });
  const network = new Network(stack, 'network', { spec: env.network, name: env.name, resourceGroup: rg, monitoring });
  SendDiagnostics.applyTo(stack, monitoring.workspaceId); // every resource's logs and metrics to the workspace
  TagResources.applyTo(stack, env.tags);
  PolicyChecks.applyTo(stack, { tier: env.tier }); // the Azure rule pack: synthesis fails on an error
  new TerraformOutput(stack, 'workloads_subnet_id', { value: network.subnets.workloads.id });
  return app;
}
