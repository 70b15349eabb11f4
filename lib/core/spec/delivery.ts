import { z } from 'zod';
import { IssueCollector, SpecError } from '../errors';
import type { Tier } from '../tiers';
import { PLATFORM_PREFIX } from '../prefix';
import { baseShape } from './base';
import type { Environment } from './environment';
import { genericMessage, deepFreeze } from './parsing';
import { rawInputIssues } from './raw-input';
import { zodIssuesToSpecIssues } from './zod-issues';

/** The infrastructure-as-code tools the Azure delivery can run. */
export const DELIVERY_TOOLS = ['terraform', 'opentofu'] as const;

/** An infrastructure-as-code tool the Azure delivery runs: Terraform or OpenTofu. */
export type DeliveryTool = (typeof DELIVERY_TOOLS)[number];

/**
 * The tool versions the Azure delivery installs when the spec names none: current releases that read the
 * `required_version >= 1.5.0` the Azure stacks declare.
 */
export const DEFAULT_TOOL_VERSIONS: Readonly<Record<DeliveryTool, string>> = {
  terraform: '1.13.4',
  opentofu: '1.10.6',
};

/** The name of the AWS delivery pipeline and of its stack. */
export const DELIVERY_PIPELINE_NAME = `${PLATFORM_PREFIX}-delivery`;

const CONNECTION_ARN =
  /^arn:aws[\w-]*:(?:codeconnections|codestar-connections):([a-z0-9-]+):(\d{12}):connection\/[0-9a-f-]{36}$/;

const deliverySchema = z.strictObject({
  repository: z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9]|-(?!-)){0,38}\/[A-Za-z0-9._-]{1,100}$/, {
    error: 'a GitHub repository as owner/name, such as acme/platform',
  }),
  branch: z
    .string()
    .regex(/^(?!.*\.\.)(?!.*\/\/)[A-Za-z0-9][A-Za-z0-9._/-]{0,99}(?<![./])$/, {
      error: 'a branch name of letters, digits, dots, hyphens, underscores and slashes, such as main',
    })
    .optional(),
  aws: z
    .strictObject({
      account: baseShape.aws.shape.account,
      region: baseShape.aws.shape.region,
      connectionArn: z
        .string({ error: 'required: the ARN of a CodeConnections connection to the repository' })
        .regex(CONNECTION_ARN, {
          error: 'a CodeConnections connection ARN: arn:aws:codeconnections:<region>:<account>:connection/<id>',
        }),
      approvalEmails: z
        .array(z.email({ error: 'an email address' }))
        .max(10, { error: 'at most 10 addresses' })
        .optional(),
    })
    .optional(),
  azure: z
    .strictObject({
      tool: z.enum(DELIVERY_TOOLS, { error: `one of ${DELIVERY_TOOLS.map((t) => `'${t}'`).join(', ')}` }).optional(),
      version: z
        .string()
        .regex(/^\d+\.\d+\.\d+$/, { error: 'an exact release such as 1.13.4, so every run applies with the same tool' })
        .optional(),
    })
    .optional(),
});

/** What the delivery definition file writes: the delivery spec before defaults. */
export type DeliveryInput = z.input<typeof deliverySchema>;

/** The AWS side of a resolved delivery: the pipeline's account and its source. */
export interface AwsDelivery {
  /** The delivery (tooling) account that runs the pipeline. */
  readonly account: string;
  /** The region of the pipeline (environments in other regions are reached through cross-region support stacks). */
  readonly region: string;
  /** The CodeConnections connection the pipeline reads the repository through. */
  readonly connectionArn: string;
  /** Who is told that a production deployment waits for approval or for a permissions-broadening review. */
  readonly approvalEmails: readonly string[];
}

/** The Azure side of a resolved delivery: what the GitHub Actions workflows run. */
export interface AzureDelivery {
  /** `terraform` or `opentofu`. */
  readonly tool: DeliveryTool;
  /** The exact release of the tool the workflows install. */
  readonly version: string;
}

/** A resolved, frozen delivery: where changes come from and the environments they are promoted through, in order. */
export interface DeliverySpec {
  /** The GitHub repository (`owner/name`). */
  readonly repository: string;
  /** The branch whose commits are delivered; pull requests into it are planned and reviewed. */
  readonly branch: string;
  /** Every environment, in the order a change is promoted through them (the environment list's order). */
  readonly environments: readonly Environment[];
  /** The AWS pipeline, when the platform delivers to AWS. */
  readonly aws?: AwsDelivery;
  /** The Azure workflows, when the platform delivers to Azure. */
  readonly azure?: AzureDelivery;
}

/**
 * Validates a delivery against the environments it promotes a change through, in the environment list's order:
 * a development-tier environment never follows a production-tier one; the AWS pipeline has a connection in its own
 * account and region; no two environments in one AWS account and
 * region have names whose resources would clash; on Azure every environment keeps its state in its own blob.
 *
 * @param input the delivery definition.
 * @param environments every environment, resolved, in deployment order (`defineEnvironments`).
 * @throws SpecError listing every problem at once, each with its path (`delivery.aws.connectionArn`,
 *   `environments[2].tier`), the value and what is allowed.
 */
