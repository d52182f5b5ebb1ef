import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { appendFile, mkdir, rename, rm, utimes, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { setAttribute, removeAttribute } from 'fs-xattr'
import { hashToHex } from '../../datastore/types/hash.js'
import { parsePath, type RelPath } from '../../datastore/types/path.js'
import { MARK_XATTR, readMarkXattrSync } from '../../node/marks/xattr.js'
import { captureLogger } from '../helpers/net.js'
import { QUIET_FILE_MIN_BYTES } from '../../node/real/watcher.js'
import { testArena, type TestArena } from '../helpers/arena.js'
import { until } from '../helpers/wait.js'
import type { HistoryNotification } from '../../datastore/types/history.js'

const sha = (s: string | Uint8Array): string => createHash('sha256').update(s).digest('hex')

async function collect<T> (it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of it) out.push(x)
  return out
}

describe('watcher: the real follows the arena root', function () {
  let t: TestArena
  afterEach(async () => { await t.cleanup() })

  /** The index as `path -> sha256 hex`. */
  async function indexState (): Promise<Record<string, string>> {
    const out: Record<string, string> = {}
    for (const [p, e] of await collect(t.arena.store.index.all())) out[p] = hashToHex(e.hash)
    return out
  }

  /** Waits (on watcher events) until the index equals `expected`. */
  async function indexBecomes (expected: Record<string, string>): Promise<void> {
    const watcher = t.arena.watcher
    assert.ok(watcher != null)
    await until(watcher, 'reconciled', async () => {
      const s = await indexState()
      return JSON.stringify(s) === JSON.stringify(expected) || undefined
    }, `index ${JSON.stringify(expected)}`)
  }

  async function history (): Promise<HistoryNotification[]> {
    return (await collect(t.arena.store.history.after(0))).map((e) => e.notification)
  }

  async function markBecomes (path: string, mark: string | undefined): Promise<void> {
    const watcher = t.arena.watcher
    assert.ok(watcher != null)
    await until(watcher, 'reconciled', async () => (await t.arena.store.marks.get(parsePath(path))) === mark || undefined, `mark of ${path} = ${mark}`)
  }

  it('indexes existing files at start and publishes Add, with dirty paths in the same batch', async () => {
    t = await testArena({ start: false })
    await mkdir(join(t.root, 'd/e'), { recursive: true })
    await writeFile(join(t.root, 'a.txt'), 'A')
    await writeFile(join(t.root, 'd/e/b:c.txt'), 'B')
    const result = await t.arena.watcher?.start()
    assert.equal(result?.files, 2)
    assert.deepEqual(await indexState(), { 'a.txt': sha('A'), 'd/e/b:c.txt': sha('B') })
    assert.deepEqual((await history()).map((h) => `${h.kind} ${h.path}`).sort(), ['add a.txt', 'add d/e/b:c.txt'])
    assert.deepEqual((await collect(t.arena.store.dirty.since(0))).map((d) => d.path).sort(), ['a.txt', 'd/e/b:c.txt'])
  })

  it('follows create, modify, rename and delete of files live', async () => {
    t = await testArena()
    await writeFile(join(t.root, 'f'), 'one')
    await indexBecomes({ f: sha('one') })
    await appendFile(join(t.root, 'f'), ' two')
    await indexBecomes({ f: sha('one two') })
    await rename(join(t.root, 'f'), join(t.root, 'g'))
    await indexBecomes({ g: sha('one two') })
    await rm(join(t.root, 'g'))
    await indexBecomes({})
    const kinds = (await history()).map((h) => `${h.kind} ${h.path}`)
    assert.deepEqual(kinds.slice(0, 2), ['add f', 'replace f'])
    assert.deepEqual(kinds.slice(2).sort(), ['add g', 'remove f', 'remove g'])
    const replace = (await history())[1]
    assert.ok(replace?.kind === 'replace')
    assert.equal(hashToHex(replace.oldHash), sha('one'))
  })

  it('sees a directory rename as removes and adds of every file under it, and a directory delete as removes', async () => {
    t = await testArena()
    await mkdir(join(t.root, 'a/b'), { recursive: true })
    await writeFile(join(t.root, 'a/x'), 'x')
    await writeFile(join(t.root, 'a/b/y'), 'y')
    await indexBecomes({ 'a/b/y': sha('y'), 'a/x': sha('x') })
    await rename(join(t.root, 'a'), join(t.root, 'c'))
    await indexBecomes({ 'c/b/y': sha('y'), 'c/x': sha('x') })
    // the moved tree is watched: a change deep inside it is seen
    await writeFile(join(t.root, 'c/b/z'), 'z')
    await indexBecomes({ 'c/b/y': sha('y'), 'c/b/z': sha('z'), 'c/x': sha('x') })
    await rm(join(t.root, 'c'), { recursive: true })
    await indexBecomes({})
    const removed = (await history()).filter((h) => h.kind === 'remove').map((h) => h.path).sort()
    assert.deepEqual(removed, ['a/b/y', 'a/x', 'c/b/y', 'c/b/z', 'c/x'])
  })

  it('follows a directory deleted or moved away and made again at once under the same name', async () => {
    t = await testArena()
    await mkdir(join(t.root, 'a'))
    await mkdir(join(t.root, 'b'))
    await writeFile(join(t.root, 'a/old'), 'old')
    await writeFile(join(t.root, 'b/old'), 'old')
    await indexBecomes({ 'a/old': sha('old'), 'b/old': sha('old') })
    // Within one quiet period: the reconcile finds a directory at each name.
    await rm(join(t.root, 'a'), { recursive: true })
    await mkdir(join(t.root, 'a'))
    await rename(join(t.root, 'b'), join(t.root, 'moved'))
    await mkdir(join(t.root, 'b'))
    await indexBecomes({ 'moved/old': sha('old') })
    // The new directories are watched, not the old ones.
    await writeFile(join(t.root, 'a/new'), 'new')
    await writeFile(join(t.root, 'b/new'), 'new')
    await indexBecomes({ 'a/new': sha('new'), 'b/new': sha('new'), 'moved/old': sha('old') })
  })

  it('indexes a burst of files in directories made during it, live', async () => {
    t = await testArena()
    const expected: Record<string, string> = {}
    for (let i = 0; i < 300; i++) {
      const dir = `d${i % 7}/e${i % 3}`
      await mkdir(join(t.root, dir), { recursive: true })
      await writeFile(join(t.root, dir, `f${i}`), `content ${i}`)
      expected[`${dir}/f${i}`] = sha(`content ${i}`)
    }
    await indexBecomes(Object.fromEntries(Object.entries(expected).sort()))
  })

  it('looks at a large file moved in without the full quiet wait; small and freshly written files wait', async () => {
    const debounceMs = 2000
    t = await testArena({ debounceMs })
    const stage = join(dirname(t.root), 'stage')
    await mkdir(stage)
    const large = randomBytes(QUIET_FILE_MIN_BYTES + 1)
    await writeFile(join(stage, 'large.bin'), large)
    await writeFile(join(stage, 'small.txt'), 'small')
    // Written a minute ago: nobody is writing them now.
    const old = new Date(Date.now() - 60_000)
    for (const f of ['large.bin', 'small.txt']) await utimes(join(stage, f), old, old)
    const t0 = performance.now()
    await rename(join(stage, 'large.bin'), join(t.root, 'large.bin'))
    await rename(join(stage, 'small.txt'), join(t.root, 'small.txt'))
    await indexBecomes({ 'large.bin': sha(large) })
    assert.ok(performance.now() - t0 < debounceMs, 'the large file did not wait for quiet')
    await indexBecomes({ 'large.bin': sha(large), 'small.txt': sha('small') })
    assert.ok(performance.now() - t0 >= debounceMs - 50, 'the small file waited')
    // A large file being written (fresh mtime) waits for quiet too.
    const t1 = performance.now()
    const fresh = randomBytes(QUIET_FILE_MIN_BYTES + 1)
    await writeFile(join(t.root, 'fresh.bin'), fresh)
    await indexBecomes({ 'fresh.bin': sha(fresh), 'large.bin': sha(large), 'small.txt': sha('small') })
    assert.ok(performance.now() - t1 >= debounceMs - 50, 'the file being written waited')
  })

  it('catches up on changes made while stopped', async () => {
    t = await testArena()
    await writeFile(join(t.root, 'keep'), 'k')
    await writeFile(join(t.root, 'change'), 'c1')
    await writeFile(join(t.root, 'gone'), 'g')
    await indexBecomes({ change: sha('c1'), gone: sha('g'), keep: sha('k') })
    await t.arena.close()
    await writeFile(join(t.root, 'change'), 'c2 longer')
    await rm(join(t.root, 'gone'))
    await mkdir(join(t.root, 'new'))
    await writeFile(join(t.root, 'new/file'), 'n')
    const before = (await t.restart({ start: false })).store.history.lastN
    const result = await t.arena.watcher?.start()
    assert.equal(result?.changed, 3)
    assert.deepEqual(await indexState(), { change: sha('c2 longer'), keep: sha('k'), 'new/file': sha('n') })
    const after = (await collect(t.arena.store.history.after(before))).map((e) => `${e.notification.kind} ${e.notification.path}`).sort()
    assert.deepEqual(after, ['add new/file', 'remove gone', 'replace change'])
  })

  it('does not rehash unchanged files on restart (size+mtime shortcut)', async () => {
    t = await testArena()
    await writeFile(join(t.root, 'same'), 'data')
    await indexBecomes({ same: sha('data') })
    const before = t.arena.store.history.lastN
    await t.restart()
    assert.equal(t.arena.store.history.lastN, before)
  })

  it('ignores its own temp files and a data directory inside the root', async () => {
    t = await testArena()
    await writeFile(join(t.root, '.realize-abc.part'), 'tmp')
    await writeFile(join(t.root, 'real'), 'r')
    await indexBecomes({ real: sha('r') })
    assert.deepEqual(Object.keys(await indexState()), ['real'])
  })

  describe('marks from xattrs {#marksxattrs}', () => {
    it('mirrors xattr set, change and remove on a file, and drops the mark when the file goes', async () => {
      t = await testArena()
      const f = join(t.root, 'f')
      await writeFile(f, 'x')
      await indexBecomes({ f: sha('x') })
      await setAttribute(f, MARK_XATTR, 'keep')
      await markBecomes('f', 'keep')
      await setAttribute(f, MARK_XATTR, 'own')
      await markBecomes('f', 'own')
      await removeAttribute(f, MARK_XATTR)
      await markBecomes('f', undefined)
      await setAttribute(f, MARK_XATTR, 'watch')
      await markBecomes('f', 'watch')
      await rm(f)
      await markBecomes('f', undefined)
    })

    it('mirrors xattr set, change and remove on a directory (not seen by recursive fs.watch)', async () => {
      t = await testArena()
      const d = join(t.root, 'd/sub')
      await mkdir(d, { recursive: true })
      await writeFile(join(d, 'f'), 'x')
      await indexBecomes({ 'd/sub/f': sha('x') })
      await setAttribute(d, MARK_XATTR, 'own')
      await markBecomes('d/sub', 'own')
      assert.equal((await t.arena.marks.resolve(parsePath('d/sub/f'))).mark, 'own')
      await setAttribute(d, MARK_XATTR, 'keep')
      await markBecomes('d/sub', 'keep')
      await removeAttribute(d, MARK_XATTR)
      await markBecomes('d/sub', undefined)
      await setAttribute(join(t.root, 'd'), MARK_XATTR, 'keep')
      await markBecomes('d', 'keep')
      await rm(join(t.root, 'd'), { recursive: true })
      await markBecomes('d', undefined)
    })

    it('reads marks during catch-up, including ones set or removed while stopped', async () => {
      t = await testArena({ start: false })
      await mkdir(join(t.root, 'dir'))
      await writeFile(join(t.root, 'dir/a'), 'a')
      await writeFile(join(t.root, 'b'), 'b')
      await setAttribute(join(t.root, 'dir'), MARK_XATTR, 'keep')
      await setAttribute(join(t.root, 'b'), MARK_XATTR, 'own')
      await t.arena.watcher?.start()
      assert.equal(await t.arena.store.marks.get(parsePath('dir')), 'keep')
      assert.equal(await t.arena.store.marks.get(parsePath('b')), 'own')
      await t.arena.close()
      await removeAttribute(join(t.root, 'b'), MARK_XATTR)
      await setAttribute(join(t.root, 'dir/a'), MARK_XATTR, 'watch')
      await t.restart()
      assert.equal(await t.arena.store.marks.get(parsePath('b')), undefined)
      assert.equal(await t.arena.store.marks.get(parsePath('dir/a')), 'watch')
      assert.deepEqual(await t.arena.marks.resolve(parsePath('dir/a')), { mark: 'watch', from: 'dir/a', isDefault: false })
    })

    it('moves a mark known only from peers into the xattr of the file that appears, and keeps it a peers\' mark (logged) when the xattr cannot be written', async () => {
      const capture = captureLogger()
      t = await testArena({ mark: 'own', start: false, log: capture.log })
      await t.arena.marks.set(parsePath('p.txt'), 'keep')
      await t.arena.marks.set(parsePath('q.txt'), 'keep')
      await writeFile(join(t.root, 'p.txt'), 'p')
      await writeFile(join(t.root, 'q.txt'), 'q')
      // The fault: an immutable file refuses xattr writes, even root's (EPERM).
      execFileSync('chattr', ['+i', join(t.root, 'q.txt')])
      try {
        await t.arena.watcher?.start()
        assert.deepEqual(readMarkXattrSync(join(t.root, 'p.txt')), { kind: 'mark', mark: 'keep' })
        assert.deepEqual(await t.arena.store.marks.getEntry(parsePath('p.txt')), { mark: 'keep', local: true })
        // The table agrees with the file: no xattr, so still a mark known from peers.
        assert.deepEqual(readMarkXattrSync(join(t.root, 'q.txt')), { kind: 'none' })
        assert.deepEqual(await t.arena.store.marks.getEntry(parsePath('q.txt')), { mark: 'keep', local: false })
        assert.ok(capture.lines.some((l) => l.event === 'mark-xattr-failed' && l.path === 'q.txt'), 'the failed xattr write is logged')
      } finally {
        execFileSync('chattr', ['-i', join(t.root, 'q.txt')])
      }
      // The next scan tries again.
      await t.restart()
      assert.deepEqual(readMarkXattrSync(join(t.root, 'q.txt')), { kind: 'mark', mark: 'keep' })
      assert.deepEqual(await t.arena.store.marks.getEntry(parsePath('q.txt')), { mark: 'keep', local: true })
    })

    it('ignores invalid values and keeps a mark of a file known only from peers', async () => {
      t = await testArena({ mark: 'own' })
      await t.arena.marks.set(parsePath('remote/only.jpg'), 'keep')
      await writeFile(join(t.root, 'bad'), 'b')
      await setAttribute(join(t.root, 'bad'), MARK_XATTR, 'mine')
      await indexBecomes({ bad: sha('b') })
      await t.restart()
      assert.equal(await t.arena.store.marks.get(parsePath('bad')), undefined)
      assert.equal(await t.arena.store.marks.get(parsePath('remote/only.jpg')), 'keep')
      assert.deepEqual(await t.arena.marks.resolve(parsePath('bad')), { mark: 'own', from: undefined, isDefault: false })
    })
  })
})

