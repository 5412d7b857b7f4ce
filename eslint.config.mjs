import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import architecture from './scripts/eslint-architecture.mjs';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/out/**', 'dist/**', 'dist-cli/**', 'release/**', '**/test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly',
        clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly',
        TextDecoder: 'readonly', TextEncoder: 'readonly', performance: 'readonly', fetch: 'readonly',
        window: 'readonly', document: 'readonly', queueMicrotask: 'readonly', setImmediate: 'readonly',
        AbortController: 'readonly', structuredClone: 'readonly', WebSocket: 'readonly', navigator: 'readonly',
        requestAnimationFrame: 'readonly', cancelAnimationFrame: 'readonly', __dirname: 'readonly', require: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The core is plain Node: it must never reach for a UI runtime.
    files: ['src-main/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [
          { name: 'electron', message: 'src-main/core must not import electron: put it in src-main/electron.' },
          { name: 'react', message: 'src-main/core must not import react.' },
          { name: 'react-dom', message: 'src-main/core must not import react-dom.' },
          { name: 'electron-store', message: 'electron-store belongs to the Electron shell.' },
        ],
        patterns: ['**/electron/**', '**/cli/**', '**/src-renderer/**'],
      }],
    },
  },
  {
    // The house's shape (docs/architecture.md): imports point down the layers and never close a circle.
    files: ['src-main/**/*.ts', 'src-renderer/src/**/*.{ts,tsx}'],
    plugins: { beacon: architecture },
    rules: { 'beacon/layers': 'error', 'beacon/no-cycle': 'error' },
  },
  {
    files: ['src-renderer/src/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          // core/* (not core/**) so the contract folder can be re-included: gitignore rules cannot re-include below an excluded folder.
          { group: ['node:*', 'electron', '**/src-main/*', '!**/src-main/core', '**/src-main/core/*', '!**/src-main/core/contract'], message: 'The renderer imports only the shared contract (src-main/core/contract).' },
        ],
      }],
    },
  },
);
