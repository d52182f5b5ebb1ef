import assert from 'node:assert/strict'
import { EventEmitter } from 'node:events'
import { readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { createHost, type RealizeHost } from '../../../node/net/host.js'
import { Household } from '../../../node/net/household.js'
import { FramedStream } from '../../../protocols/common/framing.js'
import { HISTORY_PROTOCOL } from '../../../protocols/history/index.js'
import { Kind, Publication, Subscribe } from '../../../protocols/history/history.js'
import { hashBytes } from '../../../node/real/hasher.js'
import { household, newIdentity, testNet, type TestNode } from '../../helpers/net.js'
import { until } from '../../helpers/wait.js'
import type { Stream } from '@libp2p/interface'
import type { PeerConfig } from '../../../node/config/config.js'

/** How a stream ended, from the hostile side: reset by the node, or closed cleanly. */
async function ending (stream: Stream): Promise<'reset' | 'closed'> {
  if (stream.status === 'reset' || stream.status === 'aborted') return 'reset'
  if (stream.status === 'closed') return 'closed'
  return await new Promise((resolve) => {
    stream.addEventListener('close', (evt) => { resolve(evt.error != null ? 'reset' : 'closed') }, { once: true })
  })
}

function varint (n: number): Uint8Array {
  const out: number[] = []
  do {
    let b = n % 128
    n = Math.floor(n / 128)
    if (n > 0) b |= 0x80
    out.push(b)
  } while (n > 0)
  return Uint8Array.from(out)
}

/** Files under `dir`, recursively (to prove nothing appeared outside the arena). */
async function listAll (dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String).sort()
}

