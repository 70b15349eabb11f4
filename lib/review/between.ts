import { PLATFORM_PREFIX } from '../core/prefix';
import { diffAwsEnvironment } from './aws-diff';
import { diffAzureEnvironment } from './azure-diff';
import type { EnvironmentReview, Review } from './model';
import type { SynthesizedStack } from './outputs';
import { toEnvironmentReview, type ReviewCloud } from './review';

/** What differs between two environments by design, and is normalized away before they are compared. */
export interface EnvironmentTokens {
  /** The environment's name (`staging`): in stack names, resource names, tags and addresses. */
  readonly name: string;
  /** The AWS account ID. */
  readonly account?: string;
  /** The AWS region. */
  readonly region?: string;
  /** The Azure location (`westeurope`). */
  readonly location?: string;
  /** The network's IPv4 CIDR: addresses inside it become offsets from its first address. */
  readonly cidr?: string;
}

/** What {@link environmentTokens} reads of an environment: the spec's shape, without importing it. */
export interface TokenSource {
  /** The environment's name. */
  readonly name: string;
  /** Its AWS account and region. */
  readonly aws: { readonly account: string; readonly region: string };
  /** Its Azure location. */
  readonly azure: { readonly location: string };
  /** Its network's CIDR. */
  readonly network: { readonly cidr: string };
}

/** The tokens of an environment as the spec resolves it: its name, AWS account and region, Azure location, CIDR. */
export function environmentTokens(env: TokenSource): EnvironmentTokens {
  return {
    name: env.name,
    account: env.aws.account,
    region: env.aws.region,
    location: env.azure.location,
    cidr: env.network.cidr,
  };
}

const PLACEHOLDER = {
  name: '__env__',
  account: '__account__',
  region: '__region__',
  location: '__location__',
} as const;

/**
 * Compares two environments of the same output: what `to` has that `from` does not, what it lacks, and what
 * differs, after normalizing what differs by design (names, accounts, regions, addresses inside each network).
 * A reviewer sees what production gets that staging never tested. There is no verdict: exit 0.
 */
export function reviewBetween(
  stacks: readonly SynthesizedStack[],
  from: EnvironmentTokens,
  to: EnvironmentTokens,
  clouds: readonly ReviewCloud[] = ['aws', 'azure'],
): Review {
  const environments: EnvironmentReview[] = [];
  for (const cloud of clouds) {
    const before = stacks
      .filter((s) => s.cloud === cloud && s.environment === from.name)
      .map((s) => normalize(s, from));
    const after = stacks.filter((s) => s.cloud === cloud && s.environment === to.name).map((s) => normalize(s, to));
    if (before.length === 0 && after.length === 0) continue;
    const differ = cloud === 'aws' ? diffAwsEnvironment : diffAzureEnvironment;
    const diff = differ(to.name, before, after, { newEnvironment: false });
    const review = toEnvironmentReview(to.name, cloud, 'changed', diff);
    environments.push(restore(review, to));
  }
  return { base: { label: from.name }, head: { label: to.name }, mode: 'between', environments };
}

/** A copy of a stack with everything environment-specific replaced by placeholders. */
function normalize(stack: SynthesizedStack, tokens: EnvironmentTokens): SynthesizedStack {
  const map = stringMapper(tokens);
  return {
    ...stack,
    stack: map(stack.stack),
    environment: PLACEHOLDER.name,
    json: mapStrings(stack.json, map) as Record<string, unknown>,
  };
}

/** Puts the `to` environment's own values back into what a reviewer reads. */
function restore(review: EnvironmentReview, tokens: EnvironmentTokens): EnvironmentReview {
  const network = tokens.cidr ? parseCidr(tokens.cidr) : undefined;
  const back = (text: string): string =>
    text
      .replace(/__net\+(\d+)__/g, (match, offset: string) =>
        network ? formatIp(network.base + Number(offset)) : match,
      )
      .replaceAll(PLACEHOLDER.name, tokens.name)
      .replaceAll(PLACEHOLDER.account, tokens.account ?? PLACEHOLDER.account)
      .replaceAll(PLACEHOLDER.region, tokens.region ?? PLACEHOLDER.region)
      .replaceAll(PLACEHOLDER.location, tokens.location ?? PLACEHOLDER.location);
  return mapStrings(review, back) as EnvironmentReview;
}

function mapStrings(value: unknown, map: (text: string) => string): unknown {
  if (typeof value === 'string') return map(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, map));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [map(k), mapStrings(v, map)]));
  }
  return value;
}

function stringMapper(tokens: EnvironmentTokens): (text: string) => string {
  const word = (token: string): RegExp => new RegExp(`(?<![A-Za-z0-9])${escape(token)}(?![A-Za-z0-9])`, 'g');
  const replacements: [RegExp, string][] = [[word(tokens.name), PLACEHOLDER.name]];
  if (tokens.account) replacements.push([word(tokens.account), PLACEHOLDER.account]);
  if (tokens.region) replacements.push([word(tokens.region), PLACEHOLDER.region]);
  if (tokens.location) replacements.push([word(tokens.location), PLACEHOLDER.location]);
  const network = tokens.cidr ? parseCidr(tokens.cidr) : undefined;
  // cdktf ends a name made from a construct path with a hash of that path; with the environment's name in the path
  // the hash differs between environments too, so it goes with the name.
  const hashedName = new RegExp(`(${escape(PLACEHOLDER.name)}[A-Za-z0-9_-]*)_[0-9A-F]{8}(?![A-Za-z0-9])`, 'g');
  // aws-cdk-lib glues the stack's name into generated physical names and ends them with a hash of the path:
  // `platformstagingworkloads2ServicesapiTaskCountTargetCpu809074F0`.
  const glued = new RegExp(`${PLATFORM_PREFIX}${escape(tokens.name)}([A-Za-z0-9]*?)[0-9A-F]{8}(?![A-Za-z0-9])`, 'g');
  return (text) => {
    let out = text.replace(glued, `${PLATFORM_PREFIX}${PLACEHOLDER.name}$1`);
    for (const [pattern, placeholder] of replacements) out = out.replace(pattern, placeholder);
    out = out.replace(hashedName, '$1');
    if (network) {
      out = out.replace(/(?<![0-9.])(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?![0-9.])/g, (match, a, b, c, d) => {
        const ip = ((Number(a) << 24) >>> 0) + (Number(b) << 16) + (Number(c) << 8) + Number(d);
        const offset = ip - network.base;
        return offset >= 0 && offset < network.size ? `__net+${offset}__` : match;
      });
    }
    return out;
  };
}

function parseCidr(cidr: string): { base: number; size: number } | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!match) return undefined;
  const [, a, b, c, d, bits] = match;
  const base = ((Number(a) << 24) >>> 0) + (Number(b) << 16) + (Number(c) << 8) + Number(d);
  return { base, size: 2 ** (32 - Number(bits)) };
}

function formatIp(ip: number): string {
  return [ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255].join('.');
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
