import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** The rule ids acknowledged on a construct itself (not its ancestors), with their reasons. */
export function acknowledgementsOn(node: IConstruct): Record<string, string> {
  const acknowledged: Record<string, string> = {};
  for (const entry of node.node.metadata) {
    if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || typeof entry.data !== 'object') continue;
    for (const [key, reason] of Object.entries(entry.data as Record<string, unknown>)) {
      // aws-cdk-lib prefixes rule ids it records (`Annotation::`) in some versions; the id is what follows.
      acknowledged[key.replace(/^annotation::/i, '')] = String(reason);
    }
  }
  return acknowledged;
}

/** True when `ruleId` is acknowledged on `node` or any construct above it, the way cdk-nag decides. */
export function isAcknowledged(node: IConstruct, ruleId: string): boolean {
  for (let current: IConstruct | undefined = node; current; current = current.node.scope) {
    if (ruleId in acknowledgementsOn(current)) return true;
  }
  return false;
}
