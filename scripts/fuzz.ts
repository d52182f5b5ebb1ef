import { parseArgs } from 'node:util'
import fc from 'fast-check'
import { checkSuite, SUITES, type SuiteName } from '../test/fuzz/properties.js'
import { FuzzTarget } from '../test/fuzz/target.js'
import { PENDING_FIXES } from '../test/fuzz/pending.js'

/**
 * The long fuzz run (docs/fuzzing.md): each suite's property against its own
 * real `realize-node` process, with shrinking. Prints each failure with its
 * seed, path and shrunk counterexample (replay one with --seed S --path P).
 *
 *   npm run fuzz -- [--runs N] [--seed S] [--suite protocols|publish|control]... [--all | --pending ARM,...] [--path P]
 *
 * --runs   cases per suite (default 1000)
 * --seed   fast-check seed (default: random, printed)
 * --all    also the arms listed in test/fuzz/pending.ts PENDING_FIXES; --pending: only those named
 */
async function main (): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '1000' },
      seed: { type: 'string' },
      suite: { type: 'string', multiple: true, default: [] },
      all: { type: 'boolean', default: false },
      pending: { type: 'string' },
      path: { type: 'string' },
      verbose: { type: 'boolean', default: false }
    }
  })
  if (values.all) process.env.REALIZE_FUZZ_PENDING = 'all'
  else if (values.pending != null) process.env.REALIZE_FUZZ_PENDING = values.pending
  const seed = values.seed != null ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31)
  const suites = (values.suite.length > 0 ? values.suite : SUITES) as SuiteName[]
  const runs = Number(values.runs)
  console.log(`fuzz: seed ${seed}, ${runs} runs per suite, suites ${suites.join(', ')}${values.all || values.pending != null ? `, pending arms included: ${values.pending ?? 'all'}` : `, pending arms left out (${PENDING_FIXES.join(', ') || 'none'})`}`)
  let failed = 0
  for (const suite of suites) {
    const t0 = Date.now()
    const t = await FuzzTarget.start()
    try {
      let n = 0
      const details = await checkSuite(t, suite, {
        seed,
        numRuns: runs,
        path: values.path,
        verbose: values.verbose ? 2 : 1,
        reporter: undefined,
        examples: [],
        // Progress on stderr every 100 cases.
        beforeEach: () => { if (++n % 100 === 0) process.stderr.write(`  ${suite}: ${n} cases\n`) }
      } as fc.Parameters<[unknown]>)
      const secs = ((Date.now() - t0) / 1000).toFixed(0)
      if (details.failed) {
        failed++
        console.log(`FAIL ${suite} (${secs} s, RSS ${Math.round((await t.rss().catch(() => 0)) / 2 ** 20)} MiB)\n${fc.defaultReportMessage(details) ?? ''}\nWhat broke:\n${(details.errorInstance as Error | undefined)?.message ?? String(details.errorInstance)}`)
      } else {
        console.log(`ok   ${suite}: ${details.numRuns} cases in ${secs} s, node RSS ${Math.round((await t.rss()) / 2 ** 20)} MiB`)
      }
    } finally {
      await t.stop()
    }
  }
  process.exitCode = failed > 0 ? 1 : 0
}

await main()