export function defineDelivery(input: DeliveryInput, environments: readonly Environment[]): DeliverySpec {
  const issues = new IssueCollector();
  issues.addAll(rawInputIssues(input, 'delivery'));
  const parsed = deliverySchema.safeParse(input, { error: genericMessage });
  if (!parsed.success && issues.issues.length === 0) {
    issues.addAll(zodIssuesToSpecIssues(parsed.error.issues, input, deliverySchema, 'delivery'));
  }
  const data = parsed.success ? parsed.data : undefined;
  if (data && !data.aws && !data.azure) {
    issues.add('delivery', undefined, 'at least one of aws or azure: the clouds the platform is delivered to');
  }

  checkOrder(environments, issues);
  if (data?.aws) checkAws(data.aws, environments, issues);
  if (data?.azure) checkAzure(environments, issues);
  issues.throwIfAny('Invalid delivery');
  if (!data) throw new SpecError([{ path: 'delivery', value: input, message: 'a delivery definition' }]);

  return deepFreeze({
    repository: data.repository,
    branch: data.branch ?? 'main',
    environments: [...environments],
    ...(data.aws && {
      aws: {
        account: data.aws.account,
        region: data.aws.region,
        connectionArn: data.aws.connectionArn,
        approvalEmails: data.aws.approvalEmails ?? [],
      },
    }),
    ...(data.azure && {
      azure: {
        tool: data.azure.tool ?? 'terraform',
        version: data.azure.version ?? DEFAULT_TOOL_VERSIONS[data.azure.tool ?? 'terraform'],
      },
    }),
  });
}

/** A change reaches production-tier environments only after every development-tier one. */
function checkOrder(environments: readonly Environment[], issues: IssueCollector): void {
  const firstProduction = environments.findIndex((e) => e.tier === 'production');
  if (firstProduction < 0) return;
  environments.forEach((env, index) => {
    if (index > firstProduction && env.tier === 'development') {
      issues.add(
        `environments[${index}].tier`,
        env.tier,
        `a development-tier environment ('${env.name}') cannot be promoted to after a production-tier one ` +
          `(environments[${firstProduction}] '${environments[firstProduction]!.name}'); move it before`,
      );
    }
  });
}

function checkAws(
  aws: NonNullable<DeliveryInput['aws']>,
  environments: readonly Environment[],
  issues: IssueCollector,
): void {
  const arn = CONNECTION_ARN.exec(aws.connectionArn);
  if (arn && arn[1] !== aws.region) {
    issues.add(
      'delivery.aws.connectionArn',
      aws.connectionArn,
      `a connection in the pipeline's region ${aws.region}; this one is in ${arn[1]}`,
    );
  }
  if (arn && arn[2] !== aws.account) {
    issues.add(
      'delivery.aws.connectionArn',
      aws.connectionArn,
      `a connection in the pipeline's account ${aws.account}; this one is in ${arn[2]}`,
    );
  }
  // Names scoped to an account and region (`platform-<env>-<resource>`: canaries, alarms, roles, log groups) clash
  // when one environment's name and a hyphen begin another's in the same place: `prod` with the check `eu-api` and
  // `prod-eu` with the check `api` both name a canary platform-prod-eu-api. The pipeline's own names
  // (platform-delivery-*) take part in its account and region.
  environments.forEach((b, j) => {
    const where = `${b.aws.account} ${b.aws.region}`;
    const same = (a: Environment): boolean => a.aws.account === b.aws.account && a.aws.region === b.aws.region;
    environments.forEach((a, i) => {
      if (i !== j && same(a) && b.name.startsWith(`${a.name}-`)) {
        issues.add(
          `environments[${j}].name`,
          b.name,
          `a name that does not begin with '${a.name}-' (environments[${i}].name) in the same account and region ` +
            `(${where}): resources named ${PLATFORM_PREFIX}-${a.name}-* would clash; use another account or name`,
        );
      }
    });
    if (b.name === 'delivery') {
      issues.add(
        `environments[${j}].name`,
        b.name,
        `another name: 'delivery' names the pipeline's stacks (${DELIVERY_PIPELINE_NAME}) and their golden list`,
      );
    } else if (b.aws.account === aws.account && b.aws.region === aws.region && b.name.startsWith('delivery-')) {
      issues.add(
        `environments[${j}].name`,
        b.name,
        `a name that does not begin with 'delivery' in the pipeline's account and region (${where}): ` +
          `the pipeline's resources are named ${DELIVERY_PIPELINE_NAME}-*`,
      );
    }
  });
}

function checkAzure(environments: readonly Environment[], issues: IssueCollector): void {
  const blobs = new Map<string, string>();
  for (const env of environments) {
    const backend = env.azure.backend;
    if (!backend) {
      issues.add(
        `${env.name}.azure.backend`,
        undefined,
        'required to apply from GitHub Actions: an azurerm state backend (local state does not outlive the runner)',
      );
      continue;
    }
    const blob = [backend.storageAccountName, backend.containerName, backend.key].join('/');
    const first = blobs.get(blob);
    if (first === undefined) blobs.set(blob, env.name);
    else
      issues.add(
        `${env.name}.azure.backend.key`,
        backend.key,
        `a state blob of its own; ${first}.azure.backend keeps its state in ${blob} already`,
      );
  }
}

/**
 * Which environments a change waits for a person before (the review gate, on AWS also the permissions-broadening
 * check, then an approval): every production-tier environment but the first of several. With more than one, the
 * first (staging) is the rehearsal: deployed with production's guardrails and no one in the loop, so that what
 * reaches a gate has already run in production-tier settings. A lone production-tier environment is gated.
 *
 * @param tiers the tier of each environment, in delivery order
 * @returns one flag per environment, in the same order
 */
export function gatedEnvironments(tiers: readonly Tier[]): boolean[] {
  const production = tiers.flatMap((tier, index) => (tier === 'production' ? [index] : []));
  const rehearsal = production.length > 1 ? production[0] : undefined;
  return tiers.map((tier, index) => tier === 'production' && index !== rehearsal);
}
