// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
    files: ['functions/*/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/local/**', '**/scripts/**'], message: 'bots never import local tooling' },
            { group: ['../eco-*', '../../functions/**'], message: 'a bot never imports another bot' },
          ],
        },
      ],
    },
  },
);
