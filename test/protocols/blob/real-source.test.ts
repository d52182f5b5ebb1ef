import assert from 'node:assert/strict'
import { appendFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { RealSource } from '../../../node/sync/real-source.js'
import { hashBytes } from '../../../node/real/hasher.js'
import { parsePath } from '../../../datastore/types/path.js'
import { until } from '../../helpers/wait.js'
import { testArena, type TestArena } from '../../helpers/arena.js'
import { hashEquals } from '../../../datastore/types/hash.js'

describe('RealSource: the real as the data protocols see it', () => {
  let t: TestArena
  let source: RealSource
  beforeEach(async () => {
    t = await testArena()
    source = new RealSource((name) => name === 'test' ? t.arena : name === 'cache-only' ? { root: undefined, index: t.arena.index } : undefined)
  })
  afterEach(async () => { await t.cleanup() })

  async function indexed (path: string, content: string): Promise<Uint8Array> {
    await writeFile(join(t.root, path), content)
    const hash = hashBytes(Buffer.from(content))
    await until(t.arena.index, 'history', async () => hashEquals((await t.arena.index.get(parsePath(path)))?.hash, hash), `${path} indexed`)
    return hash
  }

  it('reads the indexed version and verifies it did not change', async () => {
    const hash = await indexed('a.txt', 'hello world')
    const h = await source.open('test', parsePath('a.txt'), hash as never)
    try {
      assert.equal(h.size, 11)
      const buf = Buffer.alloc(5)
      assert.equal(await h.read(buf, 6), 5)
      assert.equal(buf.toString(), 'world')
      await h.verify()
    } finally {
      await h.close()
    }
  })

  it('a file that changes while it is read fails verify with VERSION_CHANGED', async () => {
    const hash = await indexed('a.txt', 'hello world')
    await t.arena.watcher?.stop()
    const h = await source.open('test', parsePath('a.txt'), hash as never)
    try {
      await appendFile(join(t.root, 'a.txt'), '!')
      await assert.rejects(h.verify(), { code: 'VERSION_CHANGED', message: 'test/a.txt: changed on disk while being read' })
    } finally {
      await h.close()
    }
  })

  it('NOT_FOUND for unknown arenas, cache-only arenas and unindexed paths; VERSION_CHANGED for a removed file', async () => {
    const hash = await indexed('a.txt', 'x')
    await assert.rejects(source.open('nope', parsePath('a.txt'), hash as never), { code: 'NOT_FOUND' })
    await assert.rejects(source.open('cache-only', parsePath('a.txt'), hash as never), { code: 'NOT_FOUND' })
    await assert.rejects(source.open('test', parsePath('b.txt'), hash as never), { code: 'NOT_FOUND' })
    await t.arena.watcher?.stop()
    const { rm } = await import('node:fs/promises')
    await rm(join(t.root, 'a.txt'))
    await assert.rejects(source.open('test', parsePath('a.txt'), hash as never), { code: 'VERSION_CHANGED', message: 'test/a.txt: removed since it was indexed' })
  })
})
