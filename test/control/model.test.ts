import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { getAttribute } from 'fs-xattr'
import { loadConfig } from '../../node/config/config.js'
import { asHash, hashToHex } from '../../datastore/types/hash.js'
import { until } from '../helpers/wait.js'
import { ControlClient } from '../../node/control/api/client.js'
import { cluster } from '../helpers/nodes.js'
import { inProcessNode, LAPTOP, STRANGER, type InProcessNode } from './fixtures.js'
import type { Arena } from '../../node/arena.js'
import type { RelPath } from '../../datastore/types/path.js'
import type { UnrealTree } from '../../node/unreal/unreal-tree.js'
import type { Version } from '../../datastore/types/version.js'

const sha = (s: string): Uint8Array => createHash('sha256').update(s).digest()
const version = (content: string, mtime = 1_700_000_000_000): Version => ({ hash: asHash(sha(content)), size: Buffer.byteLength(content), mtime })

/** Writes files under the arena root and waits until the index has them all. */
async function files (n: InProcessNode, spec: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(spec)) {
    await mkdir(join(n.root, path, '..'), { recursive: true })
    await writeFile(join(n.root, path), content)
  }
  const arena = n.node.arenas[0] as Arena
  await until(arena.index, 'history', async () => {
    for (const [path, content] of Object.entries(spec)) {
      const e = await arena.index.get(path as RelPath)
      if (e == null || hashToHex(e.hash) !== hashToHex(sha(content))) return false
    }
    return true
  }, `${Object.keys(spec).join(', ')} indexed`)
}

