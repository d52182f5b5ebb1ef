import assert from 'node:assert/strict'
import { decide, type RemoteState } from '../../node/consensus/decide.js'
import { recordPeerEffect } from '../../node/consensus/peer-effects.js'
import { hashBytes } from '../../node/real/hasher.js'
import { RealIndex } from '../../node/real/real-index.js'
import { parsePath } from '../../datastore/types/path.js'
import { tempArenaStore } from '../helpers/stores.js'
import type { IndexEntry } from '../../datastore/tables/index-table.js'
import type { Mark } from '../../datastore/types/mark.js'
import type { Version } from '../../datastore/types/version.js'

const v = (s: string, mtime = 1): Version => ({ hash: hashBytes(Buffer.from(s)), size: s.length, mtime })
const path = parsePath('a/f')
const real = (s: string, extra: Partial<IndexEntry> = {}): IndexEntry => ({ ...v(s), ...extra })
const remote = (s: string, extra: Partial<RemoteState> = {}): RemoteState => ({ chosen: v(s), chain: [], peersWithChosen: ['p'], blob: undefined, conflict: false, ...extra })
const kind = (mark: Mark, r: IndexEntry | undefined, rem: RemoteState | undefined): string => decide({ path, mark, real: r, remote: rem })?.kind ?? 'none'

describe('consensus: which job a dirty path needs (spec section 6)', () => {
  it('remote only: own realizes, keep downloads until cached and verified, watch waits', () => {
    assert.equal(kind('own', undefined, remote('x')), 'realize')
    assert.equal(kind('keep', undefined, remote('x')), 'download')
    assert.equal(kind('keep', undefined, remote('x', { blob: { complete: true, verified: false } })), 'download')
    assert.equal(kind('keep', undefined, remote('x', { blob: { complete: true, verified: true } })), 'none')
    assert.equal(kind('watch', undefined, remote('x')), 'none')
    assert.equal(kind('own', undefined, undefined), 'none')
  })

  it('a remote version this node deleted (a tombstone) is not fetched again; a newer one is', () => {
    const deleted = [v('x').hash]
    assert.equal(decide({ path, mark: 'own', real: undefined, remote: remote('x'), deleted }), undefined)
    assert.equal(decide({ path, mark: 'keep', real: undefined, remote: remote('x'), deleted }), undefined)
    assert.equal(decide({ path, mark: 'own', real: undefined, remote: remote('y', { chain: [v('x').hash] }), deleted })?.kind, 'realize')
  })

  it('own without a root here keeps a verified copy in the cache, like keep', () => {
    assert.equal(decide({ path, mark: 'own', real: undefined, remote: remote('x'), hasRoot: false })?.kind, 'download')
  })

  it('same version here and remote: keep and watch unrealize, own keeps it', () => {
    assert.equal(kind('own', real('x'), remote('x')), 'none')
    assert.equal(kind('keep', real('x'), remote('x')), 'unrealize')
    assert.equal(kind('watch', real('x'), remote('x')), 'unrealize')
    assert.equal(kind('watch', real('x'), undefined), 'none', 'the only copy is never unrealized')
  })

  it('a real version replaced by a peer is replaced, found by outdatedBy or by the chain', () => {
    const job = decide({ path, mark: 'own', real: real('old', { outdatedBy: v('new').hash }), remote: remote('new') })
    assert.equal(job?.kind, 'realize')
    assert.ok(job?.kind === 'realize' && job.replaces != null)
    assert.equal(kind('own', real('old'), remote('new', { chain: [v('old').hash] })), 'realize')
  })

  it('a peer removed the version a real file has: delete, even while other peers still list it, whatever the mark; a newer version wins', () => {
    assert.equal(kind('own', real('x', { removedByPeer: true }), undefined), 'delete')
    // Three peers: the third has not seen the removal yet; waiting for it would wait forever.
    assert.equal(kind('own', real('x', { removedByPeer: true }), remote('x')), 'delete')
    assert.equal(kind('own', real('x', { removedByPeer: true }), remote('y', { chain: [v('x').hash] })), 'realize')
    // A keep or watch real copy (written here, not unrealized yet) of a deleted version follows the deletion too.
    assert.equal(kind('keep', real('x', { removedByPeer: true }), undefined), 'delete')
    assert.equal(kind('watch', real('x', { removedByPeer: true }), remote('x')), 'delete')
  })

  it('divergent versions are a conflict; a remote version we already replaced is not', () => {
    assert.equal(kind('own', real('mine'), remote('theirs')), 'conflict')
    assert.equal(kind('keep', real('mine'), remote('theirs')), 'conflict')
    assert.equal(kind('own', real('mine', { previous: [v('theirs').hash] }), remote('theirs')), 'none')
  })

  it('on a conflict path, a keep or watch copy that a peer has too is unrealized; an own one stays (seed 1031)', () => {
    const both = remote('theirs', { held: [v('theirs').hash, v('mine').hash], conflict: true })
    assert.equal(kind('watch', real('mine'), both), 'unrealize')
    assert.equal(kind('keep', real('mine'), both), 'unrealize')
    assert.equal(kind('own', real('mine'), both), 'conflict')
    assert.equal(kind('watch', real('mine'), remote('theirs', { held: [v('theirs').hash] })), 'conflict', 'no peer has ours: it stays real')
  })
})

