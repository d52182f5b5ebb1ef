import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { randomBytes } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import { getAttribute, setAttributeSync } from 'fs-xattr'
import { MARK_XATTR, writeMarkXattr } from '../../node/marks/xattr.js'
import { hashBytes } from '../../node/real/hasher.js'
import { hashEquals } from '../../datastore/types/hash.js'
import { parsePath } from '../../datastore/types/path.js'
import { cluster, type Cluster, type Seen, type TestPeer } from '../helpers/nodes.js'

const exec = promisify(execFile)

/** The mark xattr of a file, or undefined when it has none {#marksxattrs}. */
async function xattrOf (abs: string): Promise<string | undefined> {
  try {
    return (await getAttribute(abs, MARK_XATTR)).toString()
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENODATA') return undefined
    throw err
  }
}

/** Jobs started on `path` since index `from` of the node's notes. */
function startedOn (n: TestPeer, path: string, from: number): string[] {
  return n.notes.slice(from).flatMap((s: Seen) => s.n.type === 'started' && s.n.path === path ? [s.n.job] : [])
}

/**
 * Marks belong to paths, and a mark change converges in one job (issue 11,
 * paths 3 and 4): no job undoes the one before it, and the mark survives
 * the file leaving the root (unrealize) or being replaced by a peer's
 * version (realize by temporary file and rename).
 */