describe('history protocol: hostile household peer (spec section 8)', function () {
  let net: Awaited<ReturnType<typeof testNet>>
  let a: TestNode
  let b: TestNode
  let evil: RealizeHost
  let evilPeer: PeerConfig

  beforeEach(async () => {
    net = await testNet()
    a = await net.make({ name: 'a' })
    b = await net.make({ name: 'b', arenas: [{ name: 'docs', root: false, mark: 'watch' }] })
    household(a, b)
    // A household member that does not follow the protocol.
    const id = await newIdentity()
    evilPeer = { name: 'evil', id: id.peerId.toString(), addrs: [] }
    a.peers.push(evilPeer)
    const h = new Household([{ name: 'a', id: a.peerId, addrs: [] }], [])
    evil = (await createHost({ privateKey: id.privateKey, listen: ['/ip4/127.0.0.1/tcp/0'], gater: h.gater(), mdns: false })).host
    await evil.start()
    await writeFile(join(a.root(), 'file.txt'), 'content')
    await a.start()
    await a.waitForEvent('caught-up')
  })
  afterEach(async () => {
    await evil.stop()
    await net.cleanup()
  })

  async function openRaw (): Promise<Stream> {
    return await evil.dialProtocol(multiaddr(`/ip4/127.0.0.1/tcp/${a.port}/p2p/${a.peerId}`), HISTORY_PROTOCOL)
  }

  /** Lets a find evil (it then subscribes to it) and waits for `n` of its subscriptions to evil to fail. */
  async function refusedSubscriptions (n: number): Promise<Array<Record<string, unknown>>> {
    evilPeer.addrs = [evil.getMultiaddrs()[0]!.toString()]
    a.running.network.updateHousehold(a.peers, a.config.arenas)
    return await until(a.capture.events, 'line', () => {
      const f = a.capture.lines.filter((l) => l.event === 'history-failed' && l.peer === 'evil')
      return f.length >= n ? f : undefined
    }, `${n} refused subscriptions`, 30_000)
  }

  /** The node still serves an honest peer after the abuse. */
  async function stillServes (): Promise<void> {
    await b.start()
    const tree = b.running.unreal.get('docs')
    assert.ok(tree != null)
    await until(tree, 'changed', async () => (await tree.statPath('file.txt')) != null || undefined, 'b got file.txt from a', 20_000)
  }

  it('resets the stream of an oversized message', async () => {
    const s = await openRaw()
    const from = a.capture.lines.length
    // Announces 64 MiB; the node refuses at the length, before buffering any of it.
    s.send(varint(64 * 1024 * 1024))
    s.send(new Uint8Array(1000))
    assert.equal(await ending(s), 'reset')
    const failed = await a.waitForEvent('request-failed', () => true, 10_000, from)
    assert.equal(failed.code, 'PROTOCOL_VIOLATION')
    assert.equal(failed.peer, 'evil')
    await stillServes()
  })

  it('resets the stream of a truncated protobuf and of a frame cut short', async () => {
    // A frame that is whole, but whose protobuf string field claims 50 bytes and carries 3.
    const s1 = await openRaw()
    s1.send(Uint8Array.from([5, 0x0a, 50, 0x61, 0x62, 0x63]))
    assert.equal(await ending(s1), 'reset')
    // A frame announced as 100 bytes, and the stream closed after 10.
    const s2 = await openRaw()
    s2.send(varint(100))
    s2.send(new Uint8Array(10))
    await s2.close()
    assert.equal(await ending(s2), 'reset')
    await stillServes()
  })

  it('resets streams past the per-peer limit and keeps serving', async () => {
    const streams: Stream[] = []
    const results: Array<Promise<'reset' | 'closed'>> = []
    const ended = new EventEmitter()
    let resets = 0
    for (let i = 0; i < 40; i++) {
      const s = await openRaw().catch(() => undefined)
      if (s == null) continue
      streams.push(s)
      results.push(ending(s).then((how) => {
        if (how === 'reset') resets++
        ended.emit('ended')
        return how
      }))
    }
    // Past the limit (16 history streams per peer) they are reset at once; the rest wait for
    // their Subscribe, which would take 10 s to time out: resets seen well before are the limit's.
    await until(ended, 'ended', () => resets >= 40 - 16 || undefined, 'streams past the limit reset', 5_000)
    assert.ok(resets >= 24 && resets < 40, `${resets} resets`)
    assert.ok(a.capture.lines.some((l) => l.event === 'stream-limit'))
    await stillServes()
    for (const s of streams) s.abort(new Error('done'))
    await Promise.all(results)
  })

  it('refuses catch-up paths with .., absolute or NUL from a hostile publisher; nothing is stored', async () => {
    const evilHash = hashBytes(Buffer.from('x')) as Uint8Array<ArrayBuffer>
    const served: string[] = []
    await evil.handle(HISTORY_PROTOCOL, async (raw) => {
      const s = new FramedStream(raw)
      const sub = await s.read(Subscribe, 'subscribe')
      served.push(sub.arena)
      const bad = ['../escape.txt', '/etc/passwd', 'a\0b', 'ok/../../escape']
      const path = bad[(served.length - 1) % bad.length] as string
      await s.write({ start: { storeId: new Uint8Array(16).fill(7), catchup: true, lastN: 1 }, files: [], entries: [], removed: [] }, Publication)
      await s.write({ files: [{ path: 'fine.txt', size: 1, mtime: 1, hash: evilHash, previous: [] }, { path, size: 1, mtime: 1, hash: evilHash, previous: [] }], entries: [], removed: [] }, Publication)
      await s.write({ complete: { n: 1 }, files: [], entries: [], removed: [] }, Publication)
      await ending(raw)
    })
    // a follows every household peer that shares the arena: it subscribes to evil and gets refused paths.
    const failures = await refusedSubscriptions(4)
    for (const f of failures) {
      assert.match(String(f.err), /following history of arena docs on evil: remote: invalid catch-up file from peer: invalid path/)
      // {#errormsg}: the chain prints each message once ("invalid path X: why" appeared twice).
      assert.equal(String(f.err).match(/invalid path/g)?.length, 1, String(f.err))
    }
    const tree = a.running.unreal.get('docs')!
    // The bad frame is refused whole: not even its good file was stored.
    assert.equal(await tree.statPath('fine.txt'), undefined)
    assert.deepEqual(await tree.readdir(1), [])
    assert.deepEqual(await listAll(net.base).then((l) => l.filter((p) => p.includes('escape'))), [])
  })

  it('refuses catch-up paths naming the node\'s own files (.realize-root, .realize-*.part); nothing is stored', async () => {
    const evilHash = hashBytes(Buffer.from('x')) as Uint8Array<ArrayBuffer>
    let served = 0
    await evil.handle(HISTORY_PROTOCOL, async (raw) => {
      const s = new FramedStream(raw)
      await s.read(Subscribe, 'subscribe')
      const bad = ['.realize-root', '.realize-root/planted', 'd/.realize-0123.part']
      const path = bad[served++ % bad.length] as string
      await s.write({ start: { storeId: new Uint8Array(16).fill(7), catchup: true, lastN: 1 }, files: [], entries: [], removed: [] }, Publication)
      await s.write({ files: [{ path: 'fine.txt', size: 1, mtime: 1, hash: evilHash, previous: [] }, { path, size: 1, mtime: 1, hash: evilHash, previous: [] }], entries: [], removed: [] }, Publication)
      await s.write({ complete: { n: 1 }, files: [], entries: [], removed: [] }, Publication)
      await ending(raw)
    })
    const failures = await refusedSubscriptions(3)
    for (const f of failures) assert.match(String(f.err), /invalid catch-up file from peer: ".*" has a name starting with \.realize-, which is reserved/)
    const tree = a.running.unreal.get('docs')!
    assert.equal(await tree.statPath('fine.txt'), undefined)
    assert.deepEqual(await tree.readdir(1), [])
  })

  it('refuses catch-up paths too deep or too long at decode time with a typed error (PATH_TOO_LONG)', async () => {
    const evilHash = hashBytes(Buffer.from('x')) as Uint8Array<ArrayBuffer>
    let served = 0
    await evil.handle(HISTORY_PROTOCOL, async (raw) => {
      const s = new FramedStream(raw)
      await s.read(Subscribe, 'subscribe')
      // 32,768 components (once deep enough to overflow the stack of a recursive tree walk), 300 short ones, a 300-byte name.
      const bad = [Array(32_768).fill('d').join('/'), Array(300).fill('e').join('/'), `dir/${'n'.repeat(300)}`]
      const path = bad[served++ % bad.length] as string
      await s.write({ start: { storeId: new Uint8Array(16).fill(3), catchup: true, lastN: 1 }, files: [], entries: [], removed: [] }, Publication)
      await s.write({ files: [{ path, size: 1, mtime: 1, hash: evilHash, previous: [] }], entries: [], removed: [] }, Publication)
      await s.write({ complete: { n: 1 }, files: [], entries: [], removed: [] }, Publication)
      await ending(raw)
    })
    const from = a.capture.lines.length
    const failures = await refusedSubscriptions(3)
    const messages = failures.map((f) => String(f.err)).join('\n')
    assert.match(messages, /invalid catch-up file from peer: invalid path "d\/d\/d.*\.\.\.": longer than 4096 bytes/)
    assert.match(messages, /invalid catch-up file from peer: invalid path "e\/e\/e.*\.\.\.": 300 components, more than 256/)
    assert.match(messages, /invalid catch-up file from peer: invalid path "dir\/n+\.\.\.": a name longer than 255 bytes/)
    // Refused as the peer's fault, never as a local error.
    assert.ok(!a.capture.lines.slice(from).some((l) => l.level >= 50 || /call stack/i.test(JSON.stringify(l))), 'no local error')
    assert.deepEqual(await a.running.unreal.get('docs')!.readdir(1), [])
  })

  it('serves 12 live subscriptions of one arena without an EventEmitter leak warning', async () => {
    const warnings: Error[] = []
    const onWarning = (w: Error): void => { warnings.push(w) }
    process.on('warning', onWarning)
    const streams: FramedStream[] = []
    try {
      for (let i = 0; i < 12; i++) {
        const s = new FramedStream(await openRaw())
        await s.write({ arena: 'docs', storeId: new Uint8Array(0), lastSeen: 0 }, Subscribe)
        // The start frame comes after the subscription listens for new entries.
        const first = await s.read(Publication, 'start')
        assert.ok(first.start != null)
        streams.push(s)
      }
      await writeFile(join(a.root(), 'new.txt'), 'live')
      // Each subscriber gets the new entry live.
      for (const s of streams) {
        for (let p = await s.read(Publication, 'publication'); !p.entries.some((e) => e.path === 'new.txt'); p = await s.read(Publication, 'publication'));
      }
      // The warning, had there been one, was emitted a tick after the 11th listener, long before.
      assert.deepEqual(warnings.map((w) => w.name), [])
    } finally {
      process.off('warning', onWarning)
      for (const s of streams) s.stream.abort(new Error('done'))
    }
  })

  it('refuses catch-up removals with a bad path or no hashes; nothing is deleted {#multi-peer}', async () => {
    const evilHash = hashBytes(Buffer.from('x')) as Uint8Array<ArrayBuffer>
    let served = 0
    await evil.handle(HISTORY_PROTOCOL, async (raw) => {
      const s = new FramedStream(raw)
      await s.read(Subscribe, 'subscribe')
      const bad = [{ path: '../escape.txt', hashes: [evilHash] }, { path: 'fine.txt', hashes: [] }]
      const removed = bad[served++ % bad.length]!
      await s.write({ start: { storeId: new Uint8Array(16).fill(5), catchup: true, lastN: 1 }, files: [], entries: [], removed: [] }, Publication)
      await s.write({ files: [], entries: [], removed: [removed] }, Publication)
      await s.write({ complete: { n: 1 }, files: [], entries: [], removed: [] }, Publication)
      await ending(raw)
    })
    const failures = await refusedSubscriptions(2)
    const messages = failures.map((f) => String(f.err)).join('\n')
    assert.match(messages, /invalid catch-up removal from peer: invalid path/)
    assert.match(messages, /invalid catch-up removal from peer: 0 hashes/)
    assert.ok(!a.capture.lines.some((l) => l.event === 'history-catchup-removals'))
  })

  it('refuses live entries out of order, keeping those before', async () => {
    const evilHash = hashBytes(Buffer.from('x')) as Uint8Array<ArrayBuffer>
    await evil.handle(HISTORY_PROTOCOL, async (raw) => {
      const s = new FramedStream(raw)
      await s.read(Subscribe, 'subscribe')
      await s.write({ start: { storeId: new Uint8Array(16).fill(9), catchup: true, lastN: 0 }, files: [], entries: [], removed: [] }, Publication)
      await s.write({ complete: { n: 0 }, files: [], entries: [], removed: [] }, Publication)
      await s.write({ files: [], removed: [], entries: [{ n: 1, kind: Kind.ADD, path: 'good.txt', size: 1, mtime: 1, hash: evilHash, oldHash: new Uint8Array(0) }] }, Publication)
      await s.write({ files: [], removed: [], entries: [{ n: 1, kind: Kind.ADD, path: 'again.txt', size: 1, mtime: 1, hash: evilHash, oldHash: new Uint8Array(0) }] }, Publication)
      await ending(raw)
    })
    evilPeer.addrs = [evil.getMultiaddrs()[0]!.toString()]
    a.running.network.updateHousehold(a.peers, a.config.arenas)
    const tree = a.running.unreal.get('docs')!
    const failed = await a.waitForEvent('history-failed', (l) => l.peer === 'evil', 30_000)
    assert.match(String(failed.err), /out of order/)
    assert.notEqual(await tree.statPath('good.txt'), undefined, 'entries before the bad one are kept')
    assert.equal(await tree.statPath('again.txt'), undefined)
  })
})
