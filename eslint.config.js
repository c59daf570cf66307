// Flat ESLint config: typed strict rules, module layering, and single choke points.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Layers from bottom to top (DESIGN.md). A module may import only layers to its left,
// and only through that layer's index.ts.
const LAYERS = [
  'core',
  'config',
  'store',
  'state',
  'audit',
  'identity',
  'data',
  'training',
  'scan',
  'registry',
  'monitor',
  'serving',
  'server',
  'cli',
];

const layerRules = LAYERS.map((layer, position) => {
  const higher = LAYERS.slice(position + 1);
  const others = LAYERS.filter((l) => l !== layer);
  return {
    files: [`src/${layer}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...higher.map((h) => ({
              group: [`../${h}/*`, `../../${h}/*`, `../../../${h}/*`],
              message: `${layer} sits below ${h} and must not import it (DESIGN.md: imports run one way).`,
            })),
            ...others.map((o) => ({
              group: [`../${o}/**`, `!../${o}/index.js`, `../../${o}/**`, `!../../${o}/index.js`],
              message: `Reach into ${o} only through its index.ts.`,
            })),
          ],
        },
      ],
    },
  };
});

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.rampart/', 'test/fixtures/'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      'no-restricted-globals': [
        'error',
        { name: 'fetch', message: 'Use an undici pool or node:http.' },
      ],
      'no-console': 'error',
    },
  },
  ...layerRules,
  {
    // process.env is read only by config/ and the CLI entry (DESIGN: single choke point).
    files: ['src/**/*.ts'],
    ignores: ['src/config/**', 'src/cli/**', 'src/**/*.test.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read settings through src/config.' },
      ],
    },
  },
  {
    files: ['**/*.test.ts', 'testkit/**', 'test/**', 'bench/**', 'scripts/**'],
    rules: {
      '@typescript-eslint/no-floating-promises': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-console': 'off',
      'no-restricted-globals': 'off',
    },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
);
