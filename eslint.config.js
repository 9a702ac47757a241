// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// TypeBox's `Type` and `Value` are objects holding every builder / every value function: a bundle
// keeps all of them once one is used. Bots and the kit use shared/schema and the named functions.
const typeboxObjects = [
  {
    name: '@sinclair/typebox',
    importNames: ['Type', 'Value'],
    message: "build schemas with `import * as Type from '<...>/shared/schema/index.ts'` (docs/kit.md)",
  },
  {
    name: '@sinclair/typebox/value',
    importNames: ['Value'],
    message: 'import the named functions (Check, Default...); `Value` keeps all of them in the bundle',
  },
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'coverage/**', 'deploy/**', 'test/e2e/artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Dependency direction: the kit never reaches into bots or the local tooling.
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: typeboxObjects,
          patterns: [
            {
              group: ['**/functions/**', '**/local/**', '**/scripts/**'],
              message: 'shared/ must not import bots or local tooling',
            },
          ],
        },
      ],
    },
  },
  {
    // A bot imports the kit only through its barrel and never another bot or local/.
    files: ['functions/*/**/*.ts', 'examples/*/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: typeboxObjects,
          patterns: [
            { group: ['**/local/**', '**/scripts/**'], message: 'bots never import local tooling' },
            { group: ['../eco-*', '../../functions/**'], message: 'a bot never imports another bot' },
          ],
        },
      ],
    },
  },
);
