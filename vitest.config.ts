import { defineConfig } from 'vitest/config'

// One vitest run over every workspace, in two groups. Suites that drive Debian's chromium against a
// real server (apps/xr/test/e2e and any `*.browser.test.ts`) run after the others, one file at a
// time: two chromiums (SwiftShader) and two model servers on a 2-core machine starve each other.
const BROWSER_SUITES = ['apps/xr/test/e2e/**/*.test.ts', '**/*.browser.test.ts']

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: [
            'packages/*/test/**/*.test.ts',
            'server/test/**/*.test.ts',
            'test/**/*.test.ts',
            'apps/*/test/**/*.test.ts',
          ],
          exclude: ['**/node_modules/**', ...BROWSER_SUITES],
          // Two cores: keep heavy suites from fighting each other.
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: BROWSER_SUITES,
          exclude: ['**/node_modules/**'],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
})
