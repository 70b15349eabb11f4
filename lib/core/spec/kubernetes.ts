import { z } from 'zod';
import { parseCidr } from '../cidr';
import { pathKey } from '../errors';
import {
  DEFAULT_KUBERNETES_VERSION,
  KUBERNETES_VERSIONS,
  type KubernetesEgressRule,
  type KubernetesSpec,
  type NodePoolSpec,
} from '../kubernetes';
import { KUBERNETES_ALARMS, kubernetesAlarmId, type KubernetesAlarmKind } from '../kubernetes-alarms';
import { SERVER_SIZE_NAMES, SERVER_SIZES, type ServerSize } from '../server-sizes';
import type { MonitoringSpec } from './monitoring';
import type { NetworkSpec } from './network';
import { defineSection } from './section';
import { textSchema } from './text';

/**
 * The limits of a cluster, the same on both clouds.
 * - `poolName`: AKS node pool names (Linux) are 1-12 lowercase letters and digits, starting with a letter.
 * - `nodeCount`: per pool; EKS managed node groups and AKS pools both scale from 1 to well above 100, and a bigger
 *   pool belongs in its own cluster.
 * - `diskGiB`: the node OS disk; 30 GiB holds the AL2023 and Ubuntu node images with room for images and logs.
 * - `pools`: AKS allows 100 pools, but every pool is a node group or pool to upgrade: ten is plenty.
 */
export const KUBERNETES_LIMITS = {
  poolName: { pattern: /^[a-z][a-z0-9]{0,11}$/, maxLength: 12 },
  nodeCount: { min: 1, max: 100 },
  zones: { min: 1, max: 3 },
  diskGiB: { min: 30, max: 1024 },
  pools: { min: 1, max: 10 },
  publicCidrs: { max: 40 },
  egressRules: { max: 50 },
} as const;

/** The node OS disk when the spec names none, in GiB. */
export const DEFAULT_NODE_DISK_GIB = 64;

/** The tier defaults of the `kubernetes` section: the system pool a cluster gets when the spec lists no pools. */
export interface KubernetesDefaults {
  /** The default system pool's node size. */
  readonly systemPoolSize: ServerSize;
  /** The fewest nodes of the default system pool. */
  readonly systemPoolMinCount: number;
  /** The most nodes of the default system pool. */
  readonly systemPoolMaxCount: number;
}

const VERSION_RULE = `a Kubernetes version both clouds offer: ${KUBERNETES_VERSIONS.join(', ')}`;
const POOL_NAME_RULE =
  'a node pool name of 1-12 lowercase letters and digits, starting with a letter (the AKS limit), such as system or apps';
const SIZE_RULE = `one of ${SERVER_SIZE_NAMES.map((s) => `${s} (${SERVER_SIZES[s].vcpus} vCPU, ${SERVER_SIZES[s].memoryGiB} GiB)`).join(', ')}`;
const { nodeCount, diskGiB, zones } = KUBERNETES_LIMITS;
const COUNT_RULE = `a whole number of nodes from ${nodeCount.min} to ${nodeCount.max}`;
const DISK_RULE = `a whole number of GiB from ${diskGiB.min} to ${diskGiB.max}`;
const ZONES_RULE = `a whole number of zones from ${zones.min} to ${zones.max} (the first zones of the environment's network)`;

function wholeNumber(limit: { readonly min: number; readonly max: number }, rule: string): z.ZodNumber {
  return z.number({ error: rule }).int({ error: rule }).min(limit.min, { error: rule }).max(limit.max, { error: rule });
}

/** An IPv4 block in CIDR notation (public or private). */
function cidrSchema(rule: string): z.ZodType<string, string> {
  return textSchema(rule, (text) => {
    const block = parseCidr(text);
    return typeof block === 'string' ? `${rule}: ${block}` : undefined;
  });
}

const ROLE_ARN_RULE = 'an IAM role ARN such as arn:aws:iam::123456789012:role/platform-admins';
const GUID_RULE = 'an Entra ID group object ID, a GUID such as 00000000-0000-0000-0000-000000000000';

const poolSchema = z
  .strictObject({
    name: z.string({ error: POOL_NAME_RULE }).regex(KUBERNETES_LIMITS.poolName.pattern, { error: POOL_NAME_RULE }),
    size: z.enum(SERVER_SIZE_NAMES, { error: SIZE_RULE }),
    minCount: wholeNumber(nodeCount, COUNT_RULE),
    maxCount: wholeNumber(nodeCount, COUNT_RULE),
    zones: wholeNumber(zones, ZONES_RULE).optional(),
    system: z.boolean({ error: 'true for the system pool (exactly one), false or left out for the others' }).optional(),
    diskGiB: wholeNumber(diskGiB, DISK_RULE).optional(),
  })
  // Judged on the raw entry, so that a pool with another bad field also hears of this.
  .superRefine(
    (raw, ctx) => {
      const pool = raw as { minCount?: unknown; maxCount?: unknown } | null;
      if (typeof pool?.minCount === 'number' && typeof pool.maxCount === 'number' && pool.minCount > pool.maxCount) {
        ctx.addIssue({
          code: 'custom',
          path: ['maxCount'],
          input: pool.maxCount,
          message: `at least minCount (${pool.minCount}), at most ${nodeCount.max}`,
        });
      }
    },
    { when: () => true },
  );

