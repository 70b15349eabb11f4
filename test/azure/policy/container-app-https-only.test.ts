import type { ContainerAppIngress } from '@cdktf/provider-azurerm/lib/container-app';
import type { Construct } from 'constructs';
import { containerAppHttpsOnly } from '../../../lib/azure/policy/rules/container-app-https-only';
import { containerApp } from './fixtures/container-app';
import { findingsOf } from './helpers';

/** A container app `ca-<id>`, with ingress on port 8080 (plus `ingress`) when `ingress` is given. */
const app = (scope: Construct, id: string, ingress?: Partial<ContainerAppIngress>) =>
  containerApp(scope, id, {
    ...(ingress && {
      ingress: { targetPort: 8080, trafficWeight: [{ percentage: 100, latestRevision: true }], ...ingress },
    }),
  });

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
