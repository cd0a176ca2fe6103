// ESLint flat config: typescript-eslint's recommended rules, syntax-only (no type information, so `npm run lint` takes
// seconds), the layout rules of ESLint Stylistic (the formatter: 2-space indent, single quotes, semicolons, trailing
// commas on multi-line lists; `npm run format` rewrites a file to them), plus one product rule: user files are parsed
// through src/io/json-file.ts. Rules switched off or narrowed below each carry their reason.
//
// @example
// npm run lint            // eslint over src, metrics, reference-models, leaderboard, test, scripts
// npm run format          // the same, fixing what the layout rules can fix
// npx eslint src/gate     // one folder
import js from '@eslint/js';
import stylistic from '@stylistic/eslint-plugin';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Modules that may call JSON.parse directly: each parses JSON that genbench itself wrote, or wraps it in its own error. */
const TRUSTED_JSON = [
  'src/io/json-file.ts', // the helper itself: parseJsonText / readJsonFile
  'src/assets/download-folder.ts', // a served model.json; a bad one is a CHECKSUM error, not an input error
  'src/assets/hash.ts', // modelFolderFiles throws a plain Error that its caller (assets/verify.ts) turns into CHECKSUM
  'src/cli/submit.ts', // the server's HTTP answer, not a file; a bad one is a NETWORK error
  'src/convert/cache.ts', // the converter cache's own sidecar; unreadable means stale
  'src/data/volume-task.ts', // the task spec; wraps JSON.parse in its own one-line INPUT / NOT_FOUND error
  'src/demo/baselines.ts', // demo manifests; an unreadable one is skipped on purpose
  'src/demo/train-reference.ts', // genbench.json that the training run just wrote
  'src/features/classifier-train.ts', // genbench.json that the classifier training just wrote
  'src/features/npy-entry.ts', // the feature cache's own sidecar; unreadable means stale
  'src/nn/cache.ts', // the k-NN index cache's own meta.json; unreadable means a cache miss
  'src/nn/hnsw-addon.ts', // the build record that scripts/native-hnsw.mjs writes at install
  'src/nn/projection.ts', // the header of a projection file, sha256-checked by the cache before it is read
  'src/server/evaluate-job.ts', // a job recipe the server serialised into the queue
  'src/server/public/**', // browser scripts reading the JSON islands the server renders into the page
  'src/store/**', // rows of the results database, written by genbench
];

/** Layout: Stylistic's shared preset, narrowed to how the code is written. */
const layout = stylistic.configs.customize({ indent: 2, quotes: 'single', semi: true, jsx: false, braceStyle: '1tbs', commaDangle: 'always-multiline', arrowParens: true });

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'tmp/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // `_name` marks a deliberately unused binding, and `{ dropped, ...rest }` is how the code omits a field.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // It flags deliberate initialisers (`let pick = 0` before a loop) and the release of large arrays
      // (metrics/prdc-resampled.ts); tsc's definite-assignment checks cover the cases that matter.
      'no-useless-assignment': 'off',
    },
  },
  {
    ...layout,
    rules: {
      ...layout.rules,
      // A string holding single quotes (SQL, generated code) reads better in double quotes or a template.
      '@stylistic/quotes': ['error', 'single', { avoidEscape: true, allowTemplateLiterals: 'always' }],
      // Long assignments break after '='; union types and ternaries break before '|', '?' and ':'.
      '@stylistic/operator-linebreak': ['error', 'after', { overrides: { '?': 'before', ':': 'before', '|': 'before', '&': 'before' } }],
      // Lines stay long (the style is one statement per line up to ~150 columns); a call's arguments may end with a
      // trailing comma before a closing bracket on its own line.
      '@stylistic/list-style': 'off',
      // Short guard bodies and drawing helpers stay on one line (`if (bad) { report(); return; }`).
      '@stylistic/max-statements-per-line': ['error', { max: 5 }],
    },
  },
  {
    files: ['src/server/public/**/*.js'],
    // Browser scripts; Chart is the global of the chart.js bundle that the pages load first.
    languageOptions: { globals: { ...globals.browser, Chart: 'readonly' } },
  },
  {
    files: ['src/**/*.ts', 'metrics/**/*.ts', 'reference-models/**/*.ts'],
    ignores: TRUSTED_JSON,
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'JSON',
          property: 'parse',
          message:
            'parse user files with parseJsonText / readJsonFile (src/io/json-file.ts): bad JSON is then a one-line exit-2 error naming the file; JSON that genbench wrote itself goes in TRUSTED_JSON (eslint.config.js) with a reason',
        },
      ],
    },
  },
  {
    files: ['test/cli/resize.test.ts', 'test/metrics/load.ts', 'test/rating/fixtures.ts', 'test/server/app.test.ts'],
    // These read untyped JSON answers field by field; typing each answer is a rewrite of the tests, not a lint fix.
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
