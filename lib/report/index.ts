/**
 * Drawing synthesized output (cdk.out/, cdktf.out/) as a static site: per environment and cloud a diagram laid out by
 * Graphviz, the alarms, checks, backup plans, guardrail findings and acknowledgements, the differences between
 * environments, and with a base the review on the diagram. Reads what lib/review reads; no cloud library.
 */
export * from './model';
export { buildReport, DELIVERY_ENVIRONMENT, type ReportInput } from './report';
export { buildDiagram, nodeCount, type DiagramOptions } from './diagram';
export { toDot } from './dot';
export { renderSvg } from './graphviz';
export { categoryOf } from './icons';
export { factsOf } from './facts';
export { renderSite, pageFile, sectionsOf, SECTIONS, type Section } from './site';
