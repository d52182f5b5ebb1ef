import assert from 'node:assert/strict'
import { readdir, readFile, rm } from 'node:fs/promises'
import { hashBytes } from '../../node/real/hasher.js'
import { hashEquals } from '../../datastore/types/hash.js'
import { parsePath } from '../../datastore/types/path.js'
import { conflictCopyPath } from '../../node/consensus/winner.js'
import { cluster, type Cluster, type TestPeer } from '../helpers/nodes.js'
import { collect } from '../helpers/unreal.js'

/**
 * Conflicts a person can resolve (issue 13, spec section 6,
 * docs/conflicts.md), through real nodes: the same winner everywhere, the
 * loser kept as a visible conflict copy that syncs as an ordinary file, a
 * later edit resolving, a modification beating a concurrent deletion.
 */
const T0 = Date.UTC(2026, 0, 2, 3, 4, 5)

function copyName (path: string, content: string, mtime: number, keeper: TestPeer): string {
  const v = { hash: hashBytes(Buffer.from(content)), size: Buffer.byteLength(content), mtime }
  return conflictCopyPath(parsePath(path), v, keeper.peerId)
}

async function noConflicts (n: TestPeer): Promise<void> {
  await n.waitFor(async () => (await collect(n.arena().store.conflicts.all())).length === 0, `${n.name}: no conflict records`)
}

async function names (n: TestPeer): Promise<string[]> {
  return (await readdir(n.root())).filter((f) => !f.startsWith('.')).sort()
}

