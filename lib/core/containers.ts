import { createHash } from 'node:crypto';

/**
 * CPU and memory pairs both clouds run: Fargate allows 0.5-2 GiB at 0.25 vCPU, 1-4 GiB at 0.5, 2-8 GiB at 1,
 * 4-16 GiB at 2 and 8-30 GiB at 4; Azure Container Apps (consumption) requires memory = 2 x CPU. The pairs in
 * both sets are these five.
 */
export const CONTAINER_SIZES = [
  { cpu: 0.25, memoryGiB: 0.5 },
  { cpu: 0.5, memoryGiB: 1 },
  { cpu: 1, memoryGiB: 2 },
  { cpu: 2, memoryGiB: 4 },
  { cpu: 4, memoryGiB: 8 },
] as const;

/** Fargate's allowed memory per CPU, in GiB (for error messages naming what each cloud allows). */
export const FARGATE_MEMORY_GIB: Readonly<Record<string, readonly [number, number]>> = {
  '0.25': [0.5, 2],
  '0.5': [1, 4],
  '1': [2, 8],
  '2': [4, 16],
  '4': [8, 30],
};

/** What is wrong with a CPU and memory pair, or undefined when both clouds run it. */
export function containerSizeProblem(cpu: number, memoryGiB: number): string | undefined {
  if (CONTAINER_SIZES.some((s) => s.cpu === cpu && s.memoryGiB === memoryGiB)) return undefined;
  const pairs = CONTAINER_SIZES.map((s) => `${s.cpu}/${s.memoryGiB}`).join(', ');
  const fargate = FARGATE_MEMORY_GIB[String(cpu)];
  const why =
    fargate === undefined
      ? `${cpu} vCPU is not a Fargate size (0.25, 0.5, 1, 2, 4)`
      : memoryGiB !== cpu * 2
        ? `Azure Container Apps need memory = 2 x cpu (${cpu * 2} GiB)${memoryGiB < fargate[0] || memoryGiB > fargate[1] ? `, and Fargate allows ${fargate[0]}-${fargate[1]} GiB at ${cpu} vCPU` : ''}`
        : 'not a pair both clouds run';
  return `${why}; use a cpu/memoryGiB pair both clouds run: ${pairs}`;
}

/** A parsed container image reference (`registry/repository:tag` or `@sha256:...`). */
export interface ImageReference {
  /** The registry host, when the reference names one (`public.ecr.aws`, `myacr.azurecr.io`). */
  readonly registry?: string;
  /** The repository path. */
  readonly repository: string;
  /** The tag, when the reference has one. */
  readonly tag?: string;
  /** The digest, when the reference has one. */
  readonly digest?: string;
}

/**
 * The longest image reference ECS takes: 255 characters, or for a reference by digest, 255 before the `@`.
 * @see https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html
 */
export const MAX_IMAGE_NAME_LENGTH = 255;

const IMAGE_PATTERN =
  /^(?:(?<registry>(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::\d+)?)\/)?(?<repository>[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?::(?<tag>[\w][\w.-]{0,127}))?(?:@(?<digest>sha256:[a-f0-9]{64}))?$/;

/**
 * Parses an image reference the way Docker does: a registry only when the first part has a dot, a colon or is
 * `localhost`. A reference without tag and digest is refused: `latest` moves, so a deployment would not say
 * which image runs.
 * @returns the parts, or a message saying what is allowed
 */
export function parseImageReference(reference: string): ImageReference | string {
  const allowed =
    'an image reference such as public.ecr.aws/nginx/nginx:1.27 or myacr.azurecr.io/app@sha256:<64 hex>, with a tag or digest';
  // Checked before the pattern, so that a huge value costs nothing to refuse.
  const named = reference.split('@')[0]!;
  if (named.length > MAX_IMAGE_NAME_LENGTH) {
    return `${allowed}, of at most ${MAX_IMAGE_NAME_LENGTH} characters before any @digest (the ECS limit for a container image; Docker's reference grammar allows no longer name); this one has ${named.length.toLocaleString('en-US')}`;
  }
  const match = reference.length > MAX_IMAGE_NAME_LENGTH + 72 ? null : IMAGE_PATTERN.exec(reference);
  if (!match?.groups) return allowed;
  let { registry, repository } = match.groups as { registry?: string; repository: string };
  // "library/nginx" has no registry: a first part counts as one only with a dot, a port or localhost.
  if (registry !== undefined && !/[.:]/.test(registry) && registry !== 'localhost') {
    // Then it is the first part of the repository, which must be lowercase like the rest.
    if (!/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/.test(registry)) return `${allowed} (repository names are lowercase)`;
    repository = `${registry}/${repository}`;
    registry = undefined;
  }
  const { tag, digest } = match.groups;
  if (tag === undefined && digest === undefined)
    return `${allowed} (a moving "latest" cannot be reviewed or rolled back)`;
  if (tag === 'latest' && digest === undefined) return `${allowed}; "latest" moves, pin a version or digest`;
  return {
    ...(registry !== undefined && { registry }),
    repository,
    ...(tag !== undefined && { tag }),
    ...(digest !== undefined && { digest }),
  };
}

/**
 * The number of service stacks an AWS environment spreads its services and jobs over. Fixed, so that adding or
 * removing a workload never moves another to a different stack (a move replaces it); at up to 36 resources per
 * service (a production public service over HTTPS with its web ACL, autoscaling and its API check), 12 stacks of
 * at most 12 hold over 100 services under 90% of CloudFormation's 500-resource limit (the guardrail's margin).
 */
export const WORKLOAD_STACKS = 12;

/** The most services and jobs one workload stack takes before the spec asks to pin one elsewhere. */
export const MAX_WORKLOADS_PER_STACK = 12;

/**
 * The stack a service or job goes to: from a hash of its kind and name, so it never changes while the workload
 * exists, whatever else is added or removed; `pinned` (the spec's `stack`) overrides it.
 * @returns the stack's index, 0 to WORKLOAD_STACKS - 1
 */
export function workloadStackOf(kind: 'service' | 'job', name: string, pinned?: number): number {
  if (pinned !== undefined) return pinned;
  return createHash('sha256').update(`${kind}/${name}`, 'utf8').digest().readUInt32BE(0) % WORKLOAD_STACKS;
}
