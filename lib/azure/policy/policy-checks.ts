import { Aspects, TerraformResource, type IAspect, type IStackSynthesizer, type TerraformStack } from 'cdktf';
import type { IConstruct } from 'constructs';
import type { ServiceSpec, Tier } from '../../core';
import { acknowledgementsOf } from '../acknowledge';
import {
  ACKNOWLEDGEMENTS_KEY,
  blockingFindings,
  checkTerraform,
  POLICY_METADATA_KEY,
  type PolicyRecord,
  type TerraformJson,
} from './engine';
import type { Finding, PolicyRule } from './rule';
import { AZURE_RULES } from './rules';

/**
 * The port of the HTTPS listener a public container service has on Azure: the Container Apps environment's external
 * ingress, HTTPS only (`allow_insecure_connections = false` refuses HTTP rather than redirecting it).
 */
export const CONTAINER_APPS_HTTPS_PORT = 443;

/**
 * The TCP ports an environment's spec declares public on Azure: 443 when a service is `public` (the ingress of the
 * Container Apps environment), else none. Servers, jobs and private services have no public listener.
 */
export function declaredPublicPorts(services: readonly Pick<ServiceSpec, 'public'>[]): number[] {
  return services.some((s) => s.public) ? [CONTAINER_APPS_HTTPS_PORT] : [];
}

/** Props of {@link PolicyChecks.applyTo}. */
export interface PolicyChecksProps {
  /** The environment's tier: some rules apply to production only. */
  readonly tier: Tier;
  /**
   * The rules to run.
   * @default AZURE_RULES
   */
  readonly rules?: readonly PolicyRule[];
  /**
   * The TCP ports the spec declares public (`declaredPublicPorts(env.services)`): the only ports a network security
   * rule may open to the Internet (PC_AZURE_NSG_INTERNET_INGRESS). Recorded in the stack's `"//"` block.
   * @default - none: nothing is open to the Internet
   */
  readonly publicPorts?: readonly number[];
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
  /**
   * Registers the checks on a stack.
   * @throws Error naming every public port that is not a TCP port number (1-65535)
   */
  public static applyTo(stack: TerraformStack, props: PolicyChecksProps): void {
    const rules = props.rules ?? AZURE_RULES;
    const invalid = (props.publicPorts ?? []).filter((p) => !Number.isInteger(p) || p < 1 || p > 65535);
    if (invalid.length > 0) {
      throw new Error(
        `PolicyChecks on ${stack.node.path}: publicPorts ${invalid.map(String).join(', ')} - each a TCP port number from 1 to 65535`,
      );
    }
    const publicPorts = [...new Set(props.publicPorts ?? [])].sort((a, b) => a - b);
    Aspects.of(stack).add(new RecordAcknowledgements());
    const record: PolicyRecord = { tier: props.tier, rules: rules.map((r) => r.id), publicPorts };
    stack.addOverride(`//.${POLICY_METADATA_KEY}`, record);
    const judged = reuseJudgedConfiguration(stack);
    stack.node.addValidation({
      validate: () =>
        blockingFindings(checkTerraform(judged(), { tier: props.tier, rules, publicPorts })).map(formatFinding),
    });
  }
}

/**
 * Renders a stack's Terraform JSON for the checks so that the synthesis writing it right after does not render it
 * again: about a sixth of an Azure synthesis, every resource resolved once more. Only while the stack's synthesizer
 * runs (between its validations and its `toTerraform()` nothing changes the stack), and only for the next
 * `toTerraform()` call; outside a synthesis (`stack.runAllValidations()` on its own) the checks render their own
 * copy, as a later change to the stack must be seen. The checks only read the JSON.
 *
 * @returns the function the validation renders the stack's JSON with
 */
function reuseJudgedConfiguration(stack: TerraformStack): () => TerraformJson {
  const render = stack.toTerraform.bind(stack);
  const synthesizer: IStackSynthesizer = stack.synthesizer;
  let synthesizing = false;
  let kept: unknown;
  stack.synthesizer = {
    synthesize: (session) => {
      synthesizing = true;
      try {
        synthesizer.synthesize(session);
      } finally {
        synthesizing = false;
        kept = undefined;
      }
    },
  };
  stack.toTerraform = (): unknown => {
    const json = kept ?? render();
    kept = undefined;
    return json;
  };
  return () => {
    const json: unknown = render();
    if (synthesizing) kept = json;
    return json as TerraformJson;
  };
}
