import { checkName, makeName, NAME_HASH_LENGTH, NAME_RULES, type NameKind } from '../../lib/core';

describe('makeName', () => {
  test('joins lowercased words with the separator', () => {
    expect(makeName('azureVirtualNetwork', ['vnet', 'Platform', 'prod', 'weu'])).toBe('vnet-platform-prod-weu');
  });

  test('replaces characters the type does not allow', () => {
    expect(makeName('azureContainerApp', ['ca', 'my_app.v2'])).toBe('ca-my-app-v2');
    expect(makeName('azureResourceGroup', ['rg', 'a b'])).toBe('rg-a-b');
  });

  test('storage accounts have no separator and always carry a hash, seeded per subscription', () => {
    const a = makeName('azureStorageAccount', ['st', 'platform', 'prod'], { uniqueSeed: 'sub-a' });
    const b = makeName('azureStorageAccount', ['st', 'platform', 'prod'], { uniqueSeed: 'sub-b' });
    expect(a).toMatch(/^stplatformprod[0-9a-f]{6}$/);
    expect(b).not.toBe(a);
    expect(makeName('azureStorageAccount', ['st', 'platform', 'prod'], { uniqueSeed: 'sub-a' })).toBe(a);
  });

  test('a name over the limit is shortened and ends with a hash of the full name, so long names stay distinct', () => {
    const long = ['kv', 'platform', 'a-very-long-environment-name'];
    const a = makeName('azureKeyVault', [...long, 'one']);
    const b = makeName('azureKeyVault', [...long, 'two']);
    expect(a).toHaveLength(24);
    expect(b).toHaveLength(24);
    expect(a).not.toBe(b);
    expect(a.slice(-NAME_HASH_LENGTH)).toMatch(/^[0-9a-f]+$/);
    expect(checkName('azureKeyVault', a)).toBeUndefined();
  });

  test('words that clean to the same text still get different hashes', () => {
    const names = [
      ['ab', 'c'],
      ['a', 'bc'],
      ['a_b', 'c'],
    ].map((w) => makeName('azureStorageAccount', w));
    expect(new Set(names).size).toBe(3);
  });

  test('characters no name may start or end with are trimmed', () => {
    expect(makeName('azureVirtualNetwork', ['vnet', 'a.'])).toBe('vnet-a');
    expect(makeName('azureResourceGroup', ['-rg', 'x-'])).toBe('rg-x');
  });

  test('words with no letters or digits fail clearly', () => {
    expect(() => makeName('azureStorageAccount', ['--', '..'])).toThrow(
      'Cannot make a azureStorageAccount name from ["--",".."]: no letters or digits; 3-24 lowercase letters and digits, unique across Azure',
    );
  });

  test('the same words always give the same name', () => {
    // 93 characters, over the limit of 63: the first 56 and the first six hex digits of the SHA-256 of the words as
    // given (`["log","platform","xxx..."]|`), written out, so that a change to how names are made fails here.
    const words = ['log', 'platform', 'x'.repeat(80)];
    expect(makeName('azureLogAnalyticsWorkspace', words)).toBe(`log-platform-${'x'.repeat(43)}-26a4d0`);
    expect(makeName('azureLogAnalyticsWorkspace', [...words])).toBe(`log-platform-${'x'.repeat(43)}-26a4d0`);
  });

  test('every type yields a valid name at its maximum length', () => {
    for (const kind of Object.keys(NAME_RULES) as NameKind[]) {
      const name = makeName(kind, ['abc', 'x'.repeat(400)]);
      expect(name.length).toBeLessThanOrEqual(NAME_RULES[kind].max);
      expect(checkName(kind, name)).toBeUndefined();
    }
  });

  test('a name that cannot be valid fails with the type, the words and the rule', () => {
    expect(() => makeName('azureContainerApp', ['1app'])).toThrow(
      'Cannot make a azureContainerApp name from ["1app"]: "1app" is not a valid azureContainerApp name: 2-32 lowercase letters, digits and single hyphens, starting with a letter',
    );
  });
});

describe('checkName', () => {
  test.each<[NameKind, string]>([
    ['azureStorageAccount', 'St-Account'],
    ['azureStorageAccount', 'ab'],
    ['azureKeyVault', 'kv--double'],
    ['azureVirtualNetwork', 'v'],
    ['azureResourceGroup', 'rg-ends-with.'],
    ['azureLogAnalyticsWorkspace', 'abc'],
    ['awsStack', '1stack'],
  ])('%s rejects %j', (kind, name) => {
    expect(checkName(kind, name)).toMatch(new RegExp(`^is not a valid ${kind} name: `));
  });

  test.each<[NameKind, string]>([
    ['azureStorageAccount', 'stplatformprod1a2b3c'],
    ['azureKeyVault', 'kv-platform-prod'],
    ['azureRecoveryServicesVault', 'rsv-platform-prod-weu'],
    ['awsStack', 'platform-prod-foundation'],
  ])('%s accepts %j', (kind, name) => {
    expect(checkName(kind, name)).toBeUndefined();
  });
});
