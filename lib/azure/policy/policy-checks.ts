import {
  App,
  Aspects,
  TerraformProvider,
  TerraformResource,
  type IAspect,
  type IStackSynthesizer,
  type TerraformStack,
} from 'cdktf';
import type { IConstruct } from 'constructs';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ServiceSpec, Tier } from '../../core';
import { acknowledgementsOf } from '../acknowledge';
import { declareTier } from '../protection';
import {
  ACKNOWLEDGEMENTS_KEY,
  blockingFindings,
  checkTerraform,
  POLICY_METADATA_KEY,
  providerType,
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

/** The last line of a guardrail failure: what to do about the findings. */
export const POLICY_FAILURE_ADVICE =
  'Fix each finding, or acknowledge it next to its construct with acknowledge(construct, ruleId, reason) (docs/guardrails.md).';

/**
 * The message of a guardrail failure: the stack and its tier, then each finding (its rule, the construct that made
 * the resource, the resource's address and what to set, then how to acknowledge it instead, with a reason that says
 * why it is safe), then {@link POLICY_FAILURE_ADVICE}; pure.
 */
export function formatPolicyFailure(stack: string, tier: Tier, findings: readonly Finding[]): string {
  const lines = findings.flatMap((f) => [
    `  ${formatFinding(f)}`,
    `    or, if it is intended: acknowledge(<the construct at ${f.path ?? f.address}>, '${f.ruleId}', '<why it is safe>')`,
  ]);
  const count = `${findings.length} unacknowledged ${findings.length === 1 ? 'finding' : 'findings'}`;
  return [
    `The Azure guardrails of stack ${stack} (${tier} tier) failed with ${count}:`,
    ...lines,
    POLICY_FAILURE_ADVICE,
  ].join('\n');
}

/**
 * The guardrails of a stack found unacknowledged errors: synthesis stops before any stack of the App is written.
 * Its message lists every finding ({@link formatPolicyFailure}).
 */
export class PolicyError extends Error {
  /**
   * @param stackPath the stack's construct path
   * @param tier the tier its rules ran with
   * @param findings the unacknowledged errors
   */
  constructor(
    public readonly stackPath: string,
    public readonly tier: Tier,
    public readonly findings: readonly Finding[],
  ) {
    super(formatPolicyFailure(stackPath, tier, findings));
    this.name = 'PolicyError';
  }
}

/** Copies the acknowledgements made with `acknowledge()` into each resource's (and provider's) `"//"` comment block. */
class RecordAcknowledgements implements IAspect {
  public visit(node: IConstruct): void {
    if (!TerraformResource.isTerraformResource(node) && !TerraformProvider.isTerraformProvider(node)) return;
    const acknowledged = acknowledgementsOf(node);
    const ids = Object.keys(acknowledged).sort();
    if (ids.length === 0) return;
    node.addOverride(`//.${ACKNOWLEDGEMENTS_KEY}`, Object.fromEntries(ids.map((id) => [id, acknowledged[id]])));
  }
}

/**
 * The Azure guardrails of one stack: runs the rule pack over the stack's Terraform JSON when it is
 * synthesized, and fails synthesis on any unacknowledged error with a {@link PolicyError} that lists every finding
 * at once: its rule, the construct, the resource's address, what to set, and how to acknowledge it next to its
 * construct with `acknowledge()` and a reason.
 *
 * Nothing is written when it fails: the stack's checks run before cdktf writes its cdk.tf.json, and `app.synth()`
 * writes the stacks of the App to a staging folder inside its `outdir` first, moving them into place only when
 * every stack passed, so that a failing second stack leaves no first stack behind. The App's `skipValidation`
 * (for tests that read findings from the output) skips the checks, as it skips cdktf's validations; the policy
 * record in the output still lets `npm run check` judge it.
 *
 * It also states the stack's tier for the constructs in it (`declareTier`): what they default to follows it, unless
 * the stack decided otherwise (`decideProtection`).
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
    declareTier(stack, props.tier);
    Aspects.of(stack).add(new RecordAcknowledgements());
    const record: PolicyRecord = { tier: props.tier, rules: rules.map((r) => r.id), publicPorts };
    stack.addOverride(`//.${POLICY_METADATA_KEY}`, record);
    const judged = reuseJudgedConfiguration(stack);
    const root = stack.node.root;
    if (App.isApp(root)) stageWrites(root);
    stack.node.addValidation({
      validate: () => {
        const blocking = blockingFindings(checkTerraform(judged(), { tier: props.tier, rules, publicPorts }));
        // Thrown rather than returned: cdktf would wrap returned messages in its own error, which advises
        // skipping validation, the guardrails with it.
        if (blocking.length > 0) throw new PolicyError(stack.node.path, props.tier, withProviderPaths(stack, blocking));
        return [];
      },
    });
  }
}

/**
 * The findings with the construct path of the provider they were found on: provider blocks carry no `"//"`
 * metadata in cdk.tf.json, so the engine knows only their address.
 */
function withProviderPaths(stack: TerraformStack, findings: readonly Finding[]): Finding[] {
  const paths = new Map<string, string>();
  for (const node of stack.node.findAll()) {
    if (!TerraformProvider.isTerraformProvider(node)) continue;
    const address = providerType(node.terraformResourceType);
    paths.set(node.alias === undefined ? address : `${address}.${node.alias}`, node.node.path);
  }
  return findings.map((f) => {
    const found = f.path === undefined ? paths.get(f.address) : undefined;
    return found === undefined ? f : { ...f, path: found };
  });
}

/** The Apps whose `synth()` already stages its writes. */
const STAGED = new WeakSet<App>();

/**
 * Makes `app.synth()` write its stacks to a staging folder inside `outdir` and move each stack's folder into place
 * only once every stack synthesized (and passed its guardrails); on a failure the staging folder is removed and
 * `outdir` holds what it held before. cdktf writes each stack as soon as that stack is synthesized, so without this a
 * failing second stack would leave the first one written. The manifest keeps the real `outdir`, and cdktf writes it
 * last, after every stack.
 */
function stageWrites(app: App): void {
  if (STAGED.has(app)) return;
  STAGED.add(app);
  const synth = app.synth.bind(app);
  // cdktf reads `outdir` when a synthesis starts, for the folder each stack is written to.
  const writable = app as { outdir: string };
  app.synth = (): void => {
    const outdir = app.outdir;
    fs.mkdirSync(outdir, { recursive: true });
    const staging = fs.mkdtempSync(path.join(outdir, '.staging-'));
    const staged = path.join(staging, 'stacks');
    // cdktf makes each stack's folder, not the folder of stacks (the manifest made that in the real outdir).
    fs.mkdirSync(staged);
    writable.outdir = staging;
    try {
      synth();
      writable.outdir = outdir;
      fs.mkdirSync(path.join(outdir, 'stacks'), { recursive: true });
      for (const name of fs.readdirSync(staged)) {
        const target = path.join(outdir, 'stacks', name);
        fs.rmSync(target, { recursive: true, force: true });
        fs.renameSync(path.join(staged, name), target);
      }
    } finally {
      writable.outdir = outdir;
      fs.rmSync(staging, { recursive: true, force: true });
    }
  };
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
