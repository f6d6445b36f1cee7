import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources under the `aura-source` condition,
// so tests never need a build first. The published packages resolve to dist/.
const conditions = ['aura-source', ...defaultServerConditions];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: conditions } },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'apps/*/src/**/*.test.ts',
      'apps/*/test/**/*.test.ts',
    ],
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two at a time on two cores: many suites wait on processes, servers and timers rather than compute.
    maxWorkers: 2,
    reporters: ['default', ['json', { outputFile: '.vitest-reports/report.json' }]],
    coverage: {
      provider: 'v8',
      include: ['packages/*/src/**/*.ts', 'apps/*/src/**/*.ts'],
      exclude: ['**/*.test.ts', '**/index.ts', '**/main.ts', '**/cli/*.ts', 'packages/domain/src/testing/**'],
      reporter: ['text-summary', 'json-summary'],
      thresholds: {
        'packages/domain/src/**': { lines: 100, functions: 100, branches: 100, statements: 100 },
        'packages/application/src/**': { lines: 95, functions: 95, branches: 95, statements: 95 },
        'packages/adapters/src/**': { lines: 85, functions: 85, branches: 85, statements: 85 },
        'apps/*/src/**': { lines: 70, functions: 70, branches: 70, statements: 70 },
      },
    },
  },
});
