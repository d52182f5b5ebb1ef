import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { rename, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { FaultPlan } from '../../protocols/faults.js'
import { parsePath } from '../../datastore/types/path.js'
import { cluster, type Cluster } from '../helpers/nodes.js'
import type { ChurtenNotification } from '../../node/churten/types.js'

const MiB = 1024 * 1024
type Ended = Extract<ChurtenNotification, { type: 'ended' }>
type Started = Extract<ChurtenNotification, { type: 'started' }>

describe('churten: jobs, notifications, retries', function () {
  this.timeout(120_000)
  let c: Cluster
  afterEach(async () => { await c.cleanup() })

  it('reports a realize as pending, started, download, progress, verify, realize, ended done', async () => {
    c = await cluster([{ name: 'a' }, { name: 'b' }])
    const a = c.get('a')
    const b = c.get('b')
    const data = randomBytes(3 * MiB)
    await a.write('n.bin', data)
    await b.waitJob('n.bin')
    const started = b.notes.find((s) => s.n.type === 'started' && s.n.path === 'n.bin')?.n as Started
    const mine = b.notes.map((s) => s.n).filter((n) => ('id' in n && n.id === started.id))
    const kinds = mine.map((n) => n.type === 'action' ? n.action : n.type)
    // Progress is reported while bytes arrive, at most every 100 ms, and always at the end.
    const squeezed = kinds.filter((k, i) => k !== 'progress' || kinds[i - 1] !== 'progress')
    assert.deepEqual(squeezed, ['pending', 'started', 'download', 'progress', 'verify', 'realize', 'ended'])
    const progress = mine.filter((n): n is Extract<ChurtenNotification, { type: 'progress' }> => n.type === 'progress')
    assert.deepEqual(progress.at(-1), { type: 'progress', id: started.id, bytes: 3 * MiB, total: 3 * MiB })
    const pending = mine[0] as Extract<ChurtenNotification, { type: 'pending' }>
    assert.equal(pending.bytes, 3 * MiB)
    assert.equal(pending.job, 'realize')
    const ended = mine.at(-1) as Ended
    assert.equal(ended.result, 'done')
    assert.deepEqual(ended.stats, { fetched: 3 * MiB, resumed: 0, fromBasis: 0, method: 'plain' })
  })

  it('keeps a failed job\'s backoff in the store: after a restart it waits for retryAt', async () => {
    const faults = new FaultPlan().fail('write', (ctx) => ctx.path === 'f.bin')
    c = await cluster([{ name: 'a' }, { name: 'b', testing: { clientFaults: faults, backoffMs: 3000 } }])
    const a = c.get('a')
    const b = c.get('b')
    const data = randomBytes(MiB)
    await a.write('f.bin', data)
    const failed = await b.waitJob('f.bin', 'failed')
    const record = await b.arena().store.failedJobs.get(parsePath('f.bin'))
    assert.equal(record?.failures, 1)
    assert.equal(record?.retryAt, failed.retryAt)
    assert.match(record?.error ?? '', /injected fault/)
    await b.stop()
    const from = b.notes.length
    await b.start()
    await b.waitForReal('f.bin', data)
    const retried = b.notes.slice(from).find((s) => s.n.type === 'started' && s.n.path === 'f.bin')
    assert.ok(retried != null)
    assert.equal((retried.n as Started).attempt, 1)
    assert.ok(retried.at >= (record?.retryAt ?? Infinity), `retried at ${retried.at}, ${(record?.retryAt ?? 0) - retried.at} ms before retryAt`)
  })

  it('cancels a job whose path changes while it runs, and runs the new one', async () => {
    c = await cluster([{ name: 'a' }, { name: 'b', limits: { churtenDownload: 4 * MiB } }])
    const a = c.get('a')
    const b = c.get('b')
    const first = randomBytes(16 * MiB)
    await a.write('m.bin', first)
    await b.waitNote((n): n is typeof n => n.type === 'progress' && n.bytes >= 4 * MiB, 'the first download is under way')
    const second = randomBytes(2 * MiB)
    // Saved the way editors save (a new file renamed over the old one): a
    // peer already reading the old version keeps reading it whole, so what
    // ends b's first job is the path changing, not the version vanishing
    // under the reader (that is VERSION_CHANGED, a failure and a retry).
    const target = a.abs('m.bin')
    const aside = join(dirname(dirname(target)), 'm.bin.new')
    await writeFile(aside, second)
    await rename(aside, target)
    await b.waitForReal('m.bin', second, { ms: 60_000 })
    await b.waitJob('m.bin')
    const results = b.notes.filter((s) => s.n.type === 'ended' && s.n.path === 'm.bin').map((s) => (s.n as Ended).result)
    assert.deepEqual(results, ['cancelled', 'done'])
    assert.match((b.notes.find((s) => s.n.type === 'ended' && (s.n as Ended).result === 'cancelled')?.n as Ended).error ?? '', /changed while its job ran/)
  })
})
