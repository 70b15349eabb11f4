import * as aksData from '@cdktf/provider-azurerm/lib/data-azurerm-kubernetes-cluster';
import * as federated from '@cdktf/provider-azurerm/lib/federated-identity-credential';
import * as roleAssignment from '@cdktf/provider-azurerm/lib/role-assignment';
import * as identity from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { App, TerraformOutput } from 'cdktf';
import { platformEnvironmentNames, PlatformStack, renderKubernetesClusterNames } from 'platform-constructs/azure';

/** The platform's environment the payments team runs its pods in: its name, location and location code. */
const ENVIRONMENT = { name: 'prod', tier: 'production', location: 'westeurope', locationCode: 'weu' } as const;

/** The Service Bus queue the ledger consumes (the team's own, created elsewhere). */
const QUEUE_ID =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-payments/providers/Microsoft.ServiceBus/namespaces/sb-payments-prod/queues/ledger-events';

/**
 * An application team's own cdktf app for its pods on the platform's AKS cluster: the service account `ledger` of
 * the namespace `payments` signs in as a user-assigned identity through workload identity (a federated credential
 * for the cluster's OIDC issuer), allowed to receive from one queue and nothing else. The team's manifests annotate
 * the service account with the identity's client ID (`azure.workload.identity/client-id`).
 */
export function buildKubernetesTeamApp(): App {
  const app = new App();
  const stack = new PlatformStack(app, 'payments-ledger-identity', {
    tier: ENVIRONMENT.tier,
    backend: {
      resourceGroupName: 'rg-payments-tfstate',
      storageAccountName: 'stpaymentstfstate',
      containerName: 'tfstate',
    },
  });
  const names = platformEnvironmentNames(ENVIRONMENT);
  const resourceGroup = { name: names.resourceGroup, location: ENVIRONMENT.location };
  // Read at plan time by its name, as the platform creates it: the team needs Reader on the cluster, nothing more.
  const cluster = new aksData.DataAzurermKubernetesCluster(stack, 'cluster', {
    name: renderKubernetesClusterNames({
      environment: ENVIRONMENT.name,
      resourceGroup,
      locationCode: ENVIRONMENT.locationCode,
    }).cluster,
    resourceGroupName: resourceGroup.name,
  });

  const ledger = new identity.UserAssignedIdentity(stack, 'ledger', {
    name: 'id-payments-prod-ledger',
    location: resourceGroup.location,
    resourceGroupName: resourceGroup.name,
  });
  new federated.FederatedIdentityCredential(stack, 'ledger-federation', {
    name: 'aks-payments-ledger',
    resourceGroupName: resourceGroup.name,
    parentId: ledger.id,
    audience: ['api://AzureADTokenExchange'],
    issuer: cluster.oidcIssuerUrl,
    subject: 'system:serviceaccount:payments:ledger',
  });
  new roleAssignment.RoleAssignment(stack, 'ledger-receiver', {
    scope: QUEUE_ID,
    roleDefinitionName: 'Azure Service Bus Data Receiver',
    principalId: ledger.principalId,
    principalType: 'ServicePrincipal',
  });
  new TerraformOutput(stack, 'ledger_client_id', { value: ledger.clientId });
  return app;
}