const egressSchema = z.strictObject({
  cidr: cidrSchema('a destination IPv4 block in CIDR notation, such as 203.0.113.0/24 or 0.0.0.0/0'),
  ports: z
    .array(wholeNumber({ min: 1, max: 65535 }, 'a TCP port from 1 to 65535'), { error: 'a list of TCP ports' })
    .min(1, { error: 'at least one TCP port' })
    .max(20, { error: 'at most 20 ports per rule' }),
  description: textSchema('a description of 1-255 characters saying why workloads need it', (text) =>
    text.trim().length >= 1 && text.length <= 255
      ? undefined
      : 'a description of 1-255 characters saying why workloads need it',
  ),
});

/**
 * The `kubernetes` section: one managed cluster per environment (EKS on AWS, AKS on Azure), private by default,
 * with its node pools, who may reach its API, where its workloads may connect, and who administers it.
 */
export const kubernetesSection = defineSection({
  schema: z
    .strictObject({
      version: z.enum(KUBERNETES_VERSIONS, { error: VERSION_RULE }).optional(),
      pools: z
        .array(poolSchema, { error: 'a list of node pools' })
        .min(KUBERNETES_LIMITS.pools.min, { error: 'at least one node pool (the system pool)' })
        .max(KUBERNETES_LIMITS.pools.max, { error: `at most ${KUBERNETES_LIMITS.pools.max} node pools` })
        .optional(),
      api: z
        .strictObject({
          publicCidrs: z
            .array(cidrSchema('an IPv4 block in CIDR notation, such as 203.0.113.0/24'))
            .max(KUBERNETES_LIMITS.publicCidrs.max, {
              error: `at most ${KUBERNETES_LIMITS.publicCidrs.max} blocks (the EKS limit)`,
            })
            .optional(),
        })
        .optional(),
      egress: z
        .array(egressSchema)
        .max(KUBERNETES_LIMITS.egressRules.max, { error: `at most ${KUBERNETES_LIMITS.egressRules.max} rules` })
        .optional(),
      admins: z
        .strictObject({
          aws: z
            .array(
              z
                .string({ error: ROLE_ARN_RULE })
                .regex(/^arn:aws(?:-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, { error: ROLE_ARN_RULE }),
            )
            .optional(),
          azure: z
            .array(
              z
                .string({ error: GUID_RULE })
                .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, { error: GUID_RULE }),
            )
            .optional(),
        })
        .optional(),
    })
    .optional(),
  // Lists with an invalid entry still have their valid entries checked, so that one run reports every problem.
  partial: true,
  defaults: {
    development: { systemPoolSize: 'medium', systemPoolMinCount: 2, systemPoolMaxCount: 4 },
    // Three nodes, one per zone, keep the add-ons running through the loss of a zone.
    production: { systemPoolSize: 'medium', systemPoolMinCount: 3, systemPoolMaxCount: 6 },
  } satisfies Record<string, KubernetesDefaults>,
  resolve: (input, { defaults, sections, tier }): KubernetesSpec | undefined => {
    if (input === undefined) return undefined;
    const network = sections.network as NetworkSpec | undefined;
    // Without a valid network the zone count is the tier's (the network's own problem is reported there).
    const environmentZones = network?.zones ?? (tier === 'production' ? 3 : 2);
    const given = input.pools;
    const pools: NodePoolSpec[] =
      given === undefined
        ? [
            {
              name: 'system',
              size: defaults.systemPoolSize,
              minCount: defaults.systemPoolMinCount,
              maxCount: defaults.systemPoolMaxCount,
              zones: environmentZones,
              system: true,
              diskGiB: DEFAULT_NODE_DISK_GIB,
            },
          ]
        : [];
    const indexes: number[] = [];
    // A partly valid list has holes where its invalid entries were: forEach skips them.
    given?.forEach((pool, i) => {
      indexes.push(i);
      pools.push({
        name: pool.name,
        size: pool.size,
        minCount: pool.minCount,
        maxCount: pool.maxCount,
        zones: pool.zones ?? environmentZones,
        system: pool.system === true,
        diskGiB: pool.diskGiB ?? DEFAULT_NODE_DISK_GIB,
      });
    });
    // The system pool first: AKS makes it the default node pool, and both clouds create it before the others.
    const order = pools.map((_, i) => i).sort((a, b) => Number(pools[b]!.system) - Number(pools[a]!.system));
    const egress: KubernetesEgressRule[] = [];
    input.egress?.forEach((rule) =>
      egress.push({
        cidr: rule.cidr,
        ports: [...new Set(rule.ports)].sort((a, b) => a - b),
        description: rule.description,
      }),
    );
    const spec: KubernetesSpec = {
      version: input.version ?? DEFAULT_KUBERNETES_VERSION,
      pools: order.map((i) => pools[i]!),
      publicApiCidrs: [...new Set(input.api?.publicCidrs ?? [])].sort(),
      egress,
      admins: {
        aws: [...new Set(input.admins?.aws ?? [])].sort(),
        azure: [...new Set((input.admins?.azure ?? []).map((g) => g.toLowerCase()))].sort(),
      },
    };
    INPUT_POSITIONS.set(spec, {
      pools: given === undefined ? undefined : order.map((i) => indexes[i]!),
      complete: given === undefined || indexes.length === given.length,
    });
    return spec;
  },
  check: (spec, env, report) => {
    if (spec === undefined) return;
    const positions = INPUT_POSITIONS.get(spec);
    // Paths name the pool as the spec lists it; the default pool is named by the section.
    const at = (i: number): string =>
      positions?.pools === undefined ? 'kubernetes.pools' : `kubernetes.pools[${positions.pools[i]}]`;
    const network = env.sections.network as NetworkSpec | undefined;
    const seen = new Map<string, string>();
    spec.pools.forEach((pool, i) => {
      const first = seen.get(pool.name);
      if (first !== undefined) report(`${at(i)}.name`, pool.name, `a name no other pool has (${first} has it)`);
      else seen.set(pool.name, at(i));
      if (network && pool.zones > network.zones) {
        report(
          `${at(i)}.zones`,
          pool.zones,
          `at most ${network.zones}: the environment's network spans ${network.zones} zones`,
        );
      }
      if (pool.system && env.tier === 'production' && pool.minCount < pool.zones) {
        report(
          `${at(i)}.minCount`,
          pool.minCount,
          `at least ${pool.zones} in a production-tier environment: one system node per zone (${pool.zones}) keeps the cluster's add-ons running through the loss of a zone`,
        );
      }
    });
    const system = spec.pools.filter((p) => p.system);
    if (system.length > 1) {
      spec.pools.forEach((pool, i) => {
        if (pool.system && i > 0) {
          report(
            `${at(i)}.system`,
            true,
            `exactly one system pool; ${at(0)} is the system pool already (it runs the cluster's add-ons)`,
          );
        }
      });
    } else if (system.length === 0 && positions?.complete !== false) {
      report(
        'kubernetes.pools',
        spec.pools.map((p) => p.name),
        "exactly one pool with system: true (it runs the cluster's add-ons; AKS makes it the default node pool)",
      );
    }
    if (env.tier === 'production') {
      spec.publicApiCidrs.forEach((cidr) => {
        const block = parseCidr(cidr);
        if (typeof block !== 'string' && block.prefix === 0) {
          report(
            'kubernetes.api.publicCidrs',
            cidr,
            "the blocks of the networks administrators work from, never the whole Internet in a production-tier environment (leave publicCidrs out to keep the API private; it is reached from the environment's network)",
          );
        }
      });
    }
    checkAlarmThresholds(env.sections.monitoring as MonitoringSpec | undefined, report);
  },
});