describe('control model (LocalNodeModel on a running node)', function () {
  let n: InProcessNode
  let tree: UnrealTree
  beforeEach(async () => {
    n = await inProcessNode()
    tree = n.node.unreal.get('photos') as UnrealTree
  })
  afterEach(async () => { await n.close() })

  it('lists a directory merged from the real and the unreal, directories folded with their totals', async () => {
    await files(n, { 'a.txt': 'aaa', 'trip/1.jpg': 'one', 'trip/day2/2.jpg': 'twotwo', 'z.txt': 'z' })
    await n.client.call('peer.add', { name: 'laptop', peerId: LAPTOP, addrs: [] })
    // laptop has a.txt too (same version), and a file this node does not have.
    await tree.link(LAPTOP, 'a.txt', version('aaa'))
    await tree.link(LAPTOP, 'remote.mp4', version('movie', 1_700_000_100_000))
    const ls = await n.client.call('ls', { arena: 'photos', path: '' })
    assert.deepEqual(ls.entries.map((e) => [e.name, e.type, e.location, e.size, e.peers]), [
      ['a.txt', 'file', 'real', 3, ['laptop']],
      ['remote.mp4', 'file', 'remote', 5, ['laptop']],
      ['trip', 'dir', 'real', 9, []],
      ['z.txt', 'file', 'real', 1, []]
    ])
    const trip = ls.entries.find((e) => e.name === 'trip')
    assert.equal(trip?.files, 2)
    assert.equal(trip?.path, 'trip')
    const remote = ls.entries.find((e) => e.name === 'remote.mp4')
    assert.equal(remote?.hash, hashToHex(sha('movie')))
    assert.equal(remote?.mtime, 1_700_000_100_000)
    assert.equal(remote?.cached, 0)
    // One file by its path: that entry alone.
    const one = await n.client.call('ls', { arena: 'photos', path: 'trip/day2/2.jpg' })
    assert.deepEqual(one.entries.map((e) => [e.path, e.size]), [['trip/day2/2.jpg', 6]])
    await assert.rejects(n.client.call('ls', { arena: 'photos', path: 'nope' }), /photos:nope: no such file or directory/)
  })

  it('shows each entry with its own or inherited mark', async () => {
    await files(n, { 'keep/a': 'a', 'keep/b': 'b', 'c': 'c' })
    await n.client.call('mark.set', { arena: 'photos', path: 'keep', mark: 'keep' })
    await n.client.call('mark.set', { arena: 'photos', path: 'keep/b', mark: 'watch' })
    const top = await n.client.call('ls', { arena: 'photos', path: '' })
    assert.deepEqual(top.entries.map((e) => [e.name, e.mark]), [['c', 'own'], ['keep', 'keep']])
    const inner = await n.client.call('ls', { arena: 'photos', path: 'keep' })
    assert.deepEqual(inner.entries.map((e) => [e.name, e.mark]), [['a', 'keep'], ['b', 'watch']])
  })

  it('sets a mark as the xattr on a local file, and in the table for a file known only from peers {#setmark}', async () => {
    await files(n, { 'doc.txt': 'd' })
    const local = await n.client.call('mark.set', { arena: 'photos', path: 'doc.txt', mark: 'keep' })
    assert.equal(local.stored, 'xattr')
    assert.equal((await getAttribute(join(n.root, 'doc.txt'), 'user.realize.mark')).toString(), 'keep')
    await tree.link(LAPTOP, 'far/away.bin', version('far'))
    const remote = await n.client.call('mark.set', { arena: 'photos', path: 'far/away.bin', mark: 'own' })
    assert.deepEqual(remote, { arena: 'photos', path: 'far/away.bin', mark: 'own', inheritedFrom: null, source: 'path', stored: 'table', pending: false })
    assert.equal(await (n.node.arenas[0] as Arena).store.marks.get('far/away.bin' as RelPath), 'own')
    // A path nobody has yet: the policy comes before the files, kept in the table.
    const early = await n.client.call('mark.set', { arena: 'photos', path: 'no/such', mark: 'own' })
    assert.deepEqual(early, { arena: 'photos', path: 'no/such', mark: 'own', inheritedFrom: null, source: 'path', stored: 'table', pending: true })
    assert.equal(await (n.node.arenas[0] as Arena).store.marks.get('no/such' as RelPath), 'own')
  })

  it('reports where a mark comes from: the path, an ancestor, the arena, and changes the arena mark in the config', async () => {
    await files(n, { 'd/e/f.txt': 'f' })
    assert.deepEqual(await n.client.call('mark.get', { arena: 'photos', path: 'd/e/f.txt' }), { arena: 'photos', path: 'd/e/f.txt', mark: 'own', inheritedFrom: 'photos:', source: 'arena' })
    await n.client.call('mark.set', { arena: 'photos', path: 'd', mark: 'watch' })
    assert.deepEqual(await n.client.call('mark.get', { arena: 'photos', path: 'd/e/f.txt' }), { arena: 'photos', path: 'd/e/f.txt', mark: 'watch', inheritedFrom: 'photos:d', source: 'ancestor' })
    await n.client.call('mark.rm', { arena: 'photos', path: 'd' })
    const arena = await n.client.call('mark.set', { arena: 'photos', path: '', mark: 'keep' })
    assert.deepEqual(arena, { arena: 'photos', path: '', mark: 'keep', inheritedFrom: null, source: 'arena', stored: 'config', pending: false })
    assert.equal((await loadConfig(n.dataDir))?.arenas[0]?.mark, 'keep')
    assert.equal((await n.client.call('mark.get', { arena: 'photos', path: 'd/e/f.txt' })).mark, 'keep')
    assert.equal((await n.client.call('arenas'))[0]?.mark, 'keep')
  })

  it('counts real files and bytes per arena, and recounts after changes', async () => {
    await files(n, { 'x': '12345', 'y/z': '123' })
    const before = await n.client.call('status')
    assert.deepEqual(before.arenas.map((a) => [a.name, a.realFiles, a.realBytes, a.cachedFiles]), [['photos', 2, 8, 0]])
    assert.ok(before.cache.capacity > 0)
    await files(n, { 'w': '1' })
    assert.equal((await n.client.call('status')).arenas[0]?.realFiles, 3)
  })

  it('adds and removes household peers in the config, and tells the network at once', async () => {
    const added = await n.client.call('peer.add', { name: 'laptop', peerId: LAPTOP, addrs: ['laptop.local:9771'] })
    assert.deepEqual(added, { name: 'laptop', peerId: LAPTOP, addrs: ['laptop.local:9771'], arenas: null })
    assert.deepEqual((await loadConfig(n.dataDir))?.peers.map((p) => [p.name, p.id, p.addrs]), [['laptop', LAPTOP, ['laptop.local:9771']]])
    assert.equal(n.node.network.household.member(LAPTOP)?.name, 'laptop', 'the network lets laptop in')
    const peers = await n.client.call('peers')
    assert.deepEqual(peers.map((p) => [p.name, p.connected, p.remoteAddr]), [['laptop', false, null]])
    await assert.rejects(n.client.call('peer.add', { name: 'laptop', peerId: STRANGER, addrs: [] }), /a peer named "laptop" exists already/)
    await assert.rejects(n.client.call('peer.add', { name: 'me', peerId: n.node.options.identity.peerId.toString(), addrs: [] }), /this node's own PeerId/)
    await assert.rejects(n.client.call('peer.add', { name: 'twin', peerId: LAPTOP, addrs: [] }), (err: Error & { usage?: boolean }) => err.usage === true)
    await n.client.call('peer.rm', { name: 'laptop' })
    assert.deepEqual((await loadConfig(n.dataDir))?.peers, [])
    assert.equal(n.node.network.household.member(LAPTOP), undefined, 'the network no longer lets laptop in')
    await assert.rejects(n.client.call('peer.rm', { name: 'laptop' }), /no peer "laptop" in the household/)
  })

  it('gives connection info of connected peers {#conninfo}, from a real second node', async function () {
    this.timeout(60_000)
    const c = await cluster([{ name: 'a' }, { name: 'b' }])
    const client = await ControlClient.connect(c.get('a').dataDir)
    try {
      await c.get('a').connectedTo(c.get('b'))
      const b = c.get('b')
      const [peer] = await client.call('peers')
      assert.equal(peer?.name, 'b')
      assert.equal(peer?.peerId, b.peerId)
      assert.equal(peer?.connected, true)
      assert.match(peer?.remoteAddr ?? '', /^\/ip4\/127\.0\.0\.1\/tcp\/\d+/)
      assert.ok(peer?.direction === 'inbound' || peer?.direction === 'outbound', String(peer?.direction))
      assert.equal(peer?.encryption, '/noise')
      assert.equal(peer?.muxer, '/yamux/1.0.0')
      assert.ok(peer?.since != null && peer.since <= Date.now() && peer.since > Date.now() - 60_000, String(peer?.since))
      assert.ok((peer?.bytesIn ?? 0) > 0 && (peer?.bytesOut ?? 0) > 0, 'history went both ways')
      // mDNS is off: what the network knows of is household peers it dialed (a stranger found on a LAN: test/net/lan.test.ts).
      for (const d of await client.call('peers.discovered')) assert.deepEqual([d.inHousehold, d.name], [true, 'b'])
    } finally {
      await client.close()
      await c.cleanup()
    }
  })

  it('lists conflicts recorded by the unreal tree with each side and peer', async () => {
    await n.client.call('peer.add', { name: 'laptop', peerId: LAPTOP, addrs: [] })
    await tree.link(LAPTOP, 'clash.txt', version('one', 1000))
    await tree.link(STRANGER, 'clash.txt', version('two', 2000))
    const list = await n.client.call('conflicts')
    assert.equal(list.length, 1)
    assert.equal(list[0]?.arena, 'photos')
    assert.equal(list[0]?.path, 'clash.txt')
    assert.equal(list[0]?.local, null)
    assert.deepEqual(list[0]?.remote.map((r) => [r.peer, r.hash]).sort(), [['laptop', hashToHex(sha('one'))], [STRANGER, hashToHex(sha('two'))]].sort())
  })

  it('resolves ARENA:path and file system paths inside the arena root', async () => {
    await files(n, { 'sub/a:b.txt': 'colon' })
    assert.deepEqual(await n.client.call('resolve', { target: 'photos:sub/a:b.txt', cwd: '/' }), { arena: 'photos', path: 'sub/a:b.txt' })
    assert.deepEqual(await n.client.call('resolve', { target: 'photos:', cwd: '/' }), { arena: 'photos', path: '' })
    assert.deepEqual(await n.client.call('resolve', { target: 'a:b.txt', cwd: join(n.root, 'sub') }), { arena: 'photos', path: 'sub/a:b.txt' })
    assert.deepEqual(await n.client.call('resolve', { target: n.root, cwd: '/' }), { arena: 'photos', path: '' })
    await assert.rejects(n.client.call('resolve', { target: '/etc/hosts', cwd: '/' }), (err: Error & { usage?: boolean, code?: string }) => err.usage === true && err.code === 'NOT_IN_ARENA')
    await assert.rejects(n.client.call('resolve', { target: 'music:x', cwd: '/' }), (err: Error & { code?: string }) => err.code === 'UNKNOWN_ARENA')
    await assert.rejects(n.client.call('resolve', { target: 'photos:../x', cwd: '/' }), (err: Error & { code?: string }) => err.code === 'INVALID_PATH')
  })
})
