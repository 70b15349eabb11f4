import type { StackFacts, StackFinding } from './stack-rule';

/**
 * Platform-TerminationProtection: a production-tier stack has termination protection, so `cdk destroy` or a
 * console click cannot delete it with its retained resources orphaned. Set `terminationProtection: true`.
 */
export function terminationProtection(facts: StackFacts): StackFinding[] {
  if (facts.tier !== 'production' || facts.terminationProtection) return [];
  return [
    {
      ruleId: 'Platform-TerminationProtection',
      message: `${facts.stackName} is a production-tier stack without termination protection: set terminationProtection: true`,
    },
  ];
}
