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
  /**
   * The guardrail findings (`npm run check`'s rows), or the promise of them: awaited once the diagrams and the
   * differences are drawn, so the guardrails can run in another process meanwhile.
   * @default the guardrails were not run
   */
  readonly findings?: readonly Finding[] | PromiseLike<readonly Finding[]>;
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
  const drawn: { name: string; tier?: string; clouds: { report: CloudReport; stacks: Set<string> }[] }[] = [];
  for (const name of order) {
    const index = names.indexOf(name);
    const spec = index === -1 ? undefined : input.environments[index];
    const previous = index > 0 ? input.environments[index - 1] : undefined;
    const clouds: { report: CloudReport; stacks: Set<string> }[] = [];
    for (const cloud of input.clouds) {
      const stacks = input.stacks.filter((s) => s.cloud === cloud && s.environment === name);
      if (stacks.length === 0) continue;
      const graph = resourceGraph(stacks, name, cloud);
      const review = input.change?.review.environments.find((e) => e.environment === name && e.cloud === cloud);
      const base = input.change ? resourceGraph(input.change.baseStacks, name, cloud) : undefined;
      const diagram = buildDiagram(graph, { ...(review ? { review } : {}), ...(base ? { base } : {}) });
      const svg = await renderSvg(diagram);
      const facts = factsOf(stacks, cloud);
      const between =
        previous && spec
          ? reviewBetween(input.stacks, previous.tokens, spec.tokens, [cloud]).environments.find(
              (e) => e.cloud === cloud,
            )
          : undefined;
      const report: CloudReport = {
        cloud,
        diagram,
        svg,
        resourceCount: graph.resources.length,
        ...facts,
        ...(between && previous ? { between: { from: previous.name, review: between } } : {}),
        ...(review ? { review } : {}),
      };
      clouds.push({ report, stacks: new Set(stacks.map((s) => s.stack)) });
    }
    if (clouds.length > 0) drawn.push({ name, ...(spec ? { tier: spec.tier } : {}), clouds });
  }
  // Awaited last: the guardrails may still be running in another process while the above is drawn.
  const findings = input.findings === undefined ? undefined : await input.findings;
  const environments: EnvironmentReport[] = drawn.map(({ name, tier, clouds }) => ({
    environment: name,
    ...(tier !== undefined ? { tier } : {}),
    clouds: clouds.map(({ report: { between, review, ...report }, stacks }) => ({
      ...report,
      ...(findings ? { findings: findings.filter((f) => f.cloud === report.cloud && stacks.has(f.stack)) } : {}),
      ...(between ? { between } : {}),
      ...(review ? { review } : {}),
    })),
  }));
  return {
    generatedFrom: {
      head: input.head,
      ...(input.change ? { base: input.change.review.base.commit ?? input.change.review.base.label } : {}),
    },
    environments,
  };
}
