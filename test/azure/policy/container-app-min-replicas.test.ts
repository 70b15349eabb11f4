import type { Construct } from 'constructs';
import { containerAppMinReplicas } from '../../../lib/azure/policy/rules/container-app-min-replicas';
import { appContainer, containerApp } from './fixtures/container-app';
import { findingsOf } from './helpers';

/** A container app `ca-<id>` scaling to 10, from `minReplicas` (left out when not given). */
const app = (scope: Construct, id: string, minReplicas?: number) =>
  containerApp(scope, id, {
    template: { ...(minReplicas !== undefined && { minReplicas }), maxReplicas: 10, container: [appContainer('api')] },
  });

describe('PC_AZURE_CONTAINER_APP_MIN_REPLICAS production container apps run two replicas', () => {
  test('Compliance: two or more replicas in production', () => {
    const findings = findingsOf(
      containerAppMinReplicas,
      (scope) => {
        app(scope, 'two', 2);
        app(scope, 'three', 3);
      },
      'production',
    );
    expect(findings).toEqual([]);
  });

  test('Compliance: one replica in development, where the rule does not apply', () => {
    expect(findingsOf(containerAppMinReplicas, (scope) => app(scope, 'dev', 1), 'development')).toEqual([]);
  });

  test('Noncompliance: one replica, or left out (Azure scales to 0), in production', () => {
    const findings = findingsOf(
      containerAppMinReplicas,
      (scope) => {
        app(scope, 'one', 1);
        app(scope, 'unset');
      },
      'production',
    );
    expect(findings.map((f) => [f.ruleId, f.severity, f.address])).toEqual([
      ['PC_AZURE_CONTAINER_APP_MIN_REPLICAS', 'error', 'azurerm_container_app.one'],
      ['PC_AZURE_CONTAINER_APP_MIN_REPLICAS', 'error', 'azurerm_container_app.unset'],
    ]);
    expect(findings.map((f) => f.message)).toEqual([
      'azurerm_container_app.one (container app ca-one) sets template.min_replicas = 1: set template.min_replicas = 2 or more',
      'azurerm_container_app.unset (container app ca-unset) leaves template.min_replicas unset (Azure scales to 0): set template.min_replicas = 2 or more',
    ]);
  });
});
