import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.stagecoach/**', 'test-artifacts/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // Workflow code must stay deterministic: only the workflow SDK and pure shared modules.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/activities', '**/activities/**'],
              allowTypeImports: true,
              message: 'Import activities as types only.',
            },
            {
              group: [
                'node:*',
                'fs',
                'path',
                'crypto',
                'os',
                'child_process',
                'knex',
                'pg',
                'mssql',
                'better-sqlite3',
                '**/store/**',
                '**/worker/**',
                '**/client/**',
                '@temporalio/client',
                '@temporalio/worker',
                '@temporalio/activity',
              ],
              message: 'No I/O in workflow code: only @temporalio/workflow, @temporalio/common and pure modules.',
            },
          ],
        },
      ],
    },
  },
);
