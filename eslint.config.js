import { readFileSync } from 'node:fs';
import tseslint from 'typescript-eslint';

// The browser-safe library files are listed once, in tsconfig.browser.json (which also type-checks
// them with no Node types); here the same list gets a lint rule banning Node-only imports.
const browserConfig = JSON.parse(readFileSync(new URL('./tsconfig.browser.json', import.meta.url), 'utf8'));
const toGlob = (entry) => (entry.endsWith('.ts') ? entry : `${entry}/**/*.ts`);
const NODE_ONLY = ['fs', 'fs/promises', 'path', 'os', 'url', 'crypto', 'zlib', 'util', 'stream', 'buffer', 'child_process', 'worker_threads', 'module', 'process'];
const NODE_ONLY_PACKAGES = ['sharp', 'onnxruntime-node'];
const nodeOnlyMessage = 'browser-safe code (tsconfig.browser.json) may not use Node built-ins (imports or globals such as Buffer and process), sharp or onnxruntime-node; take bytes or an injected module instead (docs/architecture.md)';
const nodeOnlySource = `/^(node:|(${[...NODE_ONLY, ...NODE_ONLY_PACKAGES].join('|').replace(/\//g, '\\/')})(\\/|$))/`;

const nodeOnlyImports = (extraPatterns = []) => ['error', {
  paths: [...NODE_ONLY, ...NODE_ONLY_PACKAGES].map((name) => ({ name, message: nodeOnlyMessage })),
  patterns: [{ group: ['node:*', ...NODE_ONLY_PACKAGES.map((p) => `${p}/*`)], message: nodeOnlyMessage }, ...extraPatterns],
}];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'web/dist/**', 'models/**'] },
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    // ... and the browser app's own sources (web/src: page and worker; web/tsconfig.json has no Node types either)
    files: [...browserConfig.include.map(toGlob), 'web/src/**/*.ts'],
    ignores: (browserConfig.exclude ?? []).map(toGlob),
    rules: {
      'no-restricted-imports': nodeOnlyImports(),
      'no-restricted-syntax': ['error', {
        selector: `ImportExpression[source.value=${nodeOnlySource}]`,
        message: nodeOnlyMessage,
      }],
      'no-restricted-globals': ['error',
        ...['Buffer', 'process', 'require', '__dirname', '__filename', 'global', 'setImmediate'].map((name) => ({ name, message: nodeOnlyMessage })),
      ],
    },
  },
  {
    // The app reaches the library through its browser entry only (the one list of what a page may use).
    files: ['web/src/**/*.ts'],
    rules: {
      'no-restricted-imports': nodeOnlyImports([
        { regex: '^(\\.\\./)+src/(?!browser\\.js$)', message: 'web/ imports the library through src/browser.ts (medcolor/browser) only; export what it needs there' },
      ]),
    },
  },
);
