import type { ChangeAction, EnvironmentReview } from '../review/model';
import type { EdgeKind } from '../review/resource-graph';

/** The two clouds a report draws. */
export type ReportCloud = 'aws' | 'azure';

/** What a diagram node's glyph shows: the kind of thing a component is, named in words beside the glyph. */
export type Category =
  | 'network'
  | 'server'
  | 'container'
  | 'kubernetes'
  | 'job'
  | 'storage'
  | 'database'
  | 'key'
  | 'logs'
  | 'alarm'
  | 'notification'
  | 'backup'
  | 'identity'
  | 'check'
  | 'load-balancer'
  | 'pipeline'
  | 'generic';

/** What a change does to a diagram node: a {@link ChangeAction}, or `ghost` for a node only the base has (destroyed). */
export type NodeChange = ChangeAction | 'ghost';

/** One node of a diagram: a component (`servers/web`), or several alike collapsed into one (`services ×98`). */
export interface DiagramNode {
  /** Unique within the diagram, safe as an XML id part (`[a-z0-9-]`). */
  readonly id: string;
  /** The group it is drawn in (kebab-case: `network`, `monitoring`, `servers`, `services` ...). */
  readonly group: string;
  /** The text drawn in the node (`web`, `services ×98`). */
  readonly label: string;
  /** The glyph's category. */
  readonly category: Category;
  /** The resource keys it stands for (`stack/logicalId` or `stack/type.name`). */
  readonly resources: readonly string[];
  /** 1, or the number of members collapsed into it. */
  readonly repeated: number;
  /** The member names it stands for (one, or the collapsed ones). */
  readonly members: readonly string[];
  /** Auxiliary resources folded into it, by short type name (`Alarm: 12`). */
  readonly folded: Readonly<Record<string, number>>;
  /** The most severe change among its resources, with `--base`; absent when nothing changes. */
  readonly change?: NodeChange;
  /** A change to it loses data. */
  readonly dataLoss: boolean;
  /** A change to it widens access. */
  readonly broadened: boolean;
}

/** One edge of a diagram, between nodes: references folded to one edge per pair and kind. */
export interface DiagramEdge {
  /** The node that refers. */
  readonly from: string;
  /** The node referred to. */
  readonly to: string;
  /** How the reference is made. */
  readonly kind: EdgeKind;
  /** How many resource-level references it stands for. */
  readonly count: number;
}

/** The diagram of one environment on one cloud. */
export interface Diagram {
  /** The environment name. */
  readonly environment: string;
  /** The cloud. */
  readonly cloud: ReportCloud;
  /** The groups in drawing order, each with its nodes. */
  readonly groups: readonly { readonly name: string; readonly nodes: readonly DiagramNode[] }[];
  /** The edges between nodes. */
  readonly edges: readonly DiagramEdge[];
}

/** One alarm as the synthesized output defines it. */
export interface AlarmFact {
  /** The alarm's name (its id in the alarm registry is part of it). */
  readonly id: string;
  /** What it measures: `AWS/EC2 CPUUtilization (Average)`, `Percentage CPU`, a log query. */
  readonly measures: string;
  /** When it fires, in words: `≥ 90 for 3 × 5 min`. */
  readonly threshold: string;
  /** `critical` or `warning` (from the description the alarm registry writes), or what the cloud's severity says. */
  readonly severity: string;
  /** Where it is routed: topic or action group names and their endpoints, as text. */
  readonly routedTo: readonly string[];
  /** What it means, from its description. */
  readonly description: string;
  /** The first thing to do, from its description, when it says. */
  readonly firstResponse?: string;
  /** The resource key of the alarm itself. */
  readonly resource: string;
}

/** One synthetic check: a canary (AWS), a web test or probe job (Azure). */
export interface CheckFact {
  /** The check's name. */
  readonly name: string;
  /** `canary`, `web test`, `probe`. */
  readonly kind: string;
  /** What it calls (a URL or host), as text. */
  readonly target: string;
  /** How often it runs, in words. */
  readonly schedule: string;
}

