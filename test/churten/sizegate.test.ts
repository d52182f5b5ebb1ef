import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { cluster, type Cluster, type Seen } from '../helpers/nodes.js'
import type { ChurtenNotification } from '../../node/churten/types.js'

const MiB = 1024 * 1024

type Started = Extract<ChurtenNotification, { type: 'started' }>
type Ended = Extract<ChurtenNotification, { type: 'ended' }>

/** [start, end) of each job, from the notification stream. */
function spans (notes: Seen[]): Map<number, { path: string, start: number, end: number }> {
  const out = new Map<number, { path: string, start: number, end: number }>()
  let seq = 0
  for (const { n } of notes) {
    seq++
    if (n.type === 'started') out.set(n.id, { path: (n as Started).path, start: seq, end: Infinity })
    if (n.type === 'ended') {
      const s = out.get(n.id)
      if (s != null) s.end = seq
    }
  }
  return out
}

describe('churten: size gate {#sizegate}', function () {
  this.timeout(180_000)
  let c: Cluster
  afterEach(async () => { await c.cleanup() })

  it('100 small files download concurrently while a file larger than the budget runs alone', async () => {
    c = await cluster([{ name: 'a' }, { name: 'b', churten: { batchBytes: 8 * MiB }, start: false }])
    const a = c.get('a')
    const b = c.get('b')
    const files: Record<string, Buffer> = {}
    for (let i = 0; i < 50; i++) files[`small/${String(i).padStart(3, '0')}.bin`] = randomBytes(16 * 1024)
    files['large.bin'] = randomBytes(12 * MiB)
    for (let i = 50; i < 100; i++) files[`small/${String(i).padStart(3, '0')}.bin`] = randomBytes(16 * 1024)
    for (const [p, data] of Object.entries(files)) await a.write(p, data)
    for (const [p, data] of Object.entries(files)) await a.waitIndexed(p, data)
    await b.start()
    for (const [p, data] of Object.entries(files)) await b.waitForReal(p, data, { ms: 60_000 })
    await b.waitFor(() => b.notes.filter((s) => s.n.type === 'ended' && (s.n as Ended).result === 'done').length >= 101, 'every job ended')

    const jobs = [...spans(b.notes).entries()]
    const large = jobs.filter(([, s]) => s.path === 'large.bin')
    assert.equal(large.length, 1)
    const [, big] = large[0]!
    const overlapping = jobs.filter(([, s]) => s.path !== 'large.bin' && s.start < big.end && s.end > big.start)
    assert.deepEqual(overlapping.map(([, s]) => s.path), [], 'the large file ran alone')
    // The small ones ran together: at some moment many were in flight.
    let most = 0
    for (const [, s] of jobs) {
      if (s.path === 'large.bin') continue
      const together = jobs.filter(([, o]) => o.path !== 'large.bin' && o.start <= s.start && o.end > s.start).length
      most = Math.max(most, together)
    }
    assert.ok(most >= 4, `at most ${most} small downloads ran at once`)
    const smallDone = jobs.filter(([, s]) => s.path.startsWith('small/')).length
    assert.equal(smallDone, 100)
  })
})
