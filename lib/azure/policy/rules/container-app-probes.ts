import { blocks, isExpression, type PolicyRule } from '../rule';
import { subject } from './util';

/** The probes every container declares. */
const PROBES = ['liveness_probe', 'readiness_probe'];

/**
 * Every container of a container app (`template.container`) has a liveness and a readiness probe, so Azure
 * restarts a hung replica and sends no traffic to one that is not ready. A container list or probe given as an
 * expression is unknown and passes.
 */
export const containerAppProbes: PolicyRule = {
  id: 'PC_AZURE_CONTAINER_APP_PROBES',
  severity: 'error',
  title: 'Container app containers have liveness and readiness probes',
  resourceTypes: ['azurerm_container_app'],
  check(app) {
    const template = blocks(app.config, 'template')[0] ?? {};
    if (isExpression(app.config.template) || isExpression(template.container)) return [];
    return blocks(template, 'container').flatMap((container) => {
      const missing = PROBES.filter(
        (probe) => !isExpression(container[probe]) && blocks(container, probe).length === 0,
      );
      return missing.length === 0
        ? []
        : [
            `${subject(app)} container "${String(container.name)}" has no ${missing.join(' or ')}: add ${missing.join(' and ')} (transport "HTTP" with port and path, or "TCP") to template.container`,
          ];
    });
  },
};
