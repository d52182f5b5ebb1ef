import assert from 'node:assert/strict'
import { report, runSeed, shrink } from './run.js'
import { generate, STEP_KINDS, type StepKind } from './steps.js'
import { World } from './world.js'

/**
 * The randomized model check on fixed seeds (issue 11, spec section 8;
 * docs/reliability.md): three real `realize-node` processes in network
 * namespaces, each seed a sequence of user and machine steps (edits,
 * renames, deletions, marks by CLI and xattr, a root moved away and back,
 * a full disk, kill -9, a partition), then the invariants: nothing a user
 * wrote is lost, the nodes converge, and the household is quiet once
 * settled. The seeds are chosen so that together they apply every step
 * kind; the long run is `npm run soak`.
 *
 * CI uses a 3 s quiet window instead of the issue's 10 s (the soak uses
 * 10 s): jobs and bytes are sampled throughout the window, so a runaway
 * loop shows in either.
 */
const SEEDS = [70, 96, 7, 21, 201]
const STEPS = 20
const QUIET_MS = 3_000
const SETTLE_MS = 45_000

describe('model check: seeded random steps on three real nodes', function () {
  this.timeout(300_000)
  let w: World | undefined
  const applied = new Set<StepKind>()

  before(async function () {
    this.timeout(120_000)
    w = await World.create()
  })
  after(async () => { await w?.destroy() })

  for (const seed of SEEDS) {
    it(`seed ${seed}: no loss, convergence, quiet`, async () => {
      const world = w as World
      const plan = generate(seed, STEPS)
      const r = await runSeed(world, plan, { quietMs: QUIET_MS, settleMs: SETTLE_MS })
      for (const k of r.applied) applied.add(k)
      console.log(`    seed ${seed}: ${(r.ms.total / 1000).toFixed(1)} s (steps ${(r.ms.steps / 1000).toFixed(1)}, settle ${(r.ms.settle / 1000).toFixed(1)}, quiet ${(r.ms.quiet / 1000).toFixed(1)})`)
      if (r.violations.length === 0) return
      console.log(report(r))
      const s = await shrink(world, plan, r, { quietMs: QUIET_MS, settleMs: SETTLE_MS, tries: 4, log: console.log })
      assert.fail(`${report(s.result, `seed ${seed} (shrunk to ${s.plan.steps.length} steps; replay: npm run soak -- --seeds 1 --start ${seed} --steps ${STEPS})`)}`)
    })
  }

  it('the seeds together applied every step kind', () => {
    assert.deepEqual(STEP_KINDS.filter((k) => !applied.has(k)), [], 'step kinds no CI seed applied')
  })
})
