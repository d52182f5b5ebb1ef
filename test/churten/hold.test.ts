import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import { hashBytes } from '../../node/real/hasher.js'
import { hashEquals } from '../../datastore/types/hash.js'
import { parsePath } from '../../datastore/types/path.js'
import { cluster, type Cluster, type TestPeer } from '../helpers/nodes.js'
import type { Mark } from '../../datastore/types/mark.js'

const PATH = 'd1/f2'

/** Peers `n`'s unreal tree lists with `path` real at `content`'s hash. */
async function holdersSeenBy (n: TestPeer, content: Uint8Array): Promise<string[]> {
  const st = await n.tree().statPath(PATH)
  return st?.kind === 'file' ? st.peers.filter((p) => hashEquals(p.version.hash, hashBytes(content))).map((p) => p.peer) : []
}

async function isReal (n: TestPeer): Promise<boolean> {
  const indexed = await n.arena().index.get(parsePath(PATH))
  const onDisk = await stat(n.abs(PATH)).then(() => true, () => false)
  assert.equal(onDisk, indexed != null, `${n.name}: the index and the root agree on ${PATH}`)
  return indexed != null
}

/** Resolves with the unrealize job's end on `n` since `from`, whatever its result. */
async function unrealizeEnded (n: TestPeer, from: number): Promise<string> {
  const e = await n.waitNote((x): x is Extract<typeof x, { type: 'ended' }> => x.type === 'ended' && x.path === PATH && x.job === 'unrealize', 'its unrealize ended', { from, ms: 60_000 })
  return e.result
}

/**
 * Two nodes that have the same version real are marked `keep`/`watch` at
 * the same moment (docs/reliability.md, class 7; model check seeds 1006,
 * 1018). Each used to see the other's real copy and unrealize its own,
 * so no node kept it real and no node listed it. With the hold handshake
 * (protocols/hold) exactly one drops; the other keeps the household's real copy.
 */
describe('churten: two nodes unrealizing the same version at once', function () {
  this.timeout(120_000)
  let c: Cluster
  afterEach(async () => { await c.cleanup() })

  for (const mark of ['watch', 'keep'] as Mark[]) {
    it(`both marked ${mark} together: exactly one real copy stays, both list the file, nothing is lost`, async () => {
      c = await cluster([{ name: 'a' }, { name: 'b' }])
      const [a, b] = [c.get('a'), c.get('b')]
      const content = randomBytes(15_532)
      await a.write(PATH, content)
      await b.waitForReal(PATH, content)
      // Each must see the other's real copy, as in the soak, before the marks change.
      await a.waitFor(async () => (await holdersSeenBy(a, content)).includes(b.peerId), 'b\'s real copy listed on a')
      await b.waitFor(async () => (await holdersSeenBy(b, content)).includes(a.peerId), 'a\'s real copy listed on b')

      const [fromA, fromB] = [a.notes.length, b.notes.length]
      await Promise.all([a.arena().marks.set(parsePath(PATH), mark), b.arena().marks.set(parsePath(PATH), mark)])
      const results = await Promise.all([unrealizeEnded(a, fromA), unrealizeEnded(b, fromB)])
      assert.equal(results.filter((r) => r === 'done').length, 1, `exactly one unrealize went through (a: ${results[0]}, b: ${results[1]})`)
      const [dropper, holder] = results[0] === 'done' ? [a, b] : [b, a]
      // The dropper's Drop reached the holder: from now on it sees no other real copy and keeps its own.
      await holder.waitFor(async () => !(await holdersSeenBy(holder, content)).includes(dropper.peerId), `${dropper.name}'s Drop seen by ${holder.name}`)

      assert.equal(await isReal(holder), true, `${holder.name} keeps the real copy`)
      assert.ok(hashEquals(hashBytes(await readFile(holder.abs(PATH))), hashBytes(content)))
      assert.equal(await isReal(dropper), false, `${dropper.name}'s copy left its root`)
      assert.deepEqual(await holdersSeenBy(dropper, content), [holder.peerId], `${dropper.name} lists the file from ${holder.name}`)
      // Nothing lost: the dropper's content is in its cache, complete and verified.
      await dropper.waitCached(PATH, content)
      assert.deepEqual(holder.kinds(PATH), ['add'], `${holder.name} published no Drop`)
    })
  }
})
