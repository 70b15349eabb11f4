import {
  Stack,
  type IPolicyValidationContext,
  type IPolicyValidationPlugin,
  type PolicyValidationPluginReport,
  type PolicyViolation,
} from 'aws-cdk-lib';
import { readFileSync } from 'node:fs';
import type { IConstruct } from 'constructs';
import type { Tier } from '../../core';
import { isAcknowledged } from './acknowledgements';
import type { CfnTemplate, StackFacts, StackFinding } from './rules/stack-rule';
import { templateLimits } from './rules/template-limits';
import { terminationProtection } from './rules/termination-protection';

/** Every stack rule: each reads only the synthesized template and the stack's settings. */
export const STACK_RULES: readonly ((facts: StackFacts) => StackFinding[])[] = [templateLimits, terminationProtection];

/** Runs every stack rule over one synthesized stack. */
export function checkStack(facts: StackFacts): StackFinding[] {
  return STACK_RULES.flatMap((rule) => rule(facts));
}

/**
 * A validation plugin running the stack rules (limits, termination protection) over the templates of the
 * stacks under one scope, after they are written, so the body size is the real one.
 */
export class StackChecks implements IPolicyValidationPlugin {
  /** The plugin's name in the validation report. */
  public readonly name = 'Platform-Stack';

  constructor(
    private readonly scope: IConstruct,
    private readonly tier: Tier,
  ) {}

  /** Checks each stack of the scope. */
  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const stacks = new Map(
      this.scope.node
        .findAll()
        .filter(Stack.isStack)
        .map((s) => [s.node.path, s]),
    );
    const violations: PolicyViolation[] = [];
    for (const { stackConstructPath, templatePath } of context.stackTemplates) {
      const stack = stacks.get(stackConstructPath);
      if (!stack) continue;
      const body = readFileSync(templatePath);
      const facts: StackFacts = {
        stackName: stack.stackName,
        template: JSON.parse(body.toString('utf8')) as CfnTemplate,
        templateBytes: body.length,
        terminationProtection: stack.terminationProtection,
        tier: this.tier,
      };
      for (const finding of checkStack(facts)) {
        if (isAcknowledged(stack, finding.ruleId)) continue;
        violations.push({
          ruleName: finding.ruleId,
          description: finding.message,
          severity: 'error',
          violatingResources: [{ templatePath, constructPath: stackConstructPath, locations: [] }],
        });
      }
    }
    return { success: violations.length === 0, violations };
  }
}
