import { blocks, isExpression, type PolicyRule } from '../rule';
import { readNumber, stateOf, subject, UNKNOWN } from './util';

/** The fewest replicas a production container app runs, so one survives a restart or a zone failure. */
const MIN_REPLICAS = 2;

/** A production container app runs at least two replicas (`template.min_replicas`; Azure defaults it to 0). */
export const containerAppMinReplicas: PolicyRule = {
  id: 'PC_AZURE_CONTAINER_APP_MIN_REPLICAS',
  severity: 'error',
  title: 'Production container apps run at least two replicas',
  resourceTypes: ['azurerm_container_app'],
  tiers: ['production'],
  check(app) {
    if (isExpression(app.config.template)) return [];
    const replicas = readNumber(blocks(app.config, 'template')[0] ?? {}, 'min_replicas');
    if (replicas === UNKNOWN || (replicas !== undefined && replicas >= MIN_REPLICAS)) return [];
    return [
      `${subject(app)} ${stateOf('template.min_replicas', replicas, 'Azure scales to 0')}: set template.min_replicas = ${MIN_REPLICAS} or more`,
    ];
  },
};
