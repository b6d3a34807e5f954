import { defineConfig } from 'vitest/config'

// One vitest run over every workspace. Browser end-to-end suites live in test/e2e and are
// included here too: they start the real server and Debian's chromium themselves.
export default defineConfig({
  test: {
    include: [
      'packages/*/test/**/*.test.ts',
      'server/test/**/*.test.ts',
      'test/**/*.test.ts',
      'apps/*/test/**/*.test.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: keep heavy suites from fighting each other.
    maxWorkers: 2,
    reporters: ['default'],
  },
})
