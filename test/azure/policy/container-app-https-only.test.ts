import { ContainerApp, type ContainerAppIngress } from '@cdktf/provider-azurerm/lib/container-app';
import type { Construct } from 'constructs';
import { containerAppHttpsOnly } from '../../../lib/azure/policy/rules/container-app-https-only';
import { findingsOf } from './helpers';

function app(scope: Construct, id: string, ingress?: Partial<ContainerAppIngress>): void {
  new ContainerApp(scope, id, {
    name: `ca-${id}`,
    resourceGroupName: 'rg',
    containerAppEnvironmentId: 'cae-id',
    revisionMode: 'Single',
    template: {
      minReplicas: 2,
      container: [{ name: 'api', image: 'example.azurecr.io/api:1.0.0', cpu: 0.5, memory: '1Gi' }],
    },
    ...(ingress && {
      ingress: { targetPort: 8080, trafficWeight: [{ percentage: 100, latestRevision: true }], ...ingress },
    }),
  });
}

describe('PC_AZURE_CONTAINER_APP_HTTPS_ONLY ingress accepts HTTPS only', () => {
  test('Compliance: no ingress, ingress at the default, allow_insecure_connections = false', () => {
    const findings = findingsOf(containerAppHttpsOnly, (scope) => {
      app(scope, 'worker');
      app(scope, 'default', {});
      app(scope, 'explicit', { allowInsecureConnections: false });
    });
    expect(findings).toEqual([]);
  });

  test('Noncompliance: allow_insecure_connections = true', () => {
    const findings = findingsOf(containerAppHttpsOnly, (scope) =>
      app(scope, 'web', { allowInsecureConnections: true }),
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      ruleId: 'PC_AZURE_CONTAINER_APP_HTTPS_ONLY',
      severity: 'error',
      address: 'azurerm_container_app.web',
    });
    expect(findings[0]!.message).toBe(
      'azurerm_container_app.web (container app ca-web) sets ingress.allow_insecure_connections = true: set ingress.allow_insecure_connections = false (or remove it)',
    );
  });
});
