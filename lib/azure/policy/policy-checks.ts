import { Aspects, TerraformResource, type TerraformStack, type IAspect } from 'cdktf';
import type { IConstruct } from 'constructs';
import type { Tier } from '../../core';
import { acknowledgementsOf } from '../acknowledge';
import { ACKNOWLEDGEMENTS_KEY, blockingFindings, checkTerraform } from './engine';
import type { Finding, PolicyRule } from './rule';
import { AZURE_RULES } from './rules';

/** The key of the stack's `"//"` block that records the tier and the rule pack, for `npm run check`. */
export const POLICY_METADATA_KEY = 'platform-policy';

/** Props of {@link PolicyChecks.applyTo}. */
export interface PolicyChecksProps {
  /** The environment's tier: some rules apply to production only. */
  readonly tier: Tier;
  /**
   * The rules to run.
   * @default AZURE_RULES
   */
  readonly rules?: readonly PolicyRule[];
}

/** Formats one finding the way synthesis reports it. */
export function formatFinding(f: Finding): string {
  // The message names the resource by its address; the construct path says where it comes from in the code.
  return `[${f.severity}] ${f.ruleId}${f.path ? ` at ${f.path}` : ''}: ${f.message}`;
}

/** Copies the acknowledgements made with `acknowledge()` into each resource's `"//"` comment block. */
class RecordAcknowledgements implements IAspect {
  public visit(node: IConstruct): void {
    if (!TerraformResource.isTerraformResource(node)) return;
    const acknowledged = acknowledgementsOf(node);
    const ids = Object.keys(acknowledged).sort();
    if (ids.length === 0) return;
    node.addOverride(`//.${ACKNOWLEDGEMENTS_KEY}`, Object.fromEntries(ids.map((id) => [id, acknowledged[id]])));
  }
}

/**
 * The Azure guardrails of one stack: runs the rule pack over the stack's Terraform JSON when it is
 * synthesized, and fails synthesis (before anything is written) on any unacknowledged error, listing every
 * finding at once. Acknowledge one next to its construct with `acknowledge()`.
 */
export class PolicyChecks {
  /** Registers the checks on a stack. */
  public static applyTo(stack: TerraformStack, props: PolicyChecksProps): void {
    const rules = props.rules ?? AZURE_RULES;
    Aspects.of(stack).add(new RecordAcknowledgements());
    stack.addOverride(`//.${POLICY_METADATA_KEY}`, { tier: props.tier, rules: rules.map((r) => r.id) });
    stack.node.addValidation({
      validate: () =>
        blockingFindings(checkTerraform(stack.toTerraform(), { tier: props.tier, rules })).map(formatFinding),
    });
  }
}
