import assert from 'node:assert/strict'
import { mkdir, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { getAttribute, setAttribute } from 'fs-xattr'
import { Marks } from '../../node/marks/marks.js'
import { MARK_XATTR, readMarkXattr, readMarkXattrSync, writeMarkXattr } from '../../node/marks/xattr.js'
import { parsePath } from '../../datastore/types/path.js'
import { tempArenaStore } from '../helpers/stores.js'
import { tempDir } from '../helpers/tmp.js'
import type { ArenaStore } from '../../datastore/arena-store.js'

/**
 * node/marks on its own: hierarchical lookup over the marks table and the
 * arena's mark, and where `set` stores a mark (the xattr of a file that is
 * here {#marksxattrs}, the table for one known only from peers {#setmark}).
 * Real LevelDB, real xattrs.
 */
describe('marks: lookup and the mark xattr {#marksxattrs}', () => {
  let h: Awaited<ReturnType<typeof tempArenaStore>>
  let s: ArenaStore
  let tmp: { dir: string, cleanup: () => Promise<void> }
  let root: string
  beforeEach(async () => {
    h = await tempArenaStore()
    s = h.store
    tmp = await tempDir('realize-marks-')
    root = join(tmp.dir, 'root')
    await mkdir(root)
  })
  afterEach(async () => {
    await h.cleanup()
    await tmp.cleanup()
  })

  it('resolves the nearest marked path: the file, then its directories, then the arena, then the default watch', async () => {
    const marks = new Marks(s, undefined, root)
    assert.deepEqual(await marks.resolve(parsePath('a/b/c.txt')), { mark: 'watch', from: undefined, isDefault: true })
    await s.store.write((b) => {
      s.marks.put(b, parsePath('a'), { mark: 'keep', local: false })
      s.marks.put(b, parsePath('a/b/d.txt'), { mark: 'own', local: false })
    })
    assert.deepEqual(await marks.resolve(parsePath('a/b/c.txt')), { mark: 'keep', from: 'a', isDefault: false })
    assert.deepEqual(await marks.resolve(parsePath('a/b/d.txt')), { mark: 'own', from: 'a/b/d.txt', isDefault: false })
    // A sibling named like a prefix is not under `a`.
    assert.deepEqual(await marks.resolve(parsePath('ab/x')), { mark: 'watch', from: undefined, isDefault: true })
    const withArena = new Marks(s, 'own', root)
    assert.deepEqual(await withArena.resolve(parsePath('ab/x')), { mark: 'own', from: undefined, isDefault: false })
    assert.deepEqual(await withArena.resolve(parsePath('', { allowRoot: true })), { mark: 'own', from: undefined, isDefault: false })
  })

  it('sets the mark of a file that is here in its xattr and the table, of one known only from peers in the table; marks the path dirty', async () => {
    const marks = new Marks(s, 'own', root)
    await writeFile(join(root, 'here.txt'), 'x')
    const changed: string[][] = []
    marks.on('changed', (paths) => { changed.push(paths) })
    assert.equal(await marks.set(parsePath('here.txt'), 'keep'), 'xattr')
    assert.equal((await getAttribute(join(root, 'here.txt'), MARK_XATTR)).toString(), 'keep')
    assert.deepEqual(await s.marks.getEntry(parsePath('here.txt')), { mark: 'keep', local: true })
    assert.equal(await marks.set(parsePath('remote/only.jpg'), 'watch'), 'table')
    assert.deepEqual(await s.marks.getEntry(parsePath('remote/only.jpg')), { mark: 'watch', local: false })
    const dirty: string[] = []
    for await (const d of s.dirty.since(0)) dirty.push(d.path)
    assert.deepEqual(dirty.sort(), ['here.txt', 'remote/only.jpg'])
    assert.deepEqual(changed, [['here.txt'], ['remote/only.jpg']])
    // Removing: both the xattr and the table entry go.
    await marks.set(parsePath('here.txt'), undefined)
    assert.deepEqual(readMarkXattrSync(join(root, 'here.txt')), { kind: 'none' })
    assert.equal(await s.marks.getEntry(parsePath('here.txt')), undefined)
  })

  it('refuses a mark through a symbolic link: the xattr would land outside the root', async () => {
    const outside = join(tmp.dir, 'outside')
    await mkdir(outside)
    await writeFile(join(outside, 'f.txt'), 'x')
    await symlink(outside, join(root, 'link'))
    const marks = new Marks(s, 'own', root)
    await assert.rejects(marks.set(parsePath('link/f.txt'), 'keep'), (err: Error & { code?: string }) => err.code === 'PATH_OUTSIDE_ARENA')
    assert.deepEqual(readMarkXattrSync(join(outside, 'f.txt')), { kind: 'none' })
    assert.equal(await s.marks.getEntry(parsePath('link/f.txt')), undefined)
  })

  it('reads the xattr as a mark, nothing, an invalid value (trimmed) or a file that is gone', async () => {
    const f = join(root, 'f')
    await writeFile(f, 'x')
    assert.deepEqual(await readMarkXattr(f), { kind: 'none' })
    await writeMarkXattr(f, 'own')
    assert.deepEqual(await readMarkXattr(f), { kind: 'mark', mark: 'own' })
    await setAttribute(f, MARK_XATTR, ' keep\n')
    assert.deepEqual(readMarkXattrSync(f), { kind: 'mark', mark: 'keep' })
    await setAttribute(f, MARK_XATTR, 'mine')
    assert.deepEqual(await readMarkXattr(f), { kind: 'invalid', value: 'mine' })
    await writeMarkXattr(f, undefined)
    await writeMarkXattr(f, undefined) // removing what is not there is no error
    assert.deepEqual(readMarkXattrSync(f), { kind: 'none' })
    assert.deepEqual(await readMarkXattr(join(root, 'missing')), { kind: 'gone' })
    assert.deepEqual(readMarkXattrSync(join(root, 'missing/deeper')), { kind: 'gone' })
  })
})
