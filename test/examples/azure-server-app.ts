import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import * as resourceGroup from '@cdktf/provider-azurerm/lib/resource-group';
import { App, TerraformStack } from 'cdktf';
import { defineEnvironment } from 'platform-constructs';
import {
  Monitoring,
  Network,
  Patching,
  PolicyChecks,
  SendDiagnostics,
  Server,
  TagResources,
} from 'platform-constructs/azure';

/** The same servers on Azure, in an application team's own cdktf app. */
export function buildServerApp(): App {
  const env = defineEnvironment({
    name: 'team-dev',
    tier: 'development',
    aws: { account: '444444444444', region: 'eu-central-1' },
    azure: { location: 'germanywestcentral', adminSshPublicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample team' },
    network: { cidr: '10.40.0.0/16' },
    tags: { owner: 'team-payments' },
    monitoring: { emails: ['payments-oncall@example.com'] },
    servers: [{ name: 'api', size: 'small', configuration: { packages: ['nginx'], services: ['nginx'] } }],
  });

  const app = new App();
  const stack = new TerraformStack(app, 'payments-servers');
  new AzurermProvider(stack, 'azurerm', { features: [{}] });
  const rg = new resourceGroup.ResourceGroup(stack, 'rg', { name: 'rg-payments-dev', location: env.azure.location });
  const monitoring = new Monitoring(stack, 'monitoring', { spec: env.monitoring, name: env.name, resourceGroup: rg });
  const network = new Network(stack, 'network', { spec: env.network, name: env.name, resourceGroup: rg, monitoring });
  const patching = new Patching(stack, 'patching', { spec: env.patching, environment: env.name, resourceGroup: rg });
  for (const spec of env.servers) {
    new Server(stack, spec.name, {
      spec,
      environment: env.name,
      resourceGroup: rg,
      subnetId: network.subnets.workloads.id,
      zones: env.network.zones,
      adminSshPublicKey: env.azure.adminSshPublicKey ?? '',
      monitoring,
      patching,
    });
  }
  SendDiagnostics.applyTo(stack, monitoring.workspaceId);
  TagResources.applyTo(stack, env.tags);
  PolicyChecks.applyTo(stack, { tier: env.tier });
  return app;
}
