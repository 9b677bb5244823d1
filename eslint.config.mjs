import tseslint from 'typescript-eslint';

/** Modules that do I/O or need a process: never in deterministic or pure code. */
const IO_MODULES = [
  'node:*',
  'fs',
  'path',
  'crypto',
  'os',
  'child_process',
  'knex',
  'pg',
  'pg-copy-streams',
  'mssql',
  'better-sqlite3',
  'nodemailer',
];
const TEMPORAL_PROCESS = ['@temporalio/client', '@temporalio/worker', '@temporalio/activity', '@temporalio/testing'];
const folders = (...names) =>
  names.flatMap((name) => ['.', '..', '../..', '../../..'].flatMap((up) => [`${up}/${name}`, `${up}/${name}/**`]));

/** One boundary: files in `files` may not import `patterns` (see docs/architecture.md "Layout"). */
const boundary = (files, patterns, message, allowTypeImports = false) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns: [{ group: patterns, message, allowTypeImports }] }] },
});

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
    files: [
      'activities/**/*.ts',
      'client/**/*.ts',
      'cli/**/*.ts',
      'contracts/**/*.ts',
      'domain/**/*.ts',
      'engines/**/*.ts',
      'inventory/**/*.ts',
      'store/**/*.ts',
      'worker/**/*.ts',
      'workflows/**/*.ts',
      'test/**/*.ts',
      'bench/**/*.ts',
      'dev/**/*.ts',
    ],
    rules: { 'max-lines-per-function': ['error', { max: 80 }] },
  },
  {
    // Workflow code must stay deterministic: the workflow SDK, contracts, pure domain rules, activities as types.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: folders('activities'), allowTypeImports: true, message: 'Import activities as types only.' },
            {
              group: [
                ...IO_MODULES,
                ...TEMPORAL_PROCESS,
                ...folders('store', 'engines', 'inventory', 'worker', 'client', 'cli', 'dev'),
              ],
              message: 'No I/O in workflow code: only @temporalio/workflow, contracts/, domain/ and activity types.',
            },
          ],
        },
      ],
    },
  },
  boundary(
    ['activities/**/*.ts'],
    folders('workflows', 'client', 'cli', 'dev'),
    'Activities never import workflows, the client or the CLI.',
  ),
  boundary(
    ['engines/**/*.ts'],
    ['@temporalio/*', ...folders('activities', 'workflows', 'store', 'client', 'cli', 'worker')],
    'Engines are database drivers: no Temporal, no activities.',
  ),
  boundary(
    ['contracts/**/*.ts'],
    [
      ...IO_MODULES,
      ...TEMPORAL_PROCESS,
      ...folders('activities', 'workflows', 'store', 'engines', 'inventory', 'client', 'cli', 'worker', 'dev'),
    ],
    'Contracts hold wire shapes only: the workflow SDK, domain types and other contracts.',
  ),
  boundary(
    ['domain/**/*.ts'],
    [
      ...IO_MODULES,
      '@temporalio/*',
      ...folders('activities', 'workflows', 'store', 'engines', 'inventory', 'client', 'cli', 'worker', 'dev'),
    ],
    'Domain rules are pure: no I/O, no Temporal.',
  ),
  boundary(
    ['client/**/*.ts'],
    [
      'knex',
      'pg',
      'mssql',
      'better-sqlite3',
      ...folders('activities', 'store', 'engines', 'workflows', 'worker', 'cli', 'dev'),
    ],
    'The client talks to Temporal only: importing it needs no database driver.',
    true,
  ),
);
