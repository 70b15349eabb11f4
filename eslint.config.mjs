// Lint rules that keep the architecture honest: arrows point down only (bin -> stacks -> lib/{aws,azure,review}
// -> lib/core), the two clouds never import each other, and azurerm resources come by deep path.
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

const providerRoot = {
  name: '@cdktf/provider-azurerm',
  message:
    'Import provider resources by deep path (@cdktf/provider-azurerm/lib/<resource>): the root import costs ~3 s and 400 MB.',
};
const restrict = (patterns, paths = []) => ({
  'no-restricted-imports': ['error', { paths: [providerRoot, ...paths], patterns }],
});
const noCloud = (group, message) => ({ group, message });

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'coverage/', 'cdk.out/', 'cdktf.out/', '**/*.js', '**/*.mjs', '**/*.d.ts'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'always'],
      ...restrict([]),
    },
  },
  {
    files: ['lib/core/**/*.ts'],
    rules: restrict([
      noCloud(
        ['aws-cdk-lib', 'aws-cdk-lib/*', 'cdktf', 'cdktf/*', '@cdktf/*', 'constructs'],
        'lib/core is cloud-neutral.',
      ),
      noCloud(
        ['../aws', '../aws/*', '../azure', '../azure/*', '../review', '../review/*', '../../stacks/*'],
        'lib/core imports nothing above it.',
      ),
    ]),
  },
  {
    files: ['lib/aws/**/*.ts'],
    rules: restrict([
      noCloud(['cdktf', 'cdktf/*', '@cdktf/*'], 'lib/aws must not load cdktf.'),
      noCloud(
        ['../azure', '../azure/*', '../review', '../review/*', '../../stacks/*'],
        'lib/aws imports lib/core only.',
      ),
    ]),
  },
  {
    files: ['lib/azure/**/*.ts'],
    rules: restrict([
      noCloud(['aws-cdk-lib', 'aws-cdk-lib/*'], 'lib/azure must not load aws-cdk-lib.'),
      noCloud(['../aws', '../aws/*', '../review', '../review/*', '../../stacks/*'], 'lib/azure imports lib/core only.'),
    ]),
  },
  {
    files: ['stacks/**/*.ts'],
    rules: restrict([noCloud(['../bin/*', '../../bin/*'], 'stacks never import bin.')]),
  },
);
