import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { FaultPlan } from '../../protocols/faults.js'
import { cluster, type Cluster, type NodeSpec, type Seen, type TestPeer } from '../helpers/nodes.js'

const KiB = 1024
const MiB = 1024 * KiB
/** The limit under test: 512 KiB/s. */
const LIMIT = 512 * KiB

/**
 * Every limit holds rsync and hash traffic as it holds blob chunks
 * {#churtenlimit}: delta downloads (rsync literals), repairs and the plain
 * copy a bad delta falls back to. No tight timing: a token bucket of one
 * second's worth can let at most 4/3 of the limit through 2 MiB, so a rate
 * under twice the limit is throttled, while loopback unthrottled moves
 * 2 MiB in a fraction of a second (tens of MiB/s).
 */
const LIMITS: Array<{ limit: string, a: Partial<NodeSpec>, b: Partial<NodeSpec> }> = [
  { limit: 'download (b)', a: {}, b: { limits: { download: LIMIT } } },
  { limit: 'churten_download (b)', a: {}, b: { limits: { churtenDownload: LIMIT } } },
  { limit: 'upload (a)', a: { limits: { upload: LIMIT } }, b: {} }
]

function noteOf (n: TestPeer, check: (s: Seen) => boolean, what: string): Seen {
  const s = n.notes.find(check)
  if (s == null) throw new Error(`${n.name}: no ${what}`)
  return s
}

/** a writes a 2 MiB r.bin that b downloads, repairs by `method` and realizes; the repair's rate. */
async function repaired (c: Cluster, method: 'rsync' | 'copy', bytes: number): Promise<void> {
  const a = c.get('a')
  const b = c.get('b')
  const data = randomBytes(bytes)
  await a.write('r.bin', data)
  await b.waitForReal('r.bin', data, { ms: 60_000 })
  const ended = await b.waitJob('r.bin')
  const repairing = noteOf(b, (s) => s.n.type === 'action' && s.n.id === ended.id && s.n.action === 'repair', 'repair action')
  const end = noteOf(b, (s) => s.n === ended, 'end of the job')
  const repair = await b.waitForEvent('range-repaired')
  assert.equal(repair.method, method)
  const fetched = repair.fetched as number
  assert.ok(fetched >= bytes, `the repair fetched ${fetched} bytes`)
  const rate = fetched / ((end.at - repairing.at) / 1000)
  assert.ok(rate < 2 * LIMIT, `the repair ran at ${Math.round(rate / KiB)} KiB/s under a 512 KiB/s limit`)
}

describe('churten: bandwidth limits hold delta downloads and repairs {#churtenlimit}', function () {
  this.timeout(120_000)
  let c: Cluster
  afterEach(async () => { await c.cleanup() })

  for (const { limit, a: aSpec, b: bSpec } of LIMITS) {
    it(`${limit} = 512K holds a delta download's 2 MiB of rsync literals`, async () => {
      c = await cluster([{ name: 'a', ...aSpec }, { name: 'b', ...bSpec }])
      const a = c.get('a')
      const b = c.get('b')
      // A small first version (half a second at the limit), then 2 MiB appended: the delta's literals.
      const v1 = randomBytes(MiB)
      await a.write('log.bin', v1)
      await b.waitForReal('log.bin', v1)
      const v2 = Buffer.concat([v1, randomBytes(2 * MiB)])
      const from = b.notes.length
      await a.write('log.bin', v2)
      await b.waitForReal('log.bin', v2, { ms: 60_000 })
      const ended = await b.waitJob('log.bin', 'done', { from })
      const started = noteOf(b, (s) => s.n.type === 'started' && s.n.id === ended.id, 'start of the delta job')
      const end = noteOf(b, (s) => s.n === ended, 'end of the delta job')
      assert.equal(ended.stats?.method, 'delta')
      const fetched = ended.stats?.fetched ?? 0
      assert.ok(fetched >= 2 * MiB && fetched < 3 * MiB, `fetched ${fetched} bytes`)
      const rate = fetched / ((end.at - started.at) / 1000)
      assert.ok(rate < 2 * LIMIT, `the delta download ran at ${Math.round(rate / KiB)} KiB/s under a 512 KiB/s limit`)
    })

    it(`${limit} = 512K holds a repair by rsync of 2 MiB`, async () => {
      // Every chunk comes garbled: the blob fails verification and no block of it matches, so the repair's rsync sends all 2 MiB as literals.
      const faults = new FaultPlan().garble('blob.send', (ctx) => ctx.path === 'r.bin', 1000)
      c = await cluster([{ name: 'a', ...aSpec, testing: { dataFaults: faults } }, { name: 'b', ...bSpec }])
      await repaired(c, 'rsync', 2 * MiB)
    })

    // The copy is a blob read: a's upload limit held it before rsync was throttled; b's limits did not.
    if (limit === 'upload (a)') continue
    it(`${limit} = 512K holds a repair's fallback copy of 2 MiB`, async () => {
      // A bad chunk fails verification; the repair's rsync is bad too, so the range is copied whole.
      const faults = new FaultPlan()
        .corrupt('blob.send', (ctx) => ctx.path === 'r.bin')
        .corrupt('rsync.send', (ctx) => ctx.path === 'r.bin')
      c = await cluster([{ name: 'a', ...aSpec, testing: { dataFaults: faults } }, { name: 'b', ...bSpec }])
      await repaired(c, 'copy', 2 * MiB)
      assert.equal(faults.hits.length, 2)
    })
  }
})
