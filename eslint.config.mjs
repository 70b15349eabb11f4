// Lint rules that keep the architecture honest: arrows point down only (bin -> stacks -> lib/{aws,azure,review}
// -> lib/core; lib/report -> lib/review), the two clouds never import each other, and azurerm resources come by deep path.
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
// Relative imports of these folders from any depth (`../azure`, `../../../azure/policy`).
const above = (folders) => folders.flatMap((f) => [`**/${f}`, `**/${f}/**`]);

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
      noCloud(above(['aws', 'azure', 'review', 'report', 'stacks', 'bin']), 'lib/core imports nothing above it.'),
    ]),
  },
  {
    files: ['lib/aws/**/*.ts'],
    rules: restrict([
      noCloud(['cdktf', 'cdktf/*', '@cdktf/*'], 'lib/aws must not load cdktf.'),
      noCloud(above(['azure', 'review', 'stacks', 'bin']), 'lib/aws imports lib/core only.'),
    ]),
  },
  {
    files: ['lib/azure/**/*.ts'],
    rules: restrict([
      noCloud(['aws-cdk-lib', 'aws-cdk-lib/*'], 'lib/azure must not load aws-cdk-lib.'),
      noCloud(above(['aws', 'review', 'stacks', 'bin']), 'lib/azure imports lib/core only.'),
    ]),
  },
  {
    files: ['lib/review/**/*.ts'],
    rules: restrict([
      noCloud(
        ['aws-cdk-lib', 'aws-cdk-lib/*', 'cdktf', 'cdktf/*', '@cdktf/*', 'constructs'],
        'lib/review reads synthesized output only; it loads no cloud library.',
      ),
      noCloud(above(['aws', 'azure', 'report', 'stacks', 'bin']), 'lib/review imports lib/core only.'),
    ]),
  },
  {
    files: ['lib/report/**/*.ts'],
    rules: restrict([
      noCloud(
        ['aws-cdk-lib', 'aws-cdk-lib/*', 'cdktf', 'cdktf/*', '@cdktf/*', 'constructs'],
        'lib/report draws synthesized output only; it loads no cloud library.',
      ),
      noCloud(above(['aws', 'azure', 'stacks', 'bin']), 'lib/report imports lib/review and lib/core only.'),
    ]),
  },
  {
    files: ['stacks/**/*.ts'],
    rules: restrict([noCloud(['../bin/*', '../../bin/*'], 'stacks never import bin.')]),
  },
);
