import { AZURE_STATEFUL_TYPES } from '../../../core';
import { blocks, type PolicyRule } from '../rule';

/**
 * PC_AZURE_PREVENT_DESTROY: in production, every resource that holds data (`AZURE_STATEFUL_TYPES`) has
 * `lifecycle.prevent_destroy`, so no plan can destroy or replace it. `RetainStatefulResources` sets it.
 */
export const statefulPreventDestroy: PolicyRule = {
  id: 'PC_AZURE_PREVENT_DESTROY',
  severity: 'error',
  title: 'Production resources that hold data have lifecycle.prevent_destroy',
  resourceTypes: [...AZURE_STATEFUL_TYPES],
  tiers: ['production'],
  check(resource) {
    const [lifecycle] = blocks(resource.config, 'lifecycle');
    return lifecycle?.prevent_destroy === true
      ? []
      : [
          `${resource.address} holds data but a plan may destroy it: set lifecycle.prevent_destroy = true (RetainStatefulResources does this for production)`,
        ];
  },
};