/** One backup plan or policy. */
export interface BackupFact {
  /** The plan or policy name. */
  readonly plan: string;
  /** Its rules. */
  readonly rules: readonly {
    readonly name: string;
    readonly schedule: string;
    readonly retention: string;
    readonly coldAfter?: string;
    readonly copyTo?: string;
  }[];
  /** The vault it writes to. */
  readonly vault: string;
  /** The vault's lock or immutability, in words, when set. */
  readonly lock?: string;
  /** What it protects, in words (`resources tagged platform:backup`, `VMs web-1, web-2`). */
  readonly selection: string;
  /** How its recovery points are restored to prove they work, in words, when a restore test is set. */
  readonly restoreTest?: string;
}

/** What a report lists of one environment on one cloud besides its diagram (`factsOf` in facts.ts). */
export interface CloudFacts {
  /** Every alarm, by name. */
  readonly alarms: readonly AlarmFact[];
  /** Every synthetic check, by name. */
  readonly checks: readonly CheckFact[];
  /** Every backup plan or policy, by name. */
  readonly backup: readonly BackupFact[];
  /** Every acknowledgement in the output with its reason, by resource. */
  readonly acknowledgements: readonly Acknowledgement[];
}

/** One guardrail finding, as `npm run check` reports it (bin/cli/check.ts `CheckRow` has this shape). */
export interface Finding {
  /** The cloud. */
  readonly cloud: ReportCloud;
  /** The stack name. */
  readonly stack: string;
  /** The rule id. */
  readonly rule: string;
  /** `error` or `warning`. */
  readonly severity: 'error' | 'warning';
  /** The logical ID (with its path) or Terraform address. */
  readonly resource: string;
  /** What the rule says. */
  readonly message: string;
  /** The reason, when the finding is acknowledged in code. */
  readonly acknowledgedBy?: string;
}

/** One acknowledgement in the code: of a guardrail finding, or of a change's risk for the review. */
export interface Acknowledgement {
  /** A guardrail rule's, or a change's (`acknowledgeChange`). */
  readonly kind: 'guardrail' | 'change';
  /** The rule id, or the risk (`data-loss`, `security`). */
  readonly rule: string;
  /** The stack and resource it is on. */
  readonly resource: string;
  /** Why it is safe. */
  readonly reason: string;
}

/** Everything a report shows for one environment on one cloud. */
export interface CloudReport {
  /** The cloud. */
  readonly cloud: ReportCloud;
  /** The diagram. */
  readonly diagram: Diagram;
  /** The diagram rendered to SVG (self-contained, ids prefixed by environment and cloud). */
  readonly svg: string;
  /** How many resources the environment has on this cloud. */
  readonly resourceCount: number;
  /** The alarms. */
  readonly alarms: readonly AlarmFact[];
  /** The synthetic checks. */
  readonly checks: readonly CheckFact[];
  /** The backup plans or policies. */
  readonly backup: readonly BackupFact[];
  /** The guardrail findings, acknowledged ones included; absent when the guardrails were not run. */
  readonly findings?: readonly Finding[];
  /** Every acknowledgement with its reason. */
  readonly acknowledgements: readonly Acknowledgement[];
  /** What this environment has that the previous one in the list does not (`--between`); absent for the first. */
  readonly between?: { readonly from: string; readonly review: EnvironmentReview };
  /** With `--base`: what deploying this output over the base does. */
  readonly review?: EnvironmentReview;
}

/** One environment's page. */
export interface EnvironmentReport {
  /** The environment name (`dev`, or `delivery` for the pipeline's stacks). */
  readonly environment: string;
  /** Its tier, when it is one of the environment list's. */
  readonly tier?: string;
  /** Per cloud, AWS first. */
  readonly clouds: readonly CloudReport[];
}

/** A whole report. */
export interface PlatformReport {
  /** What it was made from: the head (`working tree` or a commit), and the base with `--base`. */
  readonly generatedFrom: { readonly head: string; readonly base?: string };
  /** The environments in list order (the delivery pipeline last). */
  readonly environments: readonly EnvironmentReport[];
}