describe('conflicts between nodes (issue 13)', function () {
  this.timeout(120_000)
  let c: Cluster
  afterEach(async () => { await c.cleanup() })

  it('two nodes: the later write wins on both, the loser is a conflict copy on both, and no record is left', async () => {
    c = await cluster([{ name: 'a' }, { name: 'b' }])
    const a = c.get('a')
    const b = c.get('b')
    await a.write('c.txt', 'base', { mtime: T0 })
    await b.waitForReal('c.txt', 'base')
    await b.stop()
    // Each side edits without seeing the other's edit; b's is the later one.
    await a.write('c.txt', 'edited on a', { mtime: T0 + 1000 })
    await a.waitIndexed('c.txt', 'edited on a')
    await b.write('c.txt', 'edited on b, offline', { mtime: T0 + 2000 })
    await b.start()
    const copy = copyName('c.txt', 'edited on a', T0 + 1000, a)
    assert.equal(copy, `c.conflict-20260102-030406-${a.peerId.slice(-8)}.txt`)
    for (const n of [a, b]) {
      await n.waitForReal('c.txt', 'edited on b, offline')
      await n.waitForReal(copy, 'edited on a')
    }
    for (const n of [a, b]) {
      await noConflicts(n)
      assert.deepEqual(await names(n), [copy, 'c.txt'], `${n.name}: the winner and one copy, nothing else`)
    }
    // The copy is an ordinary new file in a's history, a Replace took the winner in.
    assert.deepEqual(a.kinds(copy), ['add'])
    assert.deepEqual(a.kinds('c.txt'), ['add', 'replace', 'replace'])
  })

  it('the same rule on equal mtimes (the larger hash wins), whichever node looks', async () => {
    c = await cluster([{ name: 'a' }, { name: 'b' }])
    const a = c.get('a')
    const b = c.get('b')
    await b.stop()
    await a.write('t.txt', 'same time, a', { mtime: T0 })
    await a.waitIndexed('t.txt', 'same time, a')
    await b.write('t.txt', 'same time, b', { mtime: T0 })
    await b.start()
    const [win, lose, loser] = Buffer.compare(hashBytes(Buffer.from('same time, a')), hashBytes(Buffer.from('same time, b'))) > 0
      ? ['same time, a', 'same time, b', b]
      : ['same time, b', 'same time, a', a]
    const copy = copyName('t.txt', lose, T0, loser)
    for (const n of [a, b]) {
      await n.waitForReal('t.txt', win)
      await n.waitForReal(copy, lose)
      await noConflicts(n)
    }
  })

  it('three nodes, three concurrent versions: one winner everywhere, each loser kept as a conflict copy on every node', async () => {
    c = await cluster([{ name: 'a' }, { name: 'b' }, { name: 'c' }])
    const [a, b, cc] = [c.get('a'), c.get('b'), c.get('c')]
    await a.write('x.txt', 'base', { mtime: T0 })
    await b.waitForReal('x.txt', 'base')
    await cc.waitForReal('x.txt', 'base')
    await b.stop()
    await cc.stop()
    await a.write('x.txt', 'from a', { mtime: T0 + 1000 })
    await a.waitIndexed('x.txt', 'from a')
    await a.stop()
    await b.write('x.txt', 'from b', { mtime: T0 + 3000 })
    await cc.write('x.txt', 'from c', { mtime: T0 + 2000 })
    await Promise.all([a.start(), b.start(), cc.start()])
    for (const n of [a, b, cc]) await n.waitForReal('x.txt', 'from b')
    // Which node keeps a loser depends on what each has seen when it
    // decides: a node that took c's version before b's arrived holds that
    // loser too, and may keep a copy of it as well (docs/conflicts.md, "The
    // conflict copy"): one file too many, never one too few.
    const copiesOf = async (n: TestPeer): Promise<string[]> => {
      const out: string[] = []
      for (const f of await names(n)) if (f !== 'x.txt') out.push(await readFile(n.abs(f), 'utf8'))
      return out.sort()
    }
    for (const n of [a, b, cc]) {
      await n.waitFor(async () => {
        const kept = new Set(await copiesOf(n))
        return kept.has('from a') && kept.has('from c') ? true : undefined
      }, `${n.name}: a copy of each loser`)
      await noConflicts(n)
      assert.deepEqual([...new Set(await copiesOf(n))].sort(), ['from a', 'from c'], `${n.name}: the copies hold the losers and nothing else`)
      for (const f of await names(n)) if (f !== 'x.txt') assert.match(f, /^x\.conflict-\d{8}-\d{6}-[1-9A-HJ-NP-Za-km-z]{8}(-\d+)?\.txt$/)
    }
  })

  it('a later edit on the losing side wins everywhere and leaves no record', async () => {
    c = await cluster([{ name: 'a' }, { name: 'b' }])
    const a = c.get('a')
    const b = c.get('b')
    await a.write('e.txt', 'base', { mtime: T0 })
    await b.waitForReal('e.txt', 'base')
    await b.stop()
    await a.write('e.txt', 'a first', { mtime: T0 + 1000 })
    await a.waitIndexed('e.txt', 'a first')
    await b.write('e.txt', 'b later', { mtime: T0 + 2000 })
    await b.start()
    await a.waitForReal('e.txt', 'b later')
    // a's user edits again, after seeing both: that version supersedes both.
    await a.write('e.txt', 'a resolves')
    for (const n of [a, b]) {
      await n.waitForReal('e.txt', 'a resolves')
      await noConflicts(n)
    }
    assert.equal(await readFile(b.abs(copyName('e.txt', 'a first', T0 + 1000, a)), 'utf8'), 'a first', 'the earlier loser stays kept')
  })

  it('a modification beats a concurrent deletion: the file comes back where it was deleted', async () => {
    c = await cluster([{ name: 'a' }, { name: 'b' }])
    const a = c.get('a')
    const b = c.get('b')
    await a.write('d.txt', 'base', { mtime: T0 })
    await b.waitForReal('d.txt', 'base')
    await b.stop()
    await rm(a.abs('d.txt'))
    await a.waitUnindexed('d.txt')
    await b.write('d.txt', 'modified while a deleted it')
    await b.start()
    await a.waitForReal('d.txt', 'modified while a deleted it')
    await b.waitForReal('d.txt', 'modified while a deleted it')
    for (const n of [a, b]) await noConflicts(n)
    const st = await b.tree().statPath('d.txt')
    assert.ok(st?.kind === 'file' && hashEquals(st.chosen.hash, hashBytes(Buffer.from('modified while a deleted it'))))
  })

  it('the conflict copy is never a conflict itself, and survives restarts of both nodes', async () => {
    c = await cluster([{ name: 'a' }, { name: 'b' }])
    const a = c.get('a')
    const b = c.get('b')
    await b.stop()
    await a.write('n.md', 'new on a', { mtime: T0 })
    await a.waitIndexed('n.md', 'new on a')
    await b.write('n.md', 'new on b', { mtime: T0 + 5000 })
    await b.start()
    const copy = copyName('n.md', 'new on a', T0, a)
    await b.waitForReal(copy, 'new on a')
    await a.stop()
    await b.stop()
    await Promise.all([a.start(), b.start()])
    await a.connectedTo(b)
    for (const n of [a, b]) {
      await n.waitForReal('n.md', 'new on b')
      await n.waitForReal(copy, 'new on a')
      await noConflicts(n)
      assert.deepEqual(await names(n), [copy, 'n.md'])
    }
  })
})