/**
 * Where the resolved pools came from in the spec (the system pool is moved first), so that a problem names the pool
 * as the spec lists it; and whether every listed pool parsed (a missing system pool may be an invalid entry).
 */
const INPUT_POSITIONS = new WeakMap<KubernetesSpec, { pools?: readonly number[]; complete: boolean }>();

/**
 * The Kubernetes alarms count nodes, restarts and 5xx answers: a threshold below 1 would fire always, and a
 * fraction means nothing. Checked here rather than in `monitoring`, which knows no alarm by name.
 */
function checkAlarmThresholds(
  monitoring: MonitoringSpec | undefined,
  report: (path: string, value: unknown, message: string) => void,
): void {
  for (const kind of Object.keys(KUBERNETES_ALARMS) as KubernetesAlarmKind[]) {
    const id = kubernetesAlarmId(kind);
    const override = monitoring?.alarms[id];
    if (override === undefined || override.enabled === false || override.threshold === undefined) continue;
    if (!Number.isInteger(override.threshold) || override.threshold < 1) {
      report(
        `monitoring.alarms.${pathKey(id)}.threshold`,
        override.threshold,
        `a whole number of at least 1 (this alarm counts ${kind === 'node-readiness' ? 'nodes that are not ready' : kind === 'pod-restarts' ? 'restarts' : '5xx answers'}: at 0 it would always fire)`,
      );
    }
  }
}
