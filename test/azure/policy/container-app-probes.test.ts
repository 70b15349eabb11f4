import type { ContainerAppTemplateContainer } from '@cdktf/provider-azurerm/lib/container-app';
import type { Construct } from 'constructs';
import { containerAppProbes } from '../../../lib/azure/policy/rules/container-app-probes';
import { appContainer, containerApp } from './fixtures/container-app';
import { findingsOf } from './helpers';

const LIVENESS = [{ transport: 'HTTP', port: 8080, path: '/healthz' }];
const READINESS = [{ transport: 'HTTP', port: 8080, path: '/ready' }];

/** The app each test judges: azurerm_container_app.app, named ca-api, running `containers`. */
const app = (scope: Construct, ...containers: ContainerAppTemplateContainer[]) =>
  containerApp(scope, 'app', { name: 'ca-api', template: { minReplicas: 2, container: containers } });

describe('PC_AZURE_CONTAINER_APP_PROBES containers have liveness and readiness probes', () => {
  test('Compliance: every container has both probes', () => {
    const findings = findingsOf(containerAppProbes, (scope) =>
      app(
        scope,
        appContainer('api', { livenessProbe: LIVENESS, readinessProbe: READINESS }),
        appContainer('sidecar', {
          livenessProbe: [{ transport: 'TCP', port: 9000 }],
          readinessProbe: [{ transport: 'TCP', port: 9000 }],
        }),
      ),
    );
    expect(findings).toEqual([]);
  });

  test('Noncompliance: one finding per container, naming the missing probes', () => {
    const findings = findingsOf(containerAppProbes, (scope) =>
      app(scope, appContainer('api', { livenessProbe: LIVENESS }), appContainer('worker')),
    );
    expect(findings.map((f) => [f.ruleId, f.severity, f.address])).toEqual([
      ['PC_AZURE_CONTAINER_APP_PROBES', 'error', 'azurerm_container_app.app'],
      ['PC_AZURE_CONTAINER_APP_PROBES', 'error', 'azurerm_container_app.app'],
    ]);
    expect(findings.map((f) => f.message)).toEqual([
      'azurerm_container_app.app (container app ca-api) container "api" has no readiness_probe: add readiness_probe (transport "HTTP" with port and path, or "TCP") to template.container',
      'azurerm_container_app.app (container app ca-api) container "worker" has no liveness_probe or readiness_probe: add liveness_probe and readiness_probe (transport "HTTP" with port and path, or "TCP") to template.container',
    ]);
  });
});
