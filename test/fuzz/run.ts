import fc from 'fast-check'
import { checkSuite, type SuiteName } from './properties.js'
import { FuzzTarget } from './target.js'

/**
 * CI budget per suite (about 1.5 minutes in all on the 2-core CI machine):
 * fixed seeds, so a failure replays with `npm run fuzz -- --suite S --seed N`.
 */
export const CI_BUDGET: Record<SuiteName, { seed: number, runs: number }> = {
  protocols: { seed: 18_001, runs: 150 },
  publish: { seed: 18_002, runs: 30 },
  control: { seed: 18_003, runs: 40 }
}

/** Runs one suite's CI budget against a fresh real node; throws with the counterexample and what broke. */
export async function runCiSuite (suite: SuiteName): Promise<void> {
  const { seed, runs } = CI_BUDGET[suite]
  const t = await FuzzTarget.start()
  try {
    // No shrinking in CI: the long run (scripts/fuzz.ts) shrinks from the printed seed and path.
    const details = await checkSuite(t, suite, { seed, numRuns: runs, endOnFailure: true })
    if (details.failed) {
      throw new Error(`${fc.defaultReportMessage(details) ?? ''}\nWhat broke:\n${(details.errorInstance as Error | undefined)?.message ?? String(details.errorInstance)}\nReplay: npm run fuzz -- --suite ${suite} --seed ${seed} --path ${details.counterexamplePath ?? ''}`)
    }
  } finally {
    await t.stop()
  }
}
