import type { ContainerAppTemplateContainerEnv } from '@cdktf/provider-azurerm/lib/container-app';
import { TerraformVariable } from 'cdktf';
import type { Construct } from 'constructs';
import { containerAppSecretEnv } from '../../../lib/azure/policy/rules/container-app-secret-env';
import { appContainer, containerApp } from './fixtures/container-app';
import { findingsOf } from './helpers';

function app(
  scope: Construct,
  env: ContainerAppTemplateContainerEnv[],
  initEnv: ContainerAppTemplateContainerEnv[] = [],
): void {
  containerApp(scope, 'app', {
    name: 'ca-api',
    secret: [
      { name: 'db-password', keyVaultSecretId: 'https://kv.vault.azure.net/secrets/db-password', identity: 'System' },
    ],
    template: {
      minReplicas: 2,
      container: [appContainer('api', { env })],
      initContainer: [{ name: 'migrate', image: 'example.azurecr.io/migrate:1.0.0', env: initEnv }],
    },
  });
}

const FIX =
  'add it to the app\'s secret blocks (with key_vault_secret_id) and set secret_name = "<that secret>" instead of value';

describe('PC_AZURE_CONTAINER_APP_SECRET_ENV secrets are passed by secret_name', () => {
  test('Compliance: secret-looking names by secret_name, ordinary names by value', () => {
    const findings = findingsOf(containerAppSecretEnv, (scope) =>
      app(
        scope,
        [
          { name: 'DB_PASSWORD', secretName: 'db-password' },
          { name: 'LOG_LEVEL', value: 'info' },
          { name: 'PORT', value: '8080' },
        ],
        [{ name: 'DATABASE_CONNECTION_STRING', secretName: 'db-password' }],
      ),
    );
    expect(findings).toEqual([]);
  });

  test('Noncompliance: secrets by value, literal or expression, in containers and init containers', () => {
    const findings = findingsOf(containerAppSecretEnv, (scope) => {
      const token = new TerraformVariable(scope, 'api_token', { type: 'string', sensitive: true });
      app(
        scope,
        [
          { name: 'DB_PASSWORD', value: 'hunter2' },
          { name: 'STRIPE_API_KEY', value: token.stringValue },
        ],
        [{ name: 'ConnectionString', value: 'Server=db;Password=x' }],
      );
    });
    expect(findings.map((f) => [f.ruleId, f.severity, f.address])).toEqual([
      ['PC_AZURE_CONTAINER_APP_SECRET_ENV', 'error', 'azurerm_container_app.app'],
      ['PC_AZURE_CONTAINER_APP_SECRET_ENV', 'error', 'azurerm_container_app.app'],
      ['PC_AZURE_CONTAINER_APP_SECRET_ENV', 'error', 'azurerm_container_app.app'],
    ]);
    expect(findings.map((f) => f.message)).toEqual([
      `azurerm_container_app.app (container app ca-api) container "api" sets env "DB_PASSWORD" by value: ${FIX}`,
      `azurerm_container_app.app (container app ca-api) container "api" sets env "STRIPE_API_KEY" by value: ${FIX}`,
      `azurerm_container_app.app (container app ca-api) container "migrate" sets env "ConnectionString" by value: ${FIX}`,
    ]);
  });
});
