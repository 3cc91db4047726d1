// Type-aware lint. The zones below keep the pure core pure: detectors/, rules/ and the schema
// compatibility engine take values and `now` as arguments and never reach for I/O or the clock.
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

const ioModules = [
  'kafkajs',
  'better-sqlite3',
  'fastify',
  'prom-client',
  'nodemailer',
  'pino',
  'koffi',
  '@kafkajs/confluent-schema-registry',
  'node:fs',
  'node:fs/promises',
  'node:net',
  'node:http',
  'node:https',
  'node:child_process',
  'node:dgram',
  'node:worker_threads',
  'fs',
  'net',
  'http',
  'https',
  'child_process',
];
const pureFiles = ['detectors/**/*.ts', 'rules/**/*.ts', 'schemas/compat/**/*.ts'];
// The top-level source folders as they exist (add one here when it is created).
const topFolders = [
  'common',
  'config',
  'kafka',
  'collector',
  'monitor',
  'detectors',
  'rules',
  'alerts',
  'api',
  'schemas',
  'store',
  'pipeline',
  'cli',
];

// Cross-folder imports go through the other folder's index.ts.
const deepImports = topFolders.map((folder) => ({
  regex: `^(\\.\\./)+${folder}/(?!index\\.js$).+`,
  message: `Import ${folder}/ through its index.js, not a deep path.`,
}));

export default tseslint.config(
  {
    ignores: ['node_modules/**', 'dist/**', 'data/**', 'bin/**', 'scripts/**', 'eslint.config.mjs'],
  },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver': { node: { extensions: ['.ts', '.js'] } } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] },
          ],
        },
      ],
      // fastify plugins and command handlers are async by contract, awaiting or not.
      '@typescript-eslint/require-await': 'off',
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-self-import': 'error',
      'no-restricted-imports': ['error', { patterns: deepImports }],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: pureFiles,
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ioModules.map((name) => ({ name, message: 'The pure core does no I/O.' })),
          patterns: [
            { group: ['node:*'], message: 'The pure core does no I/O: no node: modules.' },
            ...topFolders
              .filter((f) => !['detectors', 'rules', 'common', 'schemas'].includes(f))
              .map((folder) => ({
                regex: `^(\\.\\./)+${folder}/`,
                message: `The pure core may not depend on ${folder}/.`,
              })),
            // These options replace the ones above for the pure core, so repeat the index rule.
            ...deepImports,
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: 'Pass `now` in; the pure core never reads the clock.',
        },
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'Pass `now` in; the pure core never reads the clock.',
        },
        {
          selector: "MemberExpression[object.name='performance'][property.name='now']",
          message: 'Pass `now` in; the pure core never reads the clock.',
        },
        {
          selector: "MemberExpression[object.name='process']",
          message: 'The pure core does not touch the process.',
        },
        {
          selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']",
          message: 'Pass a random source in; the pure core is deterministic.',
        },
      ],
    },
  },
);