describe('consensus: peer history marks the real outdated or removed', () => {
  it('records outdatedBy / removedByPeer only for the real hash, dirty in the same batch; a local change clears them', async () => {
    const h = await tempArenaStore()
    try {
      const s = h.store
      const index = new RealIndex(s)
      await index.apply([{ path, version: v('one') }])
      const dirtyBefore = s.dirty
      const counter = await dirtyBefore.counterOf(path)
      // A Replace of some other version does nothing.
      assert.equal(await s.store.write(async (b) => await recordPeerEffect(b, s, { kind: 'replace', path, ...v('three'), oldHash: v('two').hash })), false)
      assert.equal(await s.store.write(async (b) => await recordPeerEffect(b, s, { kind: 'replace', path, ...v('two'), oldHash: v('one').hash })), true)
      const e = await s.index.get(path)
      assert.deepEqual(Buffer.from(e?.outdatedBy as Uint8Array), Buffer.from(v('two').hash))
      assert.ok(((await s.dirty.counterOf(path)) ?? 0) > (counter ?? 0))
      assert.equal(await s.store.write(async (b) => await recordPeerEffect(b, s, { kind: 'remove', path, oldHash: v('one').hash })), true)
      assert.equal((await s.index.get(path))?.removedByPeer, true)
      // A local change supersedes both, and remembers the version it replaced.
      await index.apply([{ path, version: v('local', 5) }])
      const after = await s.index.get(path)
      assert.equal(after?.outdatedBy, undefined)
      assert.equal(after?.removedByPeer, undefined)
      assert.deepEqual(after?.previous?.map((x) => Buffer.from(x).toString('hex')), [Buffer.from(v('one').hash).toString('hex')])
    } finally {
      await h.cleanup()
    }
  })

  it('a live Remove of a version the real does not hold leaves a tombstone; a realize of it that commits afterwards is marked removed', async () => {
    const h = await tempArenaStore()
    try {
      const s = h.store
      const index = new RealIndex(s)
      const hex = (xs: readonly Uint8Array[] | undefined): string[] => (xs ?? []).map((x) => Buffer.from(x).toString('hex'))
      // Nothing real here yet (the realize is still downloading).
      assert.equal(await s.store.write(async (b) => await recordPeerEffect(b, s, { kind: 'remove', path, oldHash: v('one').hash })), true)
      assert.deepEqual(hex(await s.tombstones.get(path)), hex([v('one').hash]))
      // Seen again: nothing new. From a catch-up listing: no tombstone (they would bounce between peers).
      assert.equal(await s.store.write(async (b) => await recordPeerEffect(b, s, { kind: 'remove', path, oldHash: v('one').hash })), false)
      const other = parsePath('a/g')
      assert.equal(await s.store.write(async (b) => await recordPeerEffect(b, s, { kind: 'remove', path: other, oldHash: v('one').hash }, { tombstone: false })), false)
      assert.equal(await s.tombstones.get(other), undefined)
      // The realize commits anyway: the entry is marked removed, so the next pass deletes it.
      await index.apply([{ path, version: v('one'), realized: true }])
      assert.equal((await s.index.get(path))?.removedByPeer, true)
      assert.equal(decide({ path, mark: 'own', real: await s.index.get(path), remote: remote('one') })?.kind, 'delete')
      // The user's own file of that content is theirs: not marked.
      await index.apply([{ path, version: undefined }])
      await index.apply([{ path, version: v('one', 7) }])
      assert.equal((await s.index.get(path))?.removedByPeer, undefined)
      // A realize replacing an older real version, whose new version a peer removed meanwhile.
      assert.equal(await s.store.write(async (b) => await recordPeerEffect(b, s, { kind: 'remove', path, oldHash: v('two').hash })), true)
      await index.apply([{ path, version: v('two'), realized: true }])
      assert.equal((await s.index.get(path))?.removedByPeer, true)
      // A peer that newly has a tombstoned version brings it back: consensus/returned.ts, test/churten/returning.test.ts.
    } finally {
      await h.cleanup()
    }
  })
})
