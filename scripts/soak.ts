import { parseArgs } from 'node:util'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { report, runSeed, shrink, signature, type SeedResult } from '../test/model/run.js'
import { generate, NODES, STEP_KINDS } from '../test/model/steps.js'
import { World } from '../test/model/world.js'

/**
 * The long run of the randomized model check (docs/reliability.md):
 *
 *   npm run soak -- --seeds 500 [--start 1] [--steps 20] [--quiet-ms 10000] [--shrink 12] [--without rootAway,kill]
 *
 * Runs seeds start..start+seeds-1 on one household of three real nodes
 * (reset between seeds), shrinks each failing seed (at most --shrink tries,
 * 0 to skip) and prints the failure with its shrunk steps, then a summary:
 * seeds run, failures by invariant, per-seed timing, step kinds covered.
 * Exit code 1 when any seed failed. Needs root (network namespaces, tmpfs).
 */
const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '500' },
    start: { type: 'string', default: '1' },
    steps: { type: 'string', default: '20' },
    'quiet-ms': { type: 'string', default: '10000' },
    'settle-ms': { type: 'string', default: '90000' },
    shrink: { type: 'string', default: '12' },
    /** Step kinds to leave out (comma-separated), e.g. to look past a known bug. */
    without: { type: 'string', default: '' },
    /** A directory: each failing seed's node logs (the current processes') go there as SEED-NODE.log. */
    logs: { type: 'string' }
  }
})
const seeds = Number(values.seeds)
const start = Number(values.start)
const steps = Number(values.steps)
const without = new Set((values.without ?? '').split(',').filter((k) => k !== ''))
const opts = { quietMs: Number(values['quiet-ms']), settleMs: Number(values['settle-ms']) }

const w = await World.create()
const stop = (): void => { void w.destroy().finally(() => process.exit(130)) }
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
const results: SeedResult[] = []
const failures: string[] = []
const began = Date.now()
try {
  for (let seed = start; seed < start + seeds; seed++) {
    const plan = generate(seed, steps)
    if (without.size > 0) plan.steps = plan.steps.filter((s) => !without.has(s.k))
    const r = await runSeed(w, plan, opts)
    results.push(r)
    console.log(`seed ${seed}: ${r.violations.length === 0 ? 'ok' : `FAIL [${signature(r.violations)}]`} ${(r.ms.total / 1000).toFixed(1)} s (steps ${(r.ms.steps / 1000).toFixed(1)}, settle ${(r.ms.settle / 1000).toFixed(1)}, quiet ${(r.ms.quiet / 1000).toFixed(1)}); applied: ${[...r.applied].sort().join(' ')}`)
    if (r.violations.length === 0) continue
    console.log(report(r))
    if (values.logs != null) {
      await mkdir(values.logs, { recursive: true })
      for (const n of NODES) await writeFile(join(values.logs, `${seed}-${n}.log`), w.h.lines(n).map((l) => JSON.stringify(l)).join('\n') + '\n')
    }
    if (Number(values.shrink) > 0) {
      const s = await shrink(w, plan, r, { ...opts, tries: Number(values.shrink), log: console.log })
      console.log(report(s.result, `seed ${seed} shrunk to ${s.plan.steps.length} steps (${s.tries} tries)`))
    }
    failures.push(`seed ${seed}: ${signature(r.violations)}: ${r.violations[0]?.message ?? ''}`)
  }
} finally {
  await w.destroy()
}
const times = results.map((r) => r.ms.total).sort((a, b) => a - b)
const covered = STEP_KINDS.filter((k) => results.some((r) => r.applied.has(k)))
const byKind = new Map<string, number>()
for (const r of results) for (const k of new Set(r.violations.map((v) => v.kind))) byKind.set(k, (byKind.get(k) ?? 0) + 1)
console.log([
  '',
  `soak: ${results.length} seeds (${start}..${start + results.length - 1}, ${steps} steps each), ${failures.length} failed, ${((Date.now() - began) / 60_000).toFixed(1)} min`,
  `per seed: median ${((times[Math.floor(times.length / 2)] ?? 0) / 1000).toFixed(1)} s, max ${((times[times.length - 1] ?? 0) / 1000).toFixed(1)} s`,
  `failures by invariant: ${[...byKind].map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`,
  `step kinds applied: ${covered.join(' ')}${covered.length < STEP_KINDS.length ? ` (never: ${STEP_KINDS.filter((k) => !covered.includes(k)).join(' ')})` : ''}`,
  ...failures
].join('\n'))
process.exit(failures.length > 0 ? 1 : 0)
