import { blocks, isExpression, type PolicyRule } from '../rule';
import { readBool, subject } from './util';

/** A container app's ingress accepts HTTPS only: `ingress.allow_insecure_connections` is not true (default false). */
export const containerAppHttpsOnly: PolicyRule = {
  id: 'PC_AZURE_CONTAINER_APP_HTTPS_ONLY',
  severity: 'error',
  title: 'Container app ingress accepts HTTPS only',
  resourceTypes: ['azurerm_container_app'],
  check(app) {
    if (isExpression(app.config.ingress)) return [];
    const ingress = blocks(app.config, 'ingress')[0];
    if (ingress === undefined || readBool(ingress, 'allow_insecure_connections') !== true) return [];
    return [
      `${subject(app)} sets ingress.allow_insecure_connections = true: set ingress.allow_insecure_connections = false (or remove it)`,
    ];
  },
};
