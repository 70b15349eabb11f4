import { reviewBetween, type EnvironmentTokens } from '../review/between';
import type { Review } from '../review/model';
import type { SynthesizedStack } from '../review/outputs';
import { resourceGraph } from '../review/resource-graph';
import { buildDiagram } from './diagram';
import { factsOf } from './facts';
import { renderSvg } from './graphviz';
import type { CloudReport, EnvironmentReport, Finding, PlatformReport, ReportCloud } from './model';

/** What {@link buildReport} draws from: output already read, and what the command found. */
export interface ReportInput {
  /** Every synthesized stack to draw (both clouds, every environment). */
  readonly stacks: readonly SynthesizedStack[];
  /** The environments in list order, with the tokens that tell them apart (for the differences). */
  readonly environments: readonly {
    readonly name: string;
    readonly tier: string;
    readonly tokens: EnvironmentTokens;
  }[];
  /** The clouds to draw. */
  readonly clouds: readonly ReportCloud[];
  /** The guardrail findings (`npm run check`'s rows). @default the guardrails were not run */
  readonly findings?: readonly Finding[];
  /** With `--base`: the review of the output against the base, and the base's stacks (for the ghosts). @default none */
  readonly change?: { readonly review: Review; readonly baseStacks: readonly SynthesizedStack[] };
  /** What the output was made from (`working tree`, a commit). */
  readonly head: string;
}

/** The environment name of the delivery pipeline's stacks, drawn on a page of its own (AWS only). */
export const DELIVERY_ENVIRONMENT = 'delivery';

/**
 * The whole report: per environment (in list order, then the delivery pipeline when its stacks are there) and
 * cloud, the diagram (coloured by the change review when there is one), its SVG, the alarms, checks, backup plans,
 * findings and acknowledgements, and the differences from the previous environment on the list.
 */
export async function buildReport(input: ReportInput): Promise<PlatformReport> {
  const names = input.environments.map((e) => e.name);
  const hasDelivery = input.stacks.some((s) => s.environment === DELIVERY_ENVIRONMENT && s.cloud === 'aws');
  const order = [...names, ...(hasDelivery && input.clouds.includes('aws') ? [DELIVERY_ENVIRONMENT] : [])];
  const environments: EnvironmentReport[] = [];
  for (const name of order) {
    const index = names.indexOf(name);
    const spec = index === -1 ? undefined : input.environments[index];
    const previous = index > 0 ? input.environments[index - 1] : undefined;
    const clouds: CloudReport[] = [];
    for (const cloud of input.clouds) {
      const stacks = input.stacks.filter((s) => s.cloud === cloud && s.environment === name);
      if (stacks.length === 0) continue;
      const graph = resourceGraph(stacks, name, cloud);
      const review = input.change?.review.environments.find((e) => e.environment === name && e.cloud === cloud);
      const base = input.change ? resourceGraph(input.change.baseStacks, name, cloud) : undefined;
      const diagram = buildDiagram(graph, { ...(review ? { review } : {}), ...(base ? { base } : {}) });
      const svg = await renderSvg(diagram);
      const facts = factsOf(stacks, cloud);
      const stackNames = new Set(stacks.map((s) => s.stack));
      const between =
        previous && spec
          ? reviewBetween(input.stacks, previous.tokens, spec.tokens, [cloud]).environments.find(
              (e) => e.cloud === cloud,
            )
          : undefined;
      clouds.push({
        cloud,
        diagram,
        svg,
        resourceCount: graph.resources.length,
        ...facts,
        ...(input.findings
          ? { findings: input.findings.filter((f) => f.cloud === cloud && stackNames.has(f.stack)) }
          : {}),
        ...(between && previous ? { between: { from: previous.name, review: between } } : {}),
        ...(review ? { review } : {}),
      });
    }
    if (clouds.length > 0) environments.push({ environment: name, ...(spec ? { tier: spec.tier } : {}), clouds });
  }
  return {
    generatedFrom: {
      head: input.head,
      ...(input.change ? { base: input.change.review.base.commit ?? input.change.review.base.label } : {}),
    },
    environments,
  };
}
