import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    disableConsoleIntercept: true,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Vitest's default is one worker fewer than the cores: on CI's 2 cores, one test file at a time.
    // Most of the suite's time is spent in hcert processes that a test file starts and waits for
    // (its worker idle meanwhile), so two files at a time keep both cores busy. `--maxWorkers 1`
    // on the command line still runs one at a time.
    maxWorkers: 2,
  },
})
