import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { rm, stat } from 'node:fs/promises'
import { promisify } from 'node:util'
import { hashBytes } from '../../node/real/hasher.js'
import { hashEquals } from '../../datastore/types/hash.js'
import { parsePath } from '../../datastore/types/path.js'
import { cluster, type Cluster, type TestPeer } from '../helpers/nodes.js'

const exec = promisify(execFile)
const MiB = 1024 * 1024
const PATH = 'd1/f2'

/** Waits until `n`'s unreal tree has `path` at `content`'s hash from exactly `peers`. */
async function waitHolders (n: TestPeer, content: Uint8Array, peers: TestPeer[]): Promise<void> {
  const want = hashBytes(content)
  const ids = peers.map((p) => p.peerId).sort()
  await n.waitFor(async () => {
    const st = await n.tree().statPath(PATH)
    if (st?.kind !== 'file') return ids.length === 0
    const have = st.peers.filter((p) => hashEquals(p.version.hash, want)).map((p) => p.peer).sort()
    return JSON.stringify(have) === JSON.stringify(ids)
  }, `${PATH} held by [${peers.map((p) => p.name).join(', ')}] as ${n.name} sees it`)
}

/** The household forgot the path: no node has it real, none lists it from a peer. */
async function waitGoneEverywhere (nodes: TestPeer[]): Promise<void> {
  for (const n of nodes) {
    await n.waitFor(async () => (await n.arena().index.get(parsePath(PATH))) == null && (await n.tree().statPath(PATH)) == null, `${PATH} neither real nor listed on ${n.name}`)
    await assert.rejects(stat(n.abs(PATH)), { code: 'ENOENT' }, `${PATH} is not in ${n.name}'s root`)
  }
}

/**
 * A user's deletion while another node still holds the version (issue 11,
 * model check seeds 101, 102, 104, 109): a `watch` node that wrote a file
 * keeps it real until another node has it; one `own` node deletes it
 * while the third has not realized it yet. The Remove supersedes the
 * version for the whole household, whatever the order in which the
 * others hear of it (docs/consensus.md).
 */
describe('churten: a peer\'s deletion while another peer still holds the version', function () {
  this.timeout(120_000)
  let c: Cluster
  afterEach(async () => { await c.cleanup() })

  it('a node that had not realized the version yet does not realize it, and the watch writer deletes its real copy', async () => {
    // a and c run no jobs until b's Remove has reached both: a keeps its
    // real copy listed, c has no real copy for the Remove to mark.
    c = await cluster([
      { name: 'a', arenas: [{ name: 'docs', mark: 'watch' }], churten: { autostart: false } },
      { name: 'b' },
      { name: 'c', churten: { autostart: false } }
    ])
    const [a, b, n3] = [c.get('a'), c.get('b'), c.get('c')]
    const content = randomBytes(15_532)
    await a.write(PATH, content)
    await b.waitForReal(PATH, content)
    await waitHolders(n3, content, [a, b])
    await rm(b.abs(PATH))
    await b.waitUnindexed(PATH)
    await waitHolders(n3, content, [a])
    await a.waitFor(async () => (await a.arena().index.get(parsePath(PATH)))?.removedByPeer === true, 'b\'s Remove recorded on a\'s real copy')

    const fromC = n3.notes.length
    n3.running.churten.start()
    a.running.churten.start()
    await waitGoneEverywhere([a, b, n3])
    // a followed the deletion (Remove, content to pending removal), rather than keeping or dropping it.
    assert.deepEqual(a.kinds(PATH), ['add', 'remove'])
    assert.deepEqual(n3.notes.slice(fromC).filter((s) => s.n.type === 'started' && s.n.path === PATH), [], 'c started no job for the deleted version')
    assert.deepEqual(b.kinds(PATH), ['add', 'remove'])
  })

  it('a realize running when a peer\'s Remove of its version arrives is cancelled, not installed', async () => {
    // c's download is held to 1 MiB/s, so b's Remove arrives while it runs.
    c = await cluster([
      { name: 'a', arenas: [{ name: 'docs', mark: 'watch' }], churten: { autostart: false } },
      { name: 'b' },
      { name: 'c', limits: { churtenDownload: MiB } }
    ])
    const [a, b, n3] = [c.get('a'), c.get('b'), c.get('c')]
    const content = randomBytes(6 * MiB)
    const from = n3.notes.length
    await a.write(PATH, content)
    await b.waitForReal(PATH, content)
    await n3.waitNote((n): n is typeof n => n.type === 'progress' && n.bytes > 0 && n.bytes < n.total, 'c\'s realize under way', { from })
    await rm(b.abs(PATH))
    await b.waitUnindexed(PATH)
    const ended = await n3.waitNote((n): n is Extract<typeof n, { type: 'ended' }> => n.type === 'ended' && n.path === PATH, 'c\'s realize ended', { from, ms: 60_000 })
    assert.equal(ended.job, 'realize')
    assert.equal(ended.result, 'cancelled', 'the version was removed while it downloaded')
    a.running.churten.start()
    await waitGoneEverywhere([a, b, n3])
    assert.deepEqual(n3.kinds(PATH), [], 'c never had it real')
    assert.deepEqual(a.kinds(PATH), ['add', 'remove'])
  })

  it('a node whose root is on another file system than its data directory follows a deletion: the content moves to pending removal', async () => {
    // b's root on its own tmpfs (a disk of its own, as in the model check):
    // moving a file into b's cache is a copy, not a rename. Needs root (mount).
    c = await cluster([{ name: 'a' }, { name: 'b', start: false }])
    const [a, b] = [c.get('a'), c.get('b')]
    await exec('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', b.root()])
    try {
      await b.start()
      const content = randomBytes(15_532)
      await a.write(PATH, content)
      await b.waitForReal(PATH, content)
      await rm(a.abs(PATH))
      await b.waitUnindexed(PATH)
      await assert.rejects(stat(b.abs(PATH)), { code: 'ENOENT' })
      assert.deepEqual(b.kinds(PATH), ['add', 'remove'])
      const pending = await b.blobs().queue('pending')
      const infos = await Promise.all(pending.map(async (id) => await b.blobs().get(id)))
      assert.ok(infos.some((i) => i != null && hashEquals(i.hash, hashBytes(content)) && i.verified), 'the content sits in pending removal, verified')
      await b.stop()
    } finally {
      await b.stop()
      await exec('umount', [b.root()])
    }
  })

  it('a real copy a peer replaced follows the deletion of the replacement it had not fetched yet (model check seed 1011)', async () => {
    c = await cluster([{ name: 'a' }, { name: 'c' }])
    const [a, n3] = [c.get('a'), c.get('c')]
    const first = randomBytes(6_643)
    await a.write(PATH, first)
    await n3.waitForReal(PATH, first)
    // c runs no jobs now: it hears of the replacement and its deletion, but fetches neither.
    await n3.running.churten.stop()
    const second = randomBytes(17_451)
    await a.write(PATH, second)
    await n3.waitFor(async () => hashEquals((await n3.arena().index.get(parsePath(PATH)))?.outdatedBy, hashBytes(second)), 'c knows its copy was replaced')
    await rm(a.abs(PATH))
    await n3.waitFor(async () => (await n3.arena().index.get(parsePath(PATH)))?.removedByPeer === true, 'c knows the replacement was deleted')
    n3.running.churten.start()
    // c does not keep the version the household replaced and then deleted.
    await waitGoneEverywhere([a, n3])
  })
})
