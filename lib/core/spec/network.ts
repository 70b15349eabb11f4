import { z } from 'zod';
import { bitsFor, isPrivateCidr, parseCidr, splitCidr } from '../cidr';
import { defineSection } from './section';

/** Smallest subnet the library creates: an ALB needs a /27, so does an Azure Container Apps subnet. */
export const MIN_SUBNET_PREFIX = 27;
/** Widest and narrowest network the spec accepts. */
export const NETWORK_PREFIX_RANGE = { min: 16, max: 24 } as const;
/** Subnet tiers per zone on AWS: public, private (egress through NAT), isolated (no route out). */
export const AWS_SUBNET_TIERS = ['public', 'private', 'isolated'] as const;
/** Regional subnets on Azure: workloads, data and container apps (delegated), plus one spare block. */
export const AZURE_SUBNET_ROLES = ['workloads', 'data', 'apps'] as const;
const AZURE_SUBNET_BLOCKS = 4;

/** The resolved network of an environment; the same on both clouds. */
export interface NetworkSpec {
  /** The private IPv4 block of the VPC / VNet. */
  readonly cidr: string;
  /** Availability zones the network spans (2 or 3). */
  readonly zones: number;
  /** NAT gateways for outbound traffic from private subnets (AWS: 1 to `zones`; Azure always uses one). */
  readonly natGateways: number;
  /** Prefix length of each AWS subnet (every public, private and isolated subnet has this size). */
  readonly awsSubnetPrefix: number;
  /** The CIDR of each Azure subnet, by role. */
  readonly azureSubnets: Readonly<Record<(typeof AZURE_SUBNET_ROLES)[number], string>>;
  /**
   * Zone-redundant platform services where a cloud makes it a choice (Azure: the Container Apps environment, which
   * cannot change it later): production tiers. AWS spreads subnets, tasks and load balancers over `zones` always.
   */
  readonly zoneRedundant: boolean;
}

const cidrSchema = z.string().superRefine((text, ctx) => {
  const block = parseCidr(text);
  if (typeof block === 'string') {
    ctx.addIssue({ code: 'custom', input: text, message: `a private IPv4 network in CIDR notation: ${block}` });
    return;
  }
  const { min, max } = NETWORK_PREFIX_RANGE;
  if (block.prefix < min || block.prefix > max) {
    ctx.addIssue({ code: 'custom', input: text, message: `a prefix from /${min} to /${max}` });
  }
  if (!isPrivateCidr(text)) {
    ctx.addIssue({
      code: 'custom',
      input: text,
      message: 'a private range (RFC 1918): inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16',
    });
  }
});

/** How many AWS subnets a network of `zones` zones needs. */
export function awsSubnetCount(zones: number): number {
  return AWS_SUBNET_TIERS.length * zones;
}

/** The widest prefix that still fits every subnet for the zone count at the minimum subnet size. */
export function maxNetworkPrefix(zones: number): number {
  return MIN_SUBNET_PREFIX - Math.max(bitsFor(awsSubnetCount(zones)), bitsFor(AZURE_SUBNET_BLOCKS));
}

/** The `network` section: the address space and how many zones and NAT gateways it spans. */
export const networkSection = defineSection({
  schema: z.strictObject({
    cidr: cidrSchema,
    zones: z.number().int().min(2, { error: '2 or 3 zones' }).max(3, { error: '2 or 3 zones' }).optional(),
    natGateways: z
      .number()
      .int()
      .min(1, { error: 'at least 1 NAT gateway' })
      .max(3, { error: 'at most 3 NAT gateways (one per zone)' })
      .optional(),
  }),
  defaults: {
    development: { zones: 2, natGatewayPerZone: false, zoneRedundant: false },
    production: { zones: 3, natGatewayPerZone: true, zoneRedundant: true },
  },
  resolve: (input, { defaults }): NetworkSpec => {
    const zones = input.zones ?? defaults.zones;
    const fits = parseCidrPrefix(input.cidr) <= maxNetworkPrefix(zones);
    const [workloads = '', data = '', apps = ''] = fits ? splitCidr(input.cidr, AZURE_SUBNET_BLOCKS) : [];
    return {
      cidr: input.cidr,
      zones,
      natGateways: input.natGateways ?? (defaults.natGatewayPerZone ? zones : 1),
      awsSubnetPrefix: parseCidrPrefix(input.cidr) + bitsFor(awsSubnetCount(zones)),
      azureSubnets: { workloads, data, apps },
      zoneRedundant: defaults.zoneRedundant,
    };
  },
  check: (network, env, report) => {
    if (network.natGateways > network.zones) {
      report('network.natGateways', network.natGateways, `at most one per zone: 1 to ${network.zones}`);
    }
    const widest = maxNetworkPrefix(network.zones);
    if (parseCidrPrefix(network.cidr) > widest) {
      report(
        'network.cidr',
        network.cidr,
        `${network.zones} zones need ${awsSubnetCount(network.zones)} subnets of at least /${MIN_SUBNET_PREFIX} ` +
          `(public, private and isolated per zone); use a prefix from /${NETWORK_PREFIX_RANGE.min} to /${widest}`,
      );
    }
    const candidates = env.aws.zoneCandidates;
    const region = env.aws.region;
    const foreign = region === undefined ? [] : candidates.filter((zone) => !zone.startsWith(region));
    if (foreign.length > 0) {
      report('aws.availabilityZones', foreign, `zones of the region ${region} (such as ${region}a)`);
    }
    if (new Set(candidates).size !== candidates.length) {
      report('aws.availabilityZones', candidates, 'each zone once');
    }
    if (region !== undefined && candidates.length < network.zones) {
      report(
        'aws.availabilityZones',
        candidates,
        `network.zones is ${network.zones}; list at least ${network.zones} availability zones`,
      );
    }
  },
});

function parseCidrPrefix(cidr: string): number {
  const block = parseCidr(cidr);
  return typeof block === 'string' ? 0 : block.prefix;
}
