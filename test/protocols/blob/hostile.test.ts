import assert from 'node:assert/strict'
import { mkdir, rename, stat, symlink, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { peerIdFromString } from '@libp2p/peer-id'
import { BLOB_PROTOCOL, readBlob } from '../../../protocols/blob/index.js'
import { BlobRequest, BlobResponse } from '../../../protocols/blob/blob.js'
import { HASH_PROTOCOL } from '../../../protocols/hash/index.js'
import { HashRequest, HashResult } from '../../../protocols/hash/hash.js'
import { RSYNC_PROTOCOL } from '../../../protocols/rsync/index.js'
import { RsyncReply, RsyncRequest } from '../../../protocols/rsync/rsync.js'
import { FramedStream, type MessageCodec } from '../../../protocols/common/framing.js'
import { MAX_BLOB_STREAMS_PER_PEER } from '../../../protocols/blob/constants.js'
import { admit, stopHosts, testHost, type TestHost } from '../../helpers/libp2p.js'
import { ARENA, dataPair, readAll, type DataPair } from './fixture.js'
import type { Hash } from '../../../datastore/types/hash.js'
import { describeError } from '../../../datastore/types/errors.js'

/** One protocol as a hostile peer sees it: how to ask for `path`, and what a reply looks like. */
interface Target {
  protocol: string
  request: (path: string, hash: Hash) => Uint8Array
  reply: MessageCodec<any>
}

const targets: Target[] = [
  {
    protocol: BLOB_PROTOCOL,
    request: (path, hash) => BlobRequest.encode({ arena: ARENA, path, hash: hash as Uint8Array<ArrayBuffer>, offset: 0, length: 4, accept: [] }),
    reply: BlobResponse
  },
  {
    protocol: HASH_PROTOCOL,
    request: (path, hash) => HashRequest.encode({ arena: ARENA, path, hash: hash as Uint8Array<ArrayBuffer>, ranges: [{ offset: 0, length: 4 }] }),
    reply: HashResult
  },
  {
    protocol: RSYNC_PROTOCOL,
    request: (path, hash) => RsyncRequest.encode({ arena: ARENA, path, hash: hash as Uint8Array<ArrayBuffer>, offset: 0, length: 4, blockSize: 1024, basisLength: 0, inPlace: false }),
    reply: RsyncReply
  }
]

function varint (n: number): Uint8Array {
  const out: number[] = []
  do {
    out.push((n % 128) | (n >= 128 ? 0x80 : 0))
    n = Math.floor(n / 128)
  } while (n > 0)
  return Uint8Array.from(out)
}

function frame (bytes: Uint8Array): Uint8Array {
  return Uint8Array.from([...varint(bytes.byteLength), ...bytes])
}

async function open (from: TestHost, to: TestHost, protocol: string): Promise<FramedStream> {
  return new FramedStream(await from.host.dialProtocol(peerIdFromString(to.peerId), protocol))
}

/** Resolves with how the server ended the stream: its error frame, or a reset. */
async function outcome (s: FramedStream, reply: MessageCodec<any>): Promise<{ code?: string, reset: boolean }> {
  try {
    for (;;) {
      const m = await s.readMaybe(reply)
      // A stream reset before FramedStream saw it open reads as a plain end.
      if (m === undefined) return { reset: s.stream.status === 'reset' || s.stream.status === 'aborted' }
    }
  } catch (err) {
    const e = err as Error & { code?: string }
    if (e.name === 'PeerRemoteError') return { code: e.code, reset: false }
    return { reset: s.stream.status === 'reset' || s.stream.status === 'aborted' || /reset/i.test(e.name) }
  }
}

describe('hostile peers against blob, hash and rsync (spec section 8)', function () {
  let p: DataPair
  let secret: string
  let file: { hash: Hash, size: number }
  beforeEach(async () => {
    p = await dataPair()
    // A file next to the arena root: what a path escape would be after.
    secret = join(p.arena.root, '..', 'secret.txt')
    await writeFile(secret, 'the secret')
    file = await p.file('ok.txt', Buffer.from('fine content'))
  })
  afterEach(async () => { await p.stop() })

  /** The server still answers a well-formed read: the hostile stream did not take it down. */
  async function stillServes (): Promise<void> {
    const r = await readAll(readBlob(p.peer, p.server.peerId, { arena: ARENA, path: 'ok.txt', hash: file.hash, offset: 0, length: file.size }), 0, file.size)
    assert.equal(r.data.toString(), 'fine content')
  }

  for (const t of targets) {
    describe(t.protocol, () => {
      it('paths with .., absolute or NUL get a clear INVALID_PATH error, nothing read', async () => {
        for (const path of ['../secret.txt', 'a/../../secret.txt', join(p.arena.root, '..', 'secret.txt'), '/etc/passwd', 'ok.txt\0', '']) {
          const s = await open(p.client, p.server, t.protocol)
          await s.writeFrame(t.request(path, file.hash))
          const r = await outcome(s, t.reply)
          assert.equal(r.code, 'INVALID_PATH', `${JSON.stringify(path)}: ${JSON.stringify(r)}`)
        }
        await stillServes()
      })

      it('an oversized message resets the stream', async () => {
        const s = await open(p.client, p.server, t.protocol)
        // Announces 64 MiB: refused from the length alone, before any of it is buffered.
        s.stream.send(Uint8Array.from([...varint(64 * 1024 * 1024), 1, 2, 3]))
        assert.deepEqual(await outcome(s, t.reply), { reset: true })
        await stillServes()
      })

      it('a truncated protobuf resets the stream, and so does a stream ending mid-frame', async () => {
        const whole = t.request('ok.txt', file.hash)
        const s = await open(p.client, p.server, t.protocol)
        // A complete frame whose message stops inside a field.
        s.stream.send(frame(whole.subarray(0, 7)))
        assert.deepEqual(await outcome(s, t.reply), { reset: true })

        const s2 = await open(p.client, p.server, t.protocol)
        s2.stream.send(frame(whole).subarray(0, 10))
        await s2.close()
        assert.deepEqual(await outcome(s2, t.reply), { reset: true })
        await stillServes()
      })
    })
  }

  it('a household peer asking about an arena it does not share is refused; a stranger cannot even connect', async () => {
    // The server shares only `other` with this client (the client shares everything back).
    const narrow = await dataPair({ shared: ['other'] })
    const stranger = await testHost('stranger', [ARENA])
    try {
      const v = await narrow.file('a.txt', Buffer.from('not for you'))
      for (const t of targets) {
        const s = await open(narrow.client, narrow.server, t.protocol)
        await s.writeFrame(t.request('a.txt', v.hash))
        assert.equal((await outcome(s, t.reply)).code, 'ARENA_NOT_SHARED', t.protocol)
      }
      // The stranger would talk to the server; the server's gater refuses it.
      await admit(stranger, narrow.server)
      await assert.rejects(readAll(readBlob({ host: stranger.host }, narrow.server.peerId, { arena: ARENA, path: 'a.txt', hash: v.hash, offset: 0, length: 1 }), 0, 1),
        (err: Error & { side?: string }) => err.side === 'connection' && /^reading test\/a\.txt \[0, 1\) from \w+: connection: /.test(describeError(err)))
    } finally {
      await stopHosts(stranger)
      await narrow.stop()
    }
  })

  it('a symlink planted in the arena cannot expose a file outside it (PATH_OUTSIDE_ARENA)', async () => {
    const a = await p.file('sub/f.txt', Buffer.from('inside text'))
    const b = await p.file('g.txt', Buffer.from('more inside'))
    await p.arena.arena.watcher?.stop()
    const outside = join(p.arena.root, '..', 'outside')
    await mkdir(outside)
    // Swap the directory and the file for links to look-alikes outside (same size and mtime).
    await rename(join(p.arena.root, 'sub'), join(outside, 'sub'))
    await symlink(join(outside, 'sub'), join(p.arena.root, 'sub'))
    const g = join(p.arena.root, 'g.txt')
    const gStat = await stat(g)
    await writeFile(join(outside, 'g.txt'), 'more inside')
    await utimes(join(outside, 'g.txt'), gStat.atime, gStat.mtime)
    await rename(g, join(outside, 'g-moved.txt'))
    await symlink(join(outside, 'g.txt'), g)
    for (const [path, v] of [['sub/f.txt', a], ['g.txt', b]] as const) {
      await assert.rejects(readAll(readBlob(p.peer, p.server.peerId, { arena: ARENA, path, hash: v.hash, offset: 0, length: v.size }), 0, v.size), { code: 'PATH_OUTSIDE_ARENA' }, path)
    }
  })

  it(`a flood past ${MAX_BLOB_STREAMS_PER_PEER} concurrent streams is reset, and another peer is still served`, async () => {
    const third = await testHost('third', [ARENA])
    try {
      await admit(p.server, third)
      await admit(third, p.server)
      // Streams that never send their request hold their slot until the request timeout.
      const held: FramedStream[] = []
      for (let i = 0; i < MAX_BLOB_STREAMS_PER_PEER; i++) held.push(await open(p.client, p.server, BLOB_PROTOCOL))
      const extra: FramedStream[] = []
      for (let i = 0; i < 4; i++) extra.push(await open(p.client, p.server, BLOB_PROTOCOL).catch((err: Error) => { throw new Error(`opening stream ${i} past the limit: ${err.message}`) }))
      for (const s of extra) assert.deepEqual(await outcome(s, BlobResponse), { reset: true })
      // A household peer with its own budget reads fine meanwhile.
      const r = await readAll(readBlob({ host: third.host }, p.server.peerId, { arena: ARENA, path: 'ok.txt', hash: file.hash, offset: 0, length: file.size }), 0, file.size)
      assert.equal(r.data.toString(), 'fine content')
      // And the flooder gets served again once it lets go.
      for (const s of held) s.abort(new Error('done'))
      await stillServesEventually()
    } finally {
      await stopHosts(third)
    }

    async function stillServesEventually (): Promise<void> {
      // The server notices the aborted streams asynchronously; a reset read is retried once.
      for (let i = 0; ; i++) {
        try {
          await stillServes()
          return
        } catch (err) {
          if (i >= 20) throw err
          await new Promise((resolve) => setImmediate(resolve))
        }
      }
    }
  })
})
