/**
 * Benchmark (issue 18): `status` round trips on the control socket of a
 * real node while a household peer runs the heaviest requests the node
 * allows (scripts/harness/hostile-load.ts: 8 rsync streams with colliding
 * signatures, 8 hash streams of 4,096 ranges). Prints the round trips'
 * median, p99 and max, and how long each load took.
 *
 *   npm run build && npx node dist/scripts/bench-responsive.js [--only rsync|hash|none] [--streams N]
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { hostileScenario } from './harness/hostile-load.js'

const { values } = parseArgs({ options: { only: { type: 'string' }, streams: { type: 'string' } } })
const dir = await mkdtemp(join(tmpdir(), 'rz-bench-responsive-'))
try {
  const r = await hostileScenario({ dir, rsync: values.only == null || values.only === 'rsync', hash: values.only == null || values.only === 'hash', ...(values.streams != null ? { streams: Number(values.streams) } : {}) })
  const s = [...r.rtts].sort((a, b) => a - b)
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))]!
  const f = (ms: number): string => `${ms.toFixed(1)} ms`
  console.log(`load ${(r.ms / 1000).toFixed(1)} s, ${s.length} status round trips: median ${f(at(0.5))}, p99 ${f(at(0.99))}, max ${f(s[s.length - 1]!)} (load average ${loadavg().map((x) => x.toFixed(2)).join(' ')})`)
  const top = r.rtts.map((ms, i) => ({ ms, i })).sort((a, b) => b.ms - a.ms).slice(0, 5)
  console.log(`  longest: ${top.map((t) => `#${t.i} ${f(t.ms)}`).join(', ')}`)
  for (const x of r.rsync) console.log(`  rsync: ${(x.ms / 1000).toFixed(2)} s, ${x.literal} literal bytes, range hash ${x.rangeHashOk ? 'ok' : 'WRONG'}`)
  for (const x of r.hash) console.log(`  hash: ${(x.ms / 1000).toFixed(2)} s, ${x.results} results${x.code != null ? ` (${x.code})` : ''}`)
} finally {
  await rm(dir, { recursive: true, force: true })
}
