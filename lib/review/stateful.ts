import { AWS_STATEFUL_TYPES, AZURE_STATEFUL_TYPES } from '../core';
import type { SynthesizedStack } from './outputs';

/** The stateful resources of stacks: stack name to logical ID (AWS) or address (Azure) to resource type. */
export type StatefulInventory = Record<string, Record<string, string>>;

/** The stateful resources of one synthesized stack, sorted by ID. */
export function statefulResources(stack: SynthesizedStack): Record<string, string> {
  const found: [string, string][] = [];
  if (stack.cloud === 'aws') {
    const resources = (stack.json.Resources ?? {}) as Record<string, { Type: string }>;
    for (const [id, r] of Object.entries(resources)) if (AWS_STATEFUL_TYPES.has(r.Type)) found.push([id, r.Type]);
  } else {
    const resources = (stack.json.resource ?? {}) as Record<string, Record<string, unknown>>;
    for (const [type, byName] of Object.entries(resources)) {
      if (AZURE_STATEFUL_TYPES.has(type)) for (const name of Object.keys(byName)) found.push([`${type}.${name}`, type]);
    }
  }
  return Object.fromEntries(found.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The inventory of several stacks, by stack name. */
export function statefulInventory(stacks: readonly SynthesizedStack[]): StatefulInventory {
  const sorted = [...stacks].sort((a, b) => (a.stack < b.stack ? -1 : 1));
  return Object.fromEntries(sorted.map((s) => [s.stack, statefulResources(s)]));
}

const CONSEQUENCE = {
  aws: 'A new logical ID makes CloudFormation create a new resource and delete the old one with its data (or orphan it, if retained).',
  azure: 'A new address makes Terraform destroy the old resource with its data and create an empty one.',
} as const;

const REMEDY = {
  aws: 'If the move is not intended, restore the construct id (or pin the ID with overrideLogicalId).',
  azure:
    'If the move is not intended, restore the construct id; if it is, add a `moved` block (or run terraform state mv) so the resource is kept.',
} as const;

/**
 * Compares the stateful resources of an environment with its golden list. Returns one explanation per
 * difference: a resource that moved or disappeared (its data would be lost), one whose type changed, and a
 * new one not yet recorded. Empty when they match.
 */
export function compareInventory(
  golden: StatefulInventory,
  actual: StatefulInventory,
  cloud: 'aws' | 'azure',
  goldenFile: string,
): string[] {
  const problems: string[] = [];
  const record = `run \`npm run golden\` to record it in ${goldenFile}, so the change shows in the pull request`;
  for (const [stack, resources] of Object.entries(golden)) {
    const now = actual[stack] ?? {};
    for (const [id, type] of Object.entries(resources)) {
      if (now[id] === undefined) {
        const idWord = cloud === 'aws' ? 'logical ID' : 'address';
        problems.push(
          `${stack}: stateful ${type} ${id} is gone or its ${idWord} changed. ${CONSEQUENCE[cloud]} ${REMEDY[cloud]} If the data is safe (migrated or disposable), ${record}.`,
        );
      } else if (now[id] !== type) {
        problems.push(
          `${stack}: ${id} changed type from ${type} to ${now[id]}: the old resource and its data are deleted. If intended, ${record}.`,
        );
      }
    }
  }
  for (const [stack, resources] of Object.entries(actual)) {
    for (const [id, type] of Object.entries(resources)) {
      if (golden[stack]?.[id] === undefined)
        problems.push(`${stack}: new stateful ${type} ${id} is not in the golden list: ${record}.`);
    }
  }
  return problems;
}
