import assert from 'node:assert/strict'
import { createHost, type RealizeHost } from '../../../node/net/host.js'
import { Household } from '../../../node/net/household.js'
import { hashBytes } from '../../../node/real/hasher.js'
import { FramedStream } from '../../../protocols/common/framing.js'
import { HISTORY_PROTOCOL, subscribeHistory, type HistorySink } from '../../../protocols/history/index.js'
import { Kind, Publication, Subscribe } from '../../../protocols/history/history.js'
import { describeError } from '../../../datastore/types/errors.js'
import { LiveEntries } from '../../../protocols/history/live-entries.js'
import { newIdentity } from '../../helpers/net.js'
import type { HistoryEntry } from '../../../datastore/types/history.js'
import type { RelPath } from '../../../datastore/types/path.js'
import type { Stream } from '@libp2p/interface'

const STORE_ID = new Uint8Array(16).fill(3)
const FRAMES = 50

/** A sink that stores nothing; `entries` is given by the test. */
function sinkWith (entries: HistorySink['entries']): HistorySink {
  return { started: async () => {}, catchupFiles: async () => {}, catchupRemoved: async () => {}, catchupComplete: async () => {}, entries }
}

/** One live entry frame: Add of `f<n>.txt`. */
function frame (n: number): Publication {
  return { files: [], removed: [], entries: [{ n, kind: Kind.ADD, path: `f${n}.txt`, size: 1, mtime: n, hash: hashBytes(Buffer.from(String(n))) as Uint8Array<ArrayBuffer>, oldHash: new Uint8Array(0) }] }
}

/** An Add entry `n` as the subscriber hands it to the sink. */
function entry (n: number): HistoryEntry {
  return { n, notification: { kind: 'add', path: `f${n}.txt` as RelPath, size: 1, mtime: n, hash: hashBytes(Buffer.from(String(n))) } }
}

describe('history subscriber: live entries to the store (LiveEntries)', () => {
  it('entries that arrive during a write go together into the next one, in order, acknowledged after it', async () => {
    const writes: number[][] = []
    const acks: number[] = []
    let release!: () => void
    const blocked = new Promise<void>((resolve) => { release = resolve })
    const live = new LiveEntries(async (entries) => {
      writes.push(entries.map((e) => e.n))
      if (writes.length === 1) await blocked
    }, { ack: async (n) => { acks.push(n) }, abort: () => {} })
    await live.push([entry(1)])
    for (let n = 2; n <= FRAMES; n++) await live.push([entry(n)])
    assert.deepEqual(writes, [[1]], 'the first write is still running')
    assert.deepEqual(acks, [], 'nothing is acknowledged before it is stored')
    release()
    await live.drain()
    assert.deepEqual(writes, [[1], Array.from({ length: FRAMES - 1 }, (_, i) => i + 2)])
    assert.deepEqual(acks, [1, FRAMES])
  })

  it('push waits for the store once too many entries are queued (backpressure on the stream)', async () => {
    let release!: () => void
    const blocked = new Promise<void>((resolve) => { release = resolve })
    const order: string[] = []
    const live = new LiveEntries(async (entries) => {
      await blocked
      order.push(`stored ${entries.length}`)
    }, { ack: async () => {}, abort: () => {}, maxQueued: 3 })
    await live.push([entry(1)])
    await live.push([entry(2), entry(3)])
    const third = live.push([entry(4)]).then(() => { order.push('third push returned') })
    await Promise.resolve()
    release()
    await third
    assert.deepEqual(order, ['stored 1', 'stored 3', 'third push returned'], 'the push that made three queued returned only once they were stored')
  })

  it('a failed store aborts the reader, and every later push or drain throws its error', async () => {
    const aborted: unknown[] = []
    const live = new LiveEntries(async () => { throw new Error('disk on fire') }, { ack: async () => {}, abort: (err) => { aborted.push(err) } })
    await live.push([entry(1)])
    await assert.rejects(live.drain(), /disk on fire/)
    assert.equal(aborted.length, 1)
    await assert.rejects(live.push([entry(2)]), /disk on fire/)
    assert.throws(() => { live.check() }, /disk on fire/)
  })
})

/**
 * The subscriber against a scripted publisher: a failed store ends the
 * subscription with its error even when the publisher sends nothing more.
 */
describe('history subscriber: live entries over the protocol', function () {
  let pub: RealizeHost
  let sub: RealizeHost
  let pubId: string

  beforeEach(async () => {
    const [p, s] = [await newIdentity(), await newIdentity()]
    pubId = p.peerId.toString()
    const members = [{ name: 'pub', id: pubId, addrs: [] }, { name: 'sub', id: s.peerId.toString(), addrs: [] }]
    pub = (await createHost({ privateKey: p.privateKey, listen: ['/ip4/127.0.0.1/tcp/0'], gater: new Household(members, []).gater(), mdns: false })).host
    sub = (await createHost({ privateKey: s.privateKey, listen: ['/ip4/127.0.0.1/tcp/0'], gater: new Household(members, []).gater(), mdns: false })).host
    await pub.start()
    await sub.start()
    await sub.dial(pub.getMultiaddrs()[0]!)
  })
  afterEach(async () => {
    await sub.stop()
    await pub.stop()
  })

  /** Serves one subscription: resume, then FRAMES frames of one entry at once; `after` runs with the stream. */
  async function publish (after: (s: FramedStream, raw: Stream) => Promise<void>): Promise<void> {
    await pub.handle(HISTORY_PROTOCOL, async (raw) => {
      const s = new FramedStream(raw)
      await s.read(Subscribe, 'subscribe')
      await s.write({ start: { storeId: STORE_ID, catchup: false, lastN: FRAMES }, files: [], entries: [], removed: [] }, Publication)
      for (let n = 1; n <= FRAMES; n++) await s.write(frame(n), Publication)
      await after(s, raw)
    })
  }

  it('a failed store ends the subscription with its error though the publisher sends nothing more', async () => {
    await publish(async (_s, raw) => {
      // Keeps the stream open and silent until the subscriber gives up.
      await new Promise<void>((resolve) => { raw.addEventListener('close', () => { resolve() }, { once: true }) })
    })
    const sink = sinkWith(async () => { throw new Error('disk on fire') })
    const err = await subscribeHistory(sub, { name: 'pub', id: pubId }, 'docs', { storeId: STORE_ID, lastSeen: 0 }, sink).then(() => undefined, (e: unknown) => e)
    assert.equal(describeError(err), 'following history of arena docs on pub: local: disk on fire')
  })
})
