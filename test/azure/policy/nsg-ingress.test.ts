import { coversPort, isInternetSource } from '../../../lib/azure/policy/rules/nsg-ingress';

describe('NSG ingress matching', () => {
  test.each(['*', 'Internet', 'internet', 'Any', '0.0.0.0', '0.0.0.0/0', '::/0', ' * '])(
    '%p is the internet',
    (prefix) => expect(isInternetSource(prefix)).toBe(true),
  );

  test.each(['10.0.0.0/8', 'VirtualNetwork', 'AzureLoadBalancer', '203.0.113.0/24', '10.0.0.0/0x'])(
    '%p is not the internet',
    (prefix) => expect(isInternetSource(prefix)).toBe(false),
  );

  test.each([
    ['22', 22, true],
    ['*', 22, true],
    ['20-30', 22, true],
    ['22-22', 22, true],
    ['1024-65535', 22, false],
    ['2222', 22, false],
    ['220', 22, false],
    ['3389', 3389, true],
    ['3380 - 3390', 3389, true],
  ])('destination %p covers port %p: %p', (entry, port, covered) => expect(coversPort(entry, port)).toBe(covered));
});
