import { blocks, isExpression, type PolicyRule } from '../rule';
import { subject } from './util';

/** Environment variable names that hold a secret. */
const SECRET_NAME = /PASSWORD|SECRET|TOKEN|API_?KEY|CONNECTION_?STRING|PRIVATE_?KEY/i;

/**
 * A container app passes secrets to its containers through `secret` (ideally a Key Vault reference) and
 * `env.secret_name`, never `env.value`: a value sits in plain text in every revision. Any env var whose name looks
 * like a secret ({@link SECRET_NAME}) and that sets `value` is reported, whatever the value: an expression
 * (`${azurerm_key_vault_secret.db.value}`) puts the secret in the revision just the same. Init containers count.
 */
export const containerAppSecretEnv: PolicyRule = {
  id: 'PC_AZURE_CONTAINER_APP_SECRET_ENV',
  severity: 'error',
  title: 'Container apps pass secrets by secret_name, not value',
  resourceTypes: ['azurerm_container_app'],
  check(app) {
    if (isExpression(app.config.template)) return [];
    const template = blocks(app.config, 'template')[0] ?? {};
    const containers = [...blocks(template, 'container'), ...blocks(template, 'init_container')];
    return containers.flatMap((container) =>
      blocks(container, 'env')
        .filter((env) => typeof env.name === 'string' && SECRET_NAME.test(env.name))
        .filter((env) => env.value !== undefined && env.value !== null)
        .map(
          (env) =>
            `${subject(app)} container "${String(container.name)}" sets env "${String(env.name)}" by value: add it to the app's secret blocks (with key_vault_secret_id) and set secret_name = "<that secret>" instead of value`,
        ),
    );
  },
};
