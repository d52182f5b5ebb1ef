import assert from 'node:assert/strict'
import { UndoGuard } from '../../node/churten/undo-guard.js'
import { hashBytes } from '../../node/real/hasher.js'
import { parsePath } from '../../datastore/types/path.js'
import type { Job } from '../../node/consensus/decide.js'
import type { Version } from '../../datastore/types/version.js'

const v = (s: string): Version => ({ hash: hashBytes(Buffer.from(s)), size: s.length, mtime: 1 })
const path = parsePath('photos/new.txt')
const realize = (s: string, replaces?: string): Job => ({ kind: 'realize', path, version: v(s), replaces: replaces == null ? undefined : v(replaces).hash })
const unrealize = (s: string): Job => ({ kind: 'unrealize', path, real: v(s), keep: true })
const del = (s: string): Job => ({ kind: 'delete', path, real: v(s) })

/** Issue 11: no job undoes the previous job for the same version unless a mark changed in between. */
describe('churten: the undo guard', () => {
  it('refuses a realize of the version just unrealized, and the reverse, while no mark changed', () => {
    const g = new UndoGuard()
    g.done(unrealize('x'), 1)
    assert.equal(g.allows(realize('x'), 1), false)
    assert.equal(g.allows(realize('x'), 2), true, 'a mark changed: the user asked for it')
    g.done(realize('x'), 2)
    assert.equal(g.allows(unrealize('x'), 2), false)
    assert.equal(g.allows(unrealize('x'), 3), true)
  })

  it('allows what is not an undo: other versions, other paths, replaces and returns after a delete', () => {
    const g = new UndoGuard()
    g.done(unrealize('x'), 1)
    assert.equal(g.allows(realize('y'), 1), true, 'another version')
    assert.equal(g.allows({ ...realize('x'), path: parsePath('other.txt') }, 1), true, 'another path')
    assert.equal(g.allows(unrealize('x'), 1), true, 'the same way again (the user copied the file back)')
    // keep/watch: a stale real copy is brought up to date, then unrealized.
    g.done(realize('y', 'x'), 1)
    assert.equal(g.allows(unrealize('y'), 1), true)
    // A delete, then the version back from a peer (issue 11 path 2).
    g.done(del('y'), 1)
    assert.equal(g.allows(realize('y'), 1), true)
  })
})