describe('churten: marks and the jobs they cause', function () {
  this.timeout(120_000)
  let c: Cluster
  let a: TestPeer
  let b: TestPeer
  afterEach(async () => { await c.cleanup() })

  for (const how of ['xattr', 'mark command'] as const) {
    it(`keep on a real file in an own directory (${how}) unrealizes it once, and then nothing more happens`, async () => {
      c = await cluster([{ name: 'a' }, { name: 'b' }])
      a = c.get('a')
      b = c.get('b')
      const path = 'photos/new.txt'
      await a.write(path, 'a photo, real on both')
      await b.waitForReal(path, 'a photo, real on both')
      await b.waitJob(path, 'done', { job: 'realize' })
      const from = b.notes.length
      // The file leaving the root is seen by the watcher after the job: wait for that too.
      const left = b.reconciled(path, 'gone')
      if (how === 'xattr') await writeMarkXattr(b.abs(path), 'keep')
      else assert.equal(await b.arena().marks.set(parsePath(path), 'keep'), 'xattr')
      await b.waitJob(path, 'done', { job: 'unrealize', from })
      await left
      // Later work on B proves time passed: a file from A is realized after it.
      await a.write('later.txt', 'written after the mark')
      await b.waitForReal('later.txt', 'written after the mark')
      await b.waitJob('later.txt', 'done', { from })

      assert.deepEqual(startedOn(b, path, from), ['unrealize'], 'exactly one job, not a realize/unrealize loop')
      await assert.rejects(stat(b.abs(path)), { code: 'ENOENT' })
      // The mark stays with the path, now in the table (the xattr left with the file).
      const mark = await b.arena().marks.resolve(parsePath(path))
      assert.deepEqual([mark.mark, mark.from], ['keep', path])
      // The content is in the cache, complete, verified, protected, without the mark xattr.
      const blob = await b.waitCached(path, 'a photo, real on both')
      assert.equal(blob.keep, true)
      assert.equal(blob.queue, 'protected')
      assert.equal(await xattrOf(b.blobs().pathOf(blob.id)), undefined, 'the blob does not carry the mark')
      assert.deepEqual(b.kinds(path), ['add', 'drop'])
    })
  }

  for (const disk of ['the same file system', 'a file system of its own'] as const) {
    it(`a mark set by xattr while the file is being unrealized stays with the path, root on ${disk} (model-check seeds 1257, 1391)`, async () => {
      c = await cluster([{ name: 'a' }, { name: 'b', arenas: [{ name: 'docs', mark: 'watch' }], start: false }])
      a = c.get('a')
      b = c.get('b')
      // On a disk of its own (as in the model check) the move into the cache is a copy, which carries no xattrs.
      const own = disk === 'a file system of its own'
      if (own) await exec('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', b.root()])
      try {
        await b.start()
        const path = 'd1/e/f3.txt'
        const content = 'written on the watch node'
        // The user marks the file as the unrealize starts: after the job was
        // decided for `watch`, before the file moves and before the watcher
        // (which waits for the file to be quiet) has seen the xattr.
        let set = false
        b.events.on('note', (s) => {
          if (set || s.n.type !== 'started' || s.n.path !== path || s.n.job !== 'unrealize') return
          set = true
          setAttributeSync(b.abs(path), MARK_XATTR, 'keep')
        })
        const left = b.reconciled(path, 'gone')
        await b.write(path, content)
        await a.waitForReal(path, content)
        await b.waitJob(path, 'done', { job: 'unrealize' })
        await left
        assert.ok(set, 'the mark was set during the unrealize')
        // The mark reached the table with the file's move, and the path is kept: the cached copy is protected.
        const mark = await b.arena().marks.resolve(parsePath(path))
        assert.deepEqual([mark.mark, mark.from], ['keep', path])
        const { id } = await b.waitCached(path, content)
        const blob = await b.waitFor(async () => {
          const info = await b.blobs().get(id)
          return info?.keep === true ? info : undefined
        }, 'the cached copy kept for the keep mark')
        assert.equal(blob.queue, 'protected')
        await assert.rejects(stat(b.abs(path)), { code: 'ENOENT' }, 'keep is a cached copy: the file does not come back real')
        await b.stop()
      } finally {
        await b.stop()
        if (own) await exec('umount', [b.root()])
      }
    })
  }

  it('a mark mirrored from the xattr stays with the path when the file moves into a cache on another file system (model-check seed 1391)', async () => {
    c = await cluster([{ name: 'a' }, { name: 'b', start: false }])
    a = c.get('a')
    b = c.get('b')
    await exec('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', b.root()])
    try {
      await b.start()
      const path = 'notes.txt'
      await a.write(path, 'real on both')
      await b.waitForReal(path, 'real on both')
      await b.waitJob(path, 'done', { job: 'realize' })
      const from = b.notes.length
      await writeMarkXattr(b.abs(path), 'watch')
      await b.waitJob(path, 'done', { job: 'unrealize', from })
      // Later work on B proves time passed: a file from A is realized after it.
      await a.write('later.txt', 'written after the mark')
      await b.waitForReal('later.txt', 'written after the mark')
      await b.waitJob('later.txt', 'done', { from })
      assert.deepEqual(startedOn(b, path, from), ['unrealize'], 'one job: the mark is not lost and the file does not come back')
      const mark = await b.arena().marks.resolve(parsePath(path))
      assert.deepEqual([mark.mark, mark.from], ['watch', path])
      await b.stop()
    } finally {
      await b.stop()
      await exec('umount', [b.root()])
    }
  })

  it('a file marked own keeps its mark when a peer updates it, and stays real', async () => {
    c = await cluster([{ name: 'a' }, { name: 'b', arenas: [{ name: 'docs', mark: 'watch' }] }])
    a = c.get('a')
    b = c.get('b')
    const path = 'big50.bin'
    const v1 = randomBytes(2 * 1024 * 1024)
    await a.write(path, v1)
    await b.waitRemote(path, v1)
    assert.equal(await b.arena().marks.set(parsePath(path), 'own'), 'table')
    await b.waitForReal(path, v1)
    // The mark moves into the file's xattr once the file is here.
    await b.waitFor(async () => (await b.arena().store.marks.getEntry(parsePath(path)))?.local === true, 'the mark mirrored from the xattr')
    assert.equal(await xattrOf(b.abs(path)), 'own')

    const from = b.notes.length
    const v2 = Buffer.from(v1)
    randomBytes(64 * 1024).copy(v2, 1024 * 1024)
    const seen = b.reconciled(path, 'file')
    await a.write(path, v2)
    await b.waitForReal(path, v2)
    // The watcher looks at the replaced file; then later work on B proves time passed.
    await seen
    // B's own later file goes to A and is unrealized here (watch): a job after the update.
    await b.write('later.txt', 'written after the update')
    await b.waitJob('later.txt', 'done', { from, job: 'unrealize' })

    assert.deepEqual(startedOn(b, path, from), ['realize'], 'the update is realized, and nothing undoes it')
    assert.ok(hashEquals(hashBytes(await readFile(b.abs(path))), hashBytes(v2)), 'the new version is real')
    const mark = await b.arena().marks.resolve(parsePath(path))
    assert.deepEqual([mark.mark, mark.from], ['own', path], 'the file\'s own mark, not the arena\'s watch')
    assert.equal(await xattrOf(b.abs(path)), 'own', 'the replaced file carries the mark')
    assert.equal((await b.arena().store.marks.getEntry(parsePath(path)))?.local, true)
  })
})
