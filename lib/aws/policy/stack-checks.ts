import {
  Stack,
  Stage,
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

/** The nearest stage holding a construct (the construct itself when it is one). */
function stageOf(scope: IConstruct): IConstruct | undefined {
  for (let current: IConstruct | undefined = scope; current; current = current.node.scope) {
    if (Stage.isStage(current)) return current;
  }
  return undefined;
}

/**
 * Runs the stack rules over the stacks of a scope's own stage before any template is written: each template is
 * rendered in memory (as the stack's synthesizer renders it, one-space indentation) for its counts and size.
 * Acknowledged findings are left out. `PolicyChecks` fails the synthesis on them before the write; the
 * {@link StackChecks} plugin checks the written templates again.
 */
export function stackViolations(scope: IConstruct, tier: Tier): PolicyViolation[] {
  const stage = stageOf(scope);
  const violations: PolicyViolation[] = [];
  for (const stack of scope.node.findAll().filter(Stack.isStack)) {
    if (stack.nested || stageOf(stack) !== stage) continue;
    // The stack's own renderer (protected in aws-cdk-lib): the template its synthesizer is about to write.
    const template = (stack as unknown as { _toCloudFormation(): CfnTemplate })._toCloudFormation();
    const facts: StackFacts = {
      stackName: stack.stackName,
      template,
      templateBytes: Buffer.byteLength(JSON.stringify(template, undefined, 1), 'utf8'),
      terminationProtection: stack.terminationProtection,
      tier,
    };
    for (const finding of checkStack(facts)) {
      if (isAcknowledged(stack, finding.ruleId)) continue;
      violations.push({
        ruleName: finding.ruleId,
        description: finding.message,
        severity: 'error',
        violatingResources: [{ templatePath: stack.templateFile, constructPath: stack.node.path, locations: [] }],
      });
    }
  }
  return violations;
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
