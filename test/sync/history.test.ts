import assert from 'node:assert/strict'
import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { subscribeHistory } from '../../protocols/history/index.js'
import { describeError, RealizeError } from '../../datastore/types/errors.js'
import { hashBytes } from '../../node/real/hasher.js'
import { hashEquals } from '../../datastore/types/hash.js'
import { household, testNet, type TestNode } from '../helpers/net.js'
import { until } from '../helpers/wait.js'
import type { UnrealTree } from '../../node/unreal/unreal-tree.js'

function treeOf (n: TestNode, arena = 'docs'): UnrealTree {
  const t = n.running.unreal.get(arena)
  assert.ok(t != null)
  return t
}

/** Waits until `n`'s unreal tree has `path` from `peer` with content `text` (or lacks it, for undefined). */
async function hasRemote (n: TestNode, peer: TestNode, path: string, text: string | undefined): Promise<void> {
  const tree = treeOf(n)
  const want = text == null ? undefined : hashBytes(Buffer.from(text))
  await until(tree, 'changed', async () => {
    const st = await tree.statPath(path)
    const v = st?.kind === 'file' ? st.peers.find((p) => p.peer === peer.peerId)?.version : undefined
    return want == null ? v == null : v != null && hashEquals(v.hash, want)
  }, `${n.name} sees ${path} from ${peer.name} as ${text ?? 'gone'}`, 20_000)
}