describe('marks: hierarchical lookup', () => {
  let t: TestArena
  afterEach(async () => { await t.cleanup() })

  it('file, then parent directories, then the arena mark, then watch', async () => {
    t = await testArena({ start: false })
    const m = t.arena.marks
    const p = (s: string): RelPath => parsePath(s)
    assert.deepEqual(await m.resolve(p('a/b/c')), { mark: 'watch', from: undefined, isDefault: true })
    await m.set(p('a'), 'keep')
    assert.deepEqual(await m.resolve(p('a/b/c')), { mark: 'keep', from: 'a', isDefault: false })
    await m.set(p('a/b'), 'own')
    assert.deepEqual(await m.resolve(p('a/b/c')), { mark: 'own', from: 'a/b', isDefault: false })
    await m.set(p('a/b/c'), 'watch')
    assert.deepEqual(await m.resolve(p('a/b/c')), { mark: 'watch', from: 'a/b/c', isDefault: false })
    assert.deepEqual(await m.resolve(p('ab')), { mark: 'watch', from: undefined, isDefault: true })
  })

  it('setting a mark on a local file writes the xattr and marks the path dirty {#setmark}', async () => {
    t = await testArena({ start: false })
    await writeFile(join(t.root, 'x'), 'x')
    assert.equal(await t.arena.marks.set(parsePath('x'), 'keep'), 'xattr')
    const { getAttribute } = await import('fs-xattr')
    assert.equal((await getAttribute(join(t.root, 'x'), MARK_XATTR)).toString(), 'keep')
    assert.equal(await t.arena.marks.set(parsePath('not/here'), 'own'), 'table')
    const dirty = (await collect(t.arena.store.dirty.since(0))).map((d) => d.path)
    assert.deepEqual(dirty, ['x', 'not/here'])
  })
})
