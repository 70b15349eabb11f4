import { readBool, readNumber, readString, readStrings, stateOf, UNKNOWN } from '../../../lib/azure/policy/rules/util';

describe('policy rule readers', () => {
  test('readBool: booleans, their string forms, absent, and expressions as unknown', () => {
    const config = { t: true, f: 'false', n: null, e: '${var.flag}' };
    expect([readBool(config, 't'), readBool(config, 'f'), readBool(config, 'n'), readBool(config, 'x')]).toEqual([
      true,
      false,
      undefined,
      undefined,
    ]);
    expect(readBool(config, 'e')).toBe(UNKNOWN);
  });

  test('readNumber and readString: literal values, expressions as unknown', () => {
    const config = { n: 30, s: '365', e: '${var.days}', name: 'LRS' };
    expect([readNumber(config, 'n'), readNumber(config, 's'), readNumber(config, 'e')]).toEqual([30, 365, UNKNOWN]);
    expect([readString(config, 'name'), readString(config, 'e'), readString(config, 'x')]).toEqual([
      'LRS',
      UNKNOWN,
      undefined,
    ]);
  });

  test('readStrings: a list, a single string, absent, and a list given as an expression', () => {
    const config = { list: ['22', '80'], one: '443', e: '${var.ports}' };
    expect([readStrings(config, 'list'), readStrings(config, 'one'), readStrings(config, 'x')]).toEqual([
      ['22', '80'],
      ['443'],
      [],
    ]);
    expect(readStrings(config, 'e')).toBe(UNKNOWN);
  });

  test('stateOf names a set value, or an unset one with what that means', () => {
    expect(stateOf('min_tls_version', 'TLS1_0')).toBe('sets min_tls_version = "TLS1_0"');
    expect(stateOf('purge_protection_enabled', false)).toBe('sets purge_protection_enabled = false');
    expect(stateOf('immutability', undefined, 'the vault is not immutable')).toBe(
      'leaves immutability unset (the vault is not immutable)',
    );
  });
});