describe('history protocol between nodes', function () {
  let net: Awaited<ReturnType<typeof testNet>>
  let a: TestNode
  let b: TestNode
  beforeEach(async () => {
    net = await testNet()
    a = await net.make({ name: 'a', arenas: [{ name: 'docs', root: true, mark: 'own' }, { name: 'secret', root: true, mark: 'own' }] })
    b = await net.make({ name: 'b', arenas: [{ name: 'docs', root: false, mark: 'watch' }] })
    household(a, b)
    a.peers = [b.asPeer({ arenas: ['docs'] })]
  })
  afterEach(async () => { await net.cleanup() })

  it('catches up a new subscriber with the full listing, then follows live changes', async () => {
    await writeFile(join(a.root(), 'one.txt'), 'one')
    await writeFile(join(a.root(), 'two.txt'), 'two')
    await a.start()
    await a.waitForEvent('caught-up')
    await b.start()
    await hasRemote(b, a, 'one.txt', 'one')
    await hasRemote(b, a, 'two.txt', 'two')
    const caughtUp = await b.waitForEvent('history-caught-up')
    assert.equal(caughtUp.peerId, a.peerId)
    const sub = await a.waitForEvent('history-subscribed')
    assert.equal(sub.catchup, true, 'no progress yet: full catch-up')

    // Live: add, replace, remove.
    await writeFile(join(a.root(), 'three.txt'), 'three')
    await hasRemote(b, a, 'three.txt', 'three')
    await writeFile(join(a.root(), 'one.txt'), 'one, edited')
    await hasRemote(b, a, 'one.txt', 'one, edited')
    await rm(join(a.root(), 'two.txt'))
    await hasRemote(b, a, 'two.txt', undefined)

    // b's progress is a's store id and a's last entry.
    const progress = await until(a.running.arenas[0]!.index, 'history', async () => {
      const p = await b.running.arenas[0]!.store.peerProgress.get(a.peerId)
      return p != null && p.lastSeen === a.running.arenas[0]!.store.history.lastN ? p : undefined
    }, 'b stored progress up to a\'s last entry')
    assert.ok(hashEquals(progress.storeId, a.running.arenas[0]!.store.storeId))
  })

  it('resumes after a reconnect without a full re-listing', async () => {
    await writeFile(join(a.root(), 'one.txt'), 'one')
    await a.start()
    await b.start()
    await hasRemote(b, a, 'one.txt', 'one')
    await b.waitForEvent('history-caught-up')
    await b.stop()
    // Changes while b is away.
    await writeFile(join(a.root(), 'two.txt'), 'two')
    await rm(join(a.root(), 'one.txt'))
    const from = a.capture.lines.length
    await until(a.running.arenas[0]!.index, 'history', () => a.running.arenas[0]!.store.history.lastN >= 3 || undefined, 'a indexed both changes')
    await b.start()
    const sub = await a.waitForEvent('history-subscribed', () => true, 20_000, from)
    assert.equal(sub.catchup, false, 'resumed from b\'s progress')
    assert.equal(sub.lastSeen, 1)
    await hasRemote(b, a, 'two.txt', 'two')
    await hasRemote(b, a, 'one.txt', undefined)
  })

  it('detects a reset of the peer\'s store and catches up in full', async () => {
    await writeFile(join(a.root(), 'keep.txt'), 'keep')
    await writeFile(join(a.root(), 'gone.txt'), 'gone')
    await a.start()
    await b.start()
    await hasRemote(b, a, 'gone.txt', 'gone')
    await b.waitForEvent('history-caught-up')
    await a.stop()
    // a loses its store (new store id, history from scratch), and gone.txt disappears meanwhile.
    await a.deleteArenaStore('docs')
    await rm(join(a.root(), 'gone.txt'))
    const from = b.capture.lines.length
    await a.start()
    const reset = await b.waitForEvent('history-store-reset', () => true, 20_000, from)
    assert.equal(reset.peerId, a.peerId)
    await hasRemote(b, a, 'gone.txt', undefined)
    await hasRemote(b, a, 'keep.txt', 'keep')
  })

  it('trims history once every active subscriber acknowledged it', async () => {
    for (const n of ['1', '2', '3']) await writeFile(join(a.root(), `${n}.txt`), n)
    await a.start()
    await a.waitForEvent('caught-up')
    const history = a.running.arenas[0]!.store.history
    assert.equal(await history.firstN(), 1)
    await b.start()
    await hasRemote(b, a, '3.txt', '3')
    // b acknowledged the catch-up (n = 3): nothing is held back any more.
    await a.waitForEvent('history-trimmed')
    assert.equal(await history.firstN(), undefined)
    // A later entry is trimmed too once b stores it; b then resumes after it.
    await writeFile(join(a.root(), '4.txt'), '4')
    await hasRemote(b, a, '4.txt', '4')
    await until(a.capture.events, 'line', async () => await history.firstN() === undefined || undefined, 'entry 4 trimmed')
    await b.stop()
    await writeFile(join(a.root(), '5.txt'), '5')
    const from = a.capture.lines.length
    await b.start()
    const sub = await a.waitForEvent('history-subscribed', () => true, 20_000, from)
    assert.equal(sub.catchup, false, 'trimmed only what b had stored: b still resumes')
    await hasRemote(b, a, '5.txt', '5')
  })

  it('a peer asking for an arena it does not share gets a clear error {#errormsg}', async () => {
    await a.start()
    await b.start()
    const peer = { name: 'a', id: a.peerId }
    const sink = { started: async () => {}, catchupFiles: async () => {}, catchupRemoved: async () => {}, catchupComplete: async () => {}, entries: async () => {} }
    const err = await subscribeHistory(b.running.network.host, peer, 'secret', { storeId: undefined, lastSeen: 0 }, sink).then(() => undefined, (e: unknown) => e)
    assert.ok(err instanceof RealizeError)
    assert.equal(err.code, 'ARENA_NOT_SHARED')
    assert.equal(describeError(err), 'following history of arena secret on a: remote: arena "secret" is not shared with this peer')
    // An arena a does not have at all reads the same: nothing is revealed.
    const err2 = await subscribeHistory(b.running.network.host, peer, 'photos', { storeId: undefined, lastSeen: 0 }, sink).then(() => undefined, (e: unknown) => e)
    assert.equal((err2 as RealizeError).code, 'ARENA_NOT_SHARED')
  })
})
