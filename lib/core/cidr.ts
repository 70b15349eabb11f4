/** An IPv4 block parsed from CIDR notation. */
export interface Ipv4Block {
  /** The network address as an unsigned 32-bit integer. */
  readonly network: number;
  /** The prefix length, 0 to 32. */
  readonly prefix: number;
}

const CIDR_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** The private IPv4 ranges of RFC 1918. */
export const PRIVATE_RANGES: readonly string[] = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];

/**
 * Parses `a.b.c.d/p`. Returns a reason string instead of a block when the text is not a valid network
 * address (octets above 255, prefix above 32, or host bits set, as in `10.0.0.1/16`).
 */
export function parseCidr(text: string): Ipv4Block | string {
  const match = CIDR_RE.exec(text);
  if (!match) return 'not in CIDR notation (for example 10.10.0.0/16)';
  const texts = match.slice(1, 5);
  // Terraform (Go's net.ParseCIDR) rejects leading zeros, and some tools read them as octal.
  if (texts.some((t) => t !== undefined && t.length > 1 && t.startsWith('0'))) return 'an octet has a leading zero';
  const octets = texts.map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255)) return 'an octet is above 255';
  if (prefix > 32) return 'the prefix is above /32';
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  if (address % size !== 0) {
    return `host bits are set; the network address is ${formatCidr({ network: address - (address % size), prefix })}`;
  }
  return { network: address, prefix };
}

function mustParse(text: string): Ipv4Block {
  const block = parseCidr(text);
  if (typeof block === 'string') throw new Error(`${text}: ${block}`);
  return block;
}

/** Formats a block back to CIDR notation. */
export function formatCidr(block: Ipv4Block): string {
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(block.network / 2 ** shift) % 256);
  return `${octets.join('.')}/${block.prefix}`;
}

function lastAddress(block: Ipv4Block): number {
  return block.network + 2 ** (32 - block.prefix) - 1;
}

/** True when `inner` lies entirely inside `outer`. */
export function cidrContains(outer: string, inner: string): boolean {
  const o = mustParse(outer);
  const i = mustParse(inner);
  return i.prefix >= o.prefix && i.network >= o.network && lastAddress(i) <= lastAddress(o);
}

/** True when two blocks share at least one address. */
export function cidrsOverlap(a: string, b: string): boolean {
  const x = mustParse(a);
  const y = mustParse(b);
  return x.network <= lastAddress(y) && y.network <= lastAddress(x);
}

/** True when the block lies inside one of the RFC 1918 private ranges. */
export function isPrivateCidr(cidr: string): boolean {
  return PRIVATE_RANGES.some((range) => cidrContains(range, cidr));
}

/** How many prefix bits are needed to split a block into `count` equal parts (rounded up to a power of two). */
export function bitsFor(count: number): number {
  return Math.ceil(Math.log2(Math.max(1, count)));
}

/**
 * Splits a block into `count` equal, consecutive sub-blocks, each as large as the split allows
 * (the count rounds up to a power of two; the spare blocks at the end stay free for later use).
 */
export function splitCidr(cidr: string, count: number): string[] {
  const block = mustParse(cidr);
  const prefix = block.prefix + bitsFor(count);
  if (prefix > 32) throw new Error(`${cidr} cannot hold ${count} subnets`);
  const size = 2 ** (32 - prefix);
  return Array.from({ length: count }, (_, i) => formatCidr({ network: block.network + i * size, prefix }));
}
