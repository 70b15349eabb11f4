import { compare } from '../review/aws-template';
import type { SynthesizedStack } from '../review/outputs';
import { awsFacts } from './aws-facts';
import { azureFacts } from './azure-facts';
import type { CloudFacts, ReportCloud } from './model';

export type { CloudFacts } from './model';
export { duration, parseDescription, scheduleWords } from './fact-text';

/**
 * The alarms, checks, backup plans and acknowledgements of one environment's stacks on one cloud, read from the
 * synthesized output alone (what is deployed, not what the spec meant): alarm routes follow references and
 * cross-stack imports to their topics or action groups and endpoints. Each list is sorted (alarms by name, checks
 * by name, plans by name, acknowledgements by resource, rule and reason), so the same output gives the same facts.
 */
export function factsOf(stacks: readonly SynthesizedStack[], cloud: ReportCloud): CloudFacts {
  const mine = stacks.filter((s) => s.cloud === cloud);
  const facts = cloud === 'aws' ? awsFacts(mine) : azureFacts(mine);
  return {
    alarms: [...facts.alarms].sort((a, b) => compare(a.id, b.id) || compare(a.resource, b.resource)),
    checks: [...facts.checks].sort((a, b) => compare(a.name, b.name)),
    backup: [...facts.backup].sort((a, b) => compare(a.plan, b.plan) || compare(a.vault, b.vault)),
    acknowledgements: [...facts.acknowledgements].sort(
      (a, b) =>
        compare(a.resource, b.resource) ||
        compare(a.kind, b.kind) ||
        compare(a.rule, b.rule) ||
        compare(a.reason, b.reason),
    ),
  };
}
