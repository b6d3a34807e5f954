// One lint setup for every TypeScript workspace (flat config).
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

// The layering, enforced (test/layering.test.ts shows each rule failing on a deliberate violation):
// libraries (packages/) never import the server or the apps; the server never imports the apps; the
// client bundle (apps/xr/src) never imports Node-only code; its components (scene/, ui/, xr/) never touch
// the socket (they go through the store and controller/ actions).
const APPS = ['@fastsam-xr/cli', '@fastsam-xr/cli/*', '@fastsam-xr/xr', '@fastsam-xr/xr/*']
const SERVER = ['@fastsam-xr/server', '@fastsam-xr/server/*']
const restrict = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }],
})
// Node-only modules and the server: never in the client bundle.
const NODE_ONLY = ['node:*', 'fs', 'path', 'child_process', 'onnxruntime-node', '@fastsam-xr/runtime/node']
const CLIENT = [...NODE_ONLY, ...SERVER, ...APPS.slice(0, 2), '**/server/**']
const LAYERS = [
  {
    files: ['packages/*/src/**/*.ts'],
    rules: restrict(
      [...APPS, ...SERVER, '**/server/src/**', '**/apps/**'],
      'a library (packages/) never imports the server or an app: move the shared code into a package',
    ),
  },
  {
    files: ['server/src/**/*.ts'],
    rules: restrict([...APPS, '**/apps/**'], 'the server never imports an app'),
  },
  {
    files: ['apps/xr/src/**/*.ts', 'apps/xr/src/**/*.tsx'],
    rules: restrict(CLIENT, 'the client bundle never imports Node-only code or the server'),
  },
  {
    // (one rule entry per file: this one repeats the client's list, since the last match wins)
    files: ['apps/xr/src/{scene,ui,xr}/**/*.ts', 'apps/xr/src/{scene,ui,xr}/**/*.tsx'],
    rules: restrict(
      [...CLIENT, 'socket.io-client', '**/controller/socket', '**/controller/socket.ts'],
      'components never touch the socket or Node-only code: use the store and the controller/ actions',
    ),
  },
]

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/dist-test/**',
      'models/**',
      '.cache/**',
      'apps/xr/public/**',
      '**/*.cjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Plain-JS entry points and scripts run on Node.
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...LAYERS,
)
