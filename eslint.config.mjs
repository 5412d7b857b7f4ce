import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
    files: ['src-renderer/src/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          // core/* (not core/**) so the api folder can be re-included: gitignore rules cannot re-include below an excluded folder.
          { group: ['node:*', 'electron', '**/src-main/core/*', '!**/src-main/core/api'], message: 'The renderer talks only to the Beacon API types.' },
        ],
      }],
    },
  },
);
