import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // `*.postgres.test.ts` need a PostgreSQL server (two processes on one database, killed
    // connections): only the PostgreSQL pass collects them. `*.pglite.test.ts` are about the
    // embedded database's own directory (its owner lock, backups, the demo) and use it whatever
    // the pass: only the PGlite pass runs them, instead of both running the same thing.
    exclude: [process.env.TEST_DATABASE_URL ? 'test/**/*.pglite.test.ts' : 'test/**/*.postgres.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Two cores: two workers keep the machine responsive and PostgreSQL unstarved.
    pool: 'forks',
    maxWorkers: 2,
    // A worker keeps its loaded modules from one test file to the next: PGlite's WebAssembly and
    // the app's modules load once per worker instead of once per file (the PGlite pass took 565 s
    // isolated, 271 s like this with coverage on). Every file still builds its own database and app.
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // npm run coverage: which lines and branches of the app the tests reach (summary printed, per file in coverage/).
    coverage: {
      provider: 'v8',
      // A slow machine can time out one test; the figures of the rest are still worth having.
      reportOnFailure: true,
      include: ['src/**/*.ts'],
      reporter: ['text-summary', ['text', { file: 'coverage.txt' }], 'json-summary'],
    },
  },
});
