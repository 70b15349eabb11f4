import { cidrContains, cidrsOverlap, isPrivateCidr, parseCidr, splitCidr } from '../../lib/core';

describe('cidr', () => {
  test('parses a network address', () => {
    expect(parseCidr('10.1.0.0/16')).toEqual({ network: 10 * 2 ** 24 + 1 * 2 ** 16, prefix: 16 });
  });

  test.each([
    ['10.1.0.0', 'not in CIDR notation (for example 10.10.0.0/16)'],
    ['10.1.0.256/24', 'an octet is above 255'],
    ['10.1.0.0/33', 'the prefix is above /32'],
    ['10.1.2.0/16', 'host bits are set; the network address is 10.1.0.0/16'],
  ])('rejects %j: %s', (text, reason) => {
    expect(parseCidr(text)).toBe(reason);
  });

  test('private ranges are exactly RFC 1918', () => {
    expect(isPrivateCidr('10.200.0.0/16')).toBe(true);
    expect(isPrivateCidr('172.31.0.0/16')).toBe(true);
    expect(isPrivateCidr('172.32.0.0/16')).toBe(false);
    expect(isPrivateCidr('192.168.10.0/24')).toBe(true);
    expect(isPrivateCidr('100.64.0.0/16')).toBe(false);
  });

  test('overlap and containment', () => {
    expect(cidrsOverlap('10.0.0.0/16', '10.0.255.0/24')).toBe(true);
    expect(cidrsOverlap('10.0.0.0/16', '10.1.0.0/16')).toBe(false);
    expect(cidrContains('10.0.0.0/16', '10.0.128.0/17')).toBe(true);
    expect(cidrContains('10.0.128.0/17', '10.0.0.0/16')).toBe(false);
  });

  test('splits into equal consecutive blocks, rounding the count up to a power of two', () => {
    expect(splitCidr('10.0.0.0/16', 3)).toEqual(['10.0.0.0/18', '10.0.64.0/18', '10.0.128.0/18']);
    expect(splitCidr('10.0.0.0/24', 9)).toHaveLength(9);
    expect(splitCidr('10.0.0.0/24', 9)[8]).toBe('10.0.0.128/28');
    expect(() => splitCidr('10.0.0.0/31', 4)).toThrow(/cannot hold 4 subnets/);
  });
});
