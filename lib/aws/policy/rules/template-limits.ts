import type { StackFacts, StackFinding } from './stack-rule';

/** CloudFormation's hard limits per template (AWS CloudFormation quotas). */
export const CLOUDFORMATION_LIMITS = {
  resources: 500,
  outputs: 200,
  parameters: 200,
  mappings: 200,
  templateBytes: 1_000_000,
  stackNameLength: 128,
} as const;

/** Synthesis fails at this share of a limit, so a stack is split before a deploy is refused. */
export const LIMIT_HEADROOM = 0.9;

const COUNTED = [
  ['resources', 'Resources'],
  ['outputs', 'Outputs'],
  ['parameters', 'Parameters'],
  ['mappings', 'Mappings'],
] as const;

/**
 * Platform-TemplateLimits: a template stays below 90% of CloudFormation's limits on resources, outputs,
 * parameters, mappings and body size, and its stack name within 128 characters.
 */
export function templateLimits(facts: StackFacts): StackFinding[] {
  const problems: string[] = [];
  for (const [limit, section] of COUNTED) {
    const count = Object.keys(facts.template[section] ?? {}).length;
    const max = CLOUDFORMATION_LIMITS[limit];
    if (count >= max * LIMIT_HEADROOM) {
      problems.push(
        `${facts.stackName} has ${count} ${limit}, at or above 90% of CloudFormation's limit of ${max} (${max * LIMIT_HEADROOM}): move some to another stack`,
      );
    }
  }
  const bytes = facts.templateBytes;
  if (bytes >= CLOUDFORMATION_LIMITS.templateBytes * LIMIT_HEADROOM) {
    problems.push(
      `${facts.stackName} template is ${bytes} bytes, at or above 90% of CloudFormation's limit of ${CLOUDFORMATION_LIMITS.templateBytes}: move resources to another stack`,
    );
  }
  if (facts.stackName.length > CLOUDFORMATION_LIMITS.stackNameLength) {
    problems.push(
      `stack name ${facts.stackName} is ${facts.stackName.length} characters; CloudFormation allows at most ${CLOUDFORMATION_LIMITS.stackNameLength}`,
    );
  }
  return problems.map((message) => ({ ruleId: 'Platform-TemplateLimits', message }));
}
