import {
  defineDelivery,
  defineEnvironments,
  SpecError,
  type DeliverySpec,
  type Environment,
  type EnvironmentInput,
} from '../../lib/core';
import { delivery } from './delivery';
import { dev } from './dev';
import { prod } from './prod';
import { staging } from './staging';

/** Every environment definition, in deployment order. Add an environment by adding its file here. */
export const ENVIRONMENT_INPUTS: readonly EnvironmentInput[] = [dev, staging, prod];

let resolved: readonly Environment[] | undefined;
let delivered: DeliverySpec | undefined;

/**
 * Validates and resolves every environment, once per process. Resolution is lazy so that an entry point
 * can catch a SpecError and print it instead of failing while modules load.
 */
export function loadEnvironments(): readonly Environment[] {
  resolved ??= defineEnvironments(ENVIRONMENT_INPUTS);
  return resolved;
}

/**
 * Validates and resolves the delivery (stacks/environments/delivery.ts) over every environment, once per process.
 *
 * @throws SpecError naming every problem of the environments, or else of the delivery.
 */
export function loadDelivery(): DeliverySpec {
  delivered ??= defineDelivery(delivery, loadEnvironments());
  return delivered;
}

/**
 * Picks environments by name, keeping their order; no names means all of them.
 *
 * @throws SpecError naming every unknown name and the names there are.
 */
export function selectEnvironments(all: readonly Environment[], names: readonly string[] = []): readonly Environment[] {
  const known = all.map((e) => e.name);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) {
    throw new SpecError(
      unknown.map((name) => ({
        path: '--env',
        value: name,
        message: `not an environment; use one of ${known.join(', ')}`,
      })),
      'Unknown environment',
    );
  }
  return names.length === 0 ? all : all.filter((e) => names.includes(e.name));
}
