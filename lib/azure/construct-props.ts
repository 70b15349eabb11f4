import type { IConstruct } from 'constructs';
import type { PropRule } from '../core';

// The prop rules (lib/core/props.ts `checkProps`) the Azure constructs share, so each names a resource group, a
// monitoring or a spec section in the same words.

/** The path a construct will have under `scope`, for a props error raised before the construct exists. */
export function pathUnder(scope: IConstruct, id: string): string {
  return scope.node.path === '' ? id : `${scope.node.path}/${id}`;
}

/** An `IResourceGroup` prop: `{ name, location }`. */
export const RESOURCE_GROUP_PROP: PropRule = {
  kind: 'object',
  allowed: 'a resource group: { name, location } (a ResourceGroup, or a data source of one)',
  fields: {
    name: { kind: 'string', allowed: "the resource group's name" },
    location: { kind: 'string', allowed: "the resource group's location, such as westeurope" },
  },
};

/** An optional `locationCode` prop. */
export const LOCATION_CODE_PROP: PropRule = {
  kind: 'string',
  optional: true,
  allowed: 'the short code of the location used in names, such as weu',
};

/** An optional `IMonitoring` prop. */
export const MONITORING_PROP: PropRule = {
  kind: 'object',
  optional: true,
  allowed: "the environment's monitoring (a Monitoring, or Monitoring.fromMonitoringAttributes)",
};

/** An optional `retainData` prop. */
export const RETAIN_DATA_PROP: PropRule = {
  kind: 'boolean',
  optional: true,
  allowed: 'true to give what holds data lifecycle.prevent_destroy, false to leave it to the stack',
};

/** A resolved spec section prop: `section` names it in `defineEnvironment(...)` or `defineApplication(...)`. */
export function specProp(section: string): PropRule {
  return { kind: 'object', allowed: `the resolved spec section: defineEnvironment(...).${section}` };
}

/** The environment-name prop. */
export const ENVIRONMENT_PROP: PropRule = {
  kind: 'string',
  allowed: 'the environment name, such as prod',
};
