import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readBlob } from '../../protocols/blob/client.js'
import { throttleOf } from '../../node/net/rate-limit.js'
import { hashBytes } from '../../node/real/hasher.js'
import { parsePath } from '../../datastore/types/path.js'
import { cluster, type Cluster } from '../helpers/nodes.js'

const MiB = 1024 * 1024

describe('churten: bandwidth limits {#churtenlimit}', function () {
  this.timeout(120_000)
  let c: Cluster
  afterEach(async () => { await c.cleanup() })

  it('churten_download = 1M holds a 4 MiB churten download to 3 s or more, not an on-demand read beside it', async () => {
    c = await cluster([{ name: 'a' }, { name: 'b', arenas: [{ name: 'docs', mark: 'watch' }], limits: { churtenDownload: MiB } }])
    const a = c.get('a')
    const b = c.get('b')
    // Random bytes: compression cannot make the wire bytes smaller than the file.
    const synced = randomBytes(4 * MiB)
    const onDemand = randomBytes(4 * MiB)
    await a.write('synced.bin', synced)
    await a.write('read.bin', onDemand)
    await b.waitRemote('synced.bin', synced)
    await b.waitRemote('read.bin', onDemand)

    const from = b.notes.length
    await b.arena().marks.set(parsePath('synced.bin'), 'own')
    await b.waitNote((n): n is typeof n => n.type === 'started' && n.path === 'synced.bin', 'the churten download started', { from })
    const started = Date.now()

    // What `cat` does: a blob read under limits.download only.
    const t0 = Date.now()
    const chunks: Uint8Array[] = []
    const node = b.running
    for await (const piece of readBlob({ host: node.network.host, peers: node.network.household }, a.peerId, { arena: 'docs', path: 'read.bin', hash: hashBytes(onDemand), offset: 0, length: onDemand.byteLength }, { throttle: throttleOf(node.limits.download) })) {
      chunks.push(piece.data)
    }
    const readMs = Date.now() - t0
    assert.equal(Buffer.compare(Buffer.concat(chunks), onDemand), 0)

    await b.waitForReal('synced.bin', synced, { ms: 60_000 })
    const syncMs = Date.now() - started
    const ended = await b.waitJob('synced.bin', 'done', { from })
    assert.ok(syncMs >= 3000, `the churten download took ${syncMs} ms`)
    assert.ok(readMs < 1500, `the on-demand read took ${readMs} ms`)
    assert.ok(readMs < syncMs / 2)
    assert.ok((ended.stats?.fetched ?? 0) >= 4 * MiB)
  })
})
