import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { peerIdFromString } from '@libp2p/peer-id'
import { BLOB_PROTOCOL, readBlob } from '../../../protocols/blob/index.js'
import { BlobRequest, BlobResponse } from '../../../protocols/blob/blob.js'
import { FramedStream } from '../../../protocols/common/framing.js'
import { startDataServers } from '../../../node/sync/real-source-servers.js'
import { RealSource } from '../../../node/sync/real-source.js'
import { describeError } from '../../../datastore/types/errors.js'
import { admit, stopHosts, testHost, type TestHost } from '../../helpers/libp2p.js'
import { ARENA, dataPair, readAll, type DataPair } from './fixture.js'
import { until } from '../../helpers/wait.js'
import { EventEmitter } from 'node:events'

describe('blob protocol: stalled peers and timeouts', function () {
  let p: DataPair
  let quick: TestHost | undefined
  beforeEach(async () => { p = await dataPair() })
  afterEach(async () => {
    await stopHosts(quick)
    await p.stop()
  })

  it('the server gives up on a reader that stops reading, and on one that never asks', async () => {
    // A second server on the same arena with short timeouts.
    quick = await testHost('quick', [ARENA])
    await admit(quick, p.client)
    await admit(p.client, quick)
    await startDataServers(quick.components, { source: new RealSource((n) => n === ARENA ? p.arena.arena : undefined), idleTimeoutMs: 300, requestTimeoutMs: 300 } as never)
    const v = await p.file('big.bin', randomBytes(64 * 1024 * 1024))

    const closed = new EventEmitter()
    const watch = (s: FramedStream): void => { s.stream.addEventListener('close', () => { closed.emit('closed') }) }
    // Reads the header, then nothing: the window fills, the server's send stalls.
    const stalled = new FramedStream(await p.client.host.dialProtocol(peerIdFromString(quick.peerId), BLOB_PROTOCOL))
    watch(stalled)
    await stalled.write({ arena: ARENA, path: 'big.bin', hash: v.hash as Uint8Array<ArrayBuffer>, offset: 0, length: v.size, accept: [] }, BlobRequest)
    assert.ok((await stalled.read(BlobResponse, 'the header')).header != null)
    // Opens a stream and never sends the request.
    const silent = new FramedStream(await p.client.host.dialProtocol(peerIdFromString(quick.peerId), BLOB_PROTOCOL))
    watch(silent)
    await until(closed, 'closed', () => stalled.stream.status === 'reset' && silent.stream.status === 'reset', 'both streams reset by the server', 10_000)

    // The server still serves a reader that reads.
    const small = await p.file('small.txt', Buffer.from('still here'))
    const r = await readAll(readBlob({ host: p.client.host }, quick.peerId, { arena: ARENA, path: 'small.txt', hash: small.hash, offset: 0, length: small.size }), 0, small.size)
    assert.equal(r.data.toString(), 'still here')
  })

  it('a caller that aborts stops the read at once; the server serves the next one', async () => {
    const v = await p.file('big.bin', randomBytes(32 * 1024 * 1024))
    const ac = new AbortController()
    let got = 0
    await assert.rejects((async () => {
      for await (const piece of readBlob(p.peer, p.server.peerId, { arena: ARENA, path: 'big.bin', hash: v.hash, offset: 0, length: v.size }, { signal: ac.signal })) {
        got += piece.data.byteLength
        if (got >= 1024 * 1024) ac.abort(new Error('user pressed Ctrl-C'))
      }
    })(), (err: Error) => /^reading test\/big\.bin \[0, 33554432\) from server: local: user pressed Ctrl-C$/.test(describeError(err)))
    assert.ok(got < v.size)
    const again = await readAll(readBlob(p.peer, p.server.peerId, { arena: ARENA, path: 'big.bin', hash: v.hash, offset: 0, length: 10 }), 0, 10)
    assert.equal(again.data.byteLength, 10)
  })

  it('the reader times out on a server that never answers', async () => {
    quick = await testHost('mute', [ARENA])
    await admit(quick, p.client)
    await admit(p.client, quick)
    // Accepts the protocol, then says nothing.
    await quick.host.handle(BLOB_PROTOCOL, () => {})
    const v = await p.file('a.txt', Buffer.from('x'))
    await assert.rejects(readAll(readBlob(p.peer, quick.peerId, { arena: ARENA, path: 'a.txt', hash: v.hash, offset: 0, length: 1 }, { timeoutMs: 300 }), 0, 1), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'TIMEOUT')
      assert.match(describeError(err), /^reading test\/a\.txt \[0, 1\) from mute: local: waiting for the blob header: no answer within 300 ms$/)
      return true
    })
  })
})
