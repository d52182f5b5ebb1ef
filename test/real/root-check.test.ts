import assert from 'node:assert/strict'
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ArenaPausedError, ROOT_MARKER } from '../../node/real/root-check.js'
import { testArena, type TestArena } from '../helpers/arena.js'
import { until } from '../helpers/wait.js'
import type { HistoryNotification } from '../../datastore/types/history.js'

/**
 * A root that disappears is not a deletion (spec section 4), on one arena
 * in this process: the watcher pauses instead of reading a missing,
 * emptied or replaced root as "every file removed". The same through real
 * processes and a peer: test/real/root-paused.test.ts.
 */
describe('root check: a root that disappears pauses the arena (spec section 4)', function () {
  let t: TestArena
  afterEach(async () => { await t.cleanup() })

  async function history (): Promise<HistoryNotification[]> {
    const out: HistoryNotification[] = []
    for await (const e of t.arena.store.history.after(0)) out.push(e.notification)
    return out
  }

  const removes = async (): Promise<number> => (await history()).filter((h) => h.kind === 'remove').length

  /** An arena that indexed three files, closed (the node stopped). */
  async function indexed (): Promise<void> {
    t = await testArena({ start: false, recheckMs: 50 })
    await mkdir(join(t.root, 'd'))
    for (const f of ['a.txt', 'b.txt', 'd/c.txt']) await writeFile(join(t.root, f), f)
    const r = await t.arena.watcher?.start()
    assert.equal(r?.files, 3)
    assert.ok((await stat(join(t.root, ROOT_MARKER))).isDirectory(), 'the first catch-up marks the root')
    await t.arena.close()
  }

  async function pausedWith (code: string): Promise<ArenaPausedError> {
    const w = t.arena.watcher
    assert.ok(w != null)
    return await until(w, 'paused', () => w.paused?.code === code ? w.paused : undefined, `paused with ${code}`)
  }

  it('a root moved away is neither re-created nor read as deleted; moved back, the arena resumes by itself', async () => {
    await indexed()
    await rename(t.root, `${t.root}.away`)
    t = { ...t, arena: await t.restart({ start: false }) }
    const resumed = new Promise<void>((resolve) => t.arena.watcher?.once('resumed', () => { resolve() }))
    assert.equal(await t.arena.watcher?.start(), undefined, 'no catch-up')
    const p = t.arena.paused
    assert.ok(p instanceof ArenaPausedError)
    assert.equal(p.code, 'ROOT_MISSING')
    assert.match(p.message, /^arena "test" paused: its root .*root does not exist$/)
    assert.match(p.hint, /move the folder back or mount its disk/i)
    assert.equal(await stat(t.root).catch(() => undefined), undefined, 'the root is not made again')
    assert.equal(await removes(), 0)

    await rename(`${t.root}.away`, t.root)
    await resumed
    await until(t.arena.watcher!, 'caughtUp', () => t.arena.paused == null && t.arena.watcher?.isIdle, 'caught up again')
    assert.equal(await removes(), 0, 'nothing was published as removed')
    assert.equal(t.arena.paused, undefined)
  })

  it('a root removed while the node runs pauses the arena without publishing removes', async () => {
    t = await testArena({ recheckMs: 50 })
    await mkdir(join(t.root, 'd'))
    for (const f of ['a.txt', 'd/c.txt']) await writeFile(join(t.root, f), f)
    await until(t.arena.index, 'history', async () => (await history()).length === 2, 'both indexed')
    await rm(t.root, { recursive: true })
    await pausedWith('ROOT_MISSING')
    // Every event the removal raised has been looked at (or dropped by the pause).
    await until(t.arena.watcher!, 'idle', () => t.arena.watcher?.isIdle, 'idle')
    assert.equal(await removes(), 0)
    assert.equal(await stat(t.root).catch(() => undefined), undefined)
  })

  it('an emptied root stays paused until the user confirms; then the deletions are published', async () => {
    await indexed()
    for (const f of ['a.txt', 'b.txt', 'd']) await rm(join(t.root, f), { recursive: true })
    t = { ...t, arena: await t.restart({ start: false }) }
    assert.equal(await t.arena.watcher?.start(), undefined)
    assert.equal(t.arena.paused?.code, 'ROOT_EMPTY')
    assert.match(t.arena.paused?.hint ?? '', /realize-node arena resume test/)
    // What the periodic recheck does: it does not resume an emptied root by itself.
    await assert.rejects(t.arena.watcher!.resume(), (err: Error) => err instanceof ArenaPausedError && err.code === 'ROOT_EMPTY')
    assert.equal(t.arena.paused?.code, 'ROOT_EMPTY')
    assert.equal(await removes(), 0)
    const r = await t.arena.watcher?.resume(true)
    assert.equal(r?.kind, 'dir')
    assert.equal(t.arena.paused, undefined)
    assert.deepEqual((await history()).filter((h) => h.kind === 'remove').map((h) => h.path).sort(), ['a.txt', 'b.txt', 'd/c.txt'])
  })

  it('an empty folder without the marker (an unmounted disk\'s mount point) is not the indexed root; resume refuses a root still missing', async () => {
    await indexed()
    await rename(t.root, `${t.root}.disk`)
    await mkdir(t.root)
    t = { ...t, arena: await t.restart({ start: false }) }
    assert.equal(await t.arena.watcher?.start(), undefined)
    assert.equal(t.arena.paused?.code, 'ROOT_MARKER_MISSING')
    assert.match(t.arena.paused?.message ?? '', /is not the folder that was indexed: it has no \.realize-root marker and none of the indexed files/)
    let announced = 0
    t.arena.watcher!.on('paused', () => { announced++ })
    await rm(t.root, { recursive: true })
    await assert.rejects(t.arena.watcher!.resume(true), (err: Error) => err instanceof ArenaPausedError && err.code === 'ROOT_MISSING')
    // Each failed recheck for the same reason is not announced again (one notice, not one every 2 s).
    await assert.rejects(t.arena.watcher!.resume(), (err: Error) => err instanceof ArenaPausedError && err.code === 'ROOT_MISSING')
    assert.equal(announced, 1)
    assert.equal(await removes(), 0)
  })

  it('a lost marker is made again when the indexed files are there', async () => {
    await indexed()
    await rm(join(t.root, ROOT_MARKER), { recursive: true })
    t = { ...t, arena: await t.restart({ start: false }) }
    const r = await t.arena.watcher?.start()
    assert.equal(r?.files, 3)
    assert.equal(t.arena.paused, undefined)
    assert.ok((await stat(join(t.root, ROOT_MARKER))).isDirectory())
    assert.equal(await removes(), 0)
  })

  it('a file where the root should be pauses the arena', async () => {
    await indexed()
    await rename(t.root, `${t.root}.away`)
    await writeFile(t.root, 'not a folder')
    t = { ...t, arena: await t.restart({ start: false }) }
    assert.equal(await t.arena.watcher?.start(), undefined)
    assert.equal(t.arena.paused?.code, 'ROOT_NOT_DIRECTORY')
    await rm(t.root)
    await rename(`${t.root}.away`, t.root)
    await until(t.arena.watcher!, 'caughtUp', () => t.arena.paused == null, 'resumed')
    assert.equal(await removes(), 0)
  })
})
