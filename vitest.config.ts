import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources through the `@fo/source` export
// condition (tsconfig's customConditions does the same for tsc); published builds never see it.
// The rest is Vite's default server condition list, which setting `conditions` replaces.
const conditions = ['@fo/source', 'module', 'node', 'development|production'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['packages/*/test/**/*.test.ts'],
    globalSetup: ['packages/server/test/support/globalSetup.ts'],
    setupFiles: ['packages/server/test/support/setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 120_000,
    typecheck: { enabled: true, include: ['packages/*/test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
  },
});
