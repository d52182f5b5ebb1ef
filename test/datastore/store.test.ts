import assert from 'node:assert/strict'
import { decodeText, encodeNumber, encodeText } from '../../datastore/keys.js'
import { indexTable } from '../../datastore/tables/index-table.js'
import { historyTable } from '../../datastore/tables/history.js'
import { hashBytes } from '../../node/real/hasher.js'
import { parsePath, type RelPath } from '../../datastore/types/path.js'
import { storeBackends } from '../helpers/stores.js'
import type { ArenaStore } from '../../datastore/arena-store.js'

const h1 = hashBytes(Buffer.from('one'))
const h2 = hashBytes(Buffer.from('two'))

async function collect<T> (it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of it) out.push(x)
  return out
}

describe('key encoding', () => {
  it('is ASCII, preserves byte order and prefixes', () => {
    const names = ['a', 'a/b', 'a-b', 'a~', 'é', 'ÿ', '日本', '😀', 'z', 'a/b/c', 'Z:x']
    const enc = names.map(encodeText)
    for (const e of enc) assert.match(e, /^[\x01-\x7e]*$/)
    const byBytes = [...names].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)))
    assert.deepEqual([...enc].sort().map(decodeText), byBytes)
    assert.ok(encodeText('日本/x').startsWith(encodeText('日本/')))
  })

  it('orders numbers numerically', () => {
    const nums = [0, 1, 9, 10, 255, 256, 2 ** 40, Number.MAX_SAFE_INTEGER]
    assert.deepEqual(nums.map(encodeNumber).sort(), nums.map(encodeNumber))
    assert.throws(() => encodeNumber(-1))
  })
})

for (const backend of storeBackends) describe(`Store and tables (${backend.name})`, () => {
  let h: Awaited<ReturnType<typeof backend.open>>
  let s: ArenaStore
  beforeEach(async () => { h = await backend.open(); s = h.store })
  afterEach(async () => { await h.cleanup() })

  it('round-trips index entries, including outdatedBy', async () => {
    const p = parsePath('photos/2024:01/ü.jpg')
    await s.store.write((b) => { s.index.put(b, p, { hash: h1, size: 3, mtime: 1700000000123.456, outdatedBy: h2 }) })
    const e = await s.index.get(p)
    assert.ok(e != null)
    assert.deepEqual(Buffer.from(e.hash), Buffer.from(h1))
    assert.equal(e.size, 3)
    assert.equal(e.mtime, 1700000000123.456)
    assert.deepEqual(Buffer.from(e.outdatedBy as Uint8Array), Buffer.from(h2))
    assert.equal(await s.index.get(parsePath('missing')), undefined)
  })

  it('scans a directory with non-Latin names completely and in byte order', async () => {
    const paths = ['日本/b', '日本/a', '日本/😀', '日本x', '日', 'a', '日本/ß/c'].map((p) => parsePath(p))
    await s.store.write((b) => { for (const p of paths) s.index.put(b, p, { hash: h1, size: 1, mtime: 1 }) })
    const under = (await collect(s.index.under(parsePath('日本')))).map(([p]) => p)
    assert.deepEqual(under, ['日本/a', '日本/b', '日本/ß/c', '日本/😀'])
    assert.equal((await collect(s.index.all())).length, paths.length)
  })

  it('commits nothing when a writer throws', async () => {
    const p = parsePath('x')
    await assert.rejects(s.store.write(async (b) => {
      s.index.put(b, p, { hash: h1, size: 1, mtime: 1 })
      s.history.append(b, { kind: 'add', path: p, size: 1, mtime: 1, hash: h1 })
      throw new Error('boom')
    }), /boom/)
    assert.equal(await s.index.get(p), undefined)
    assert.deepEqual(await collect(s.store.scan(historyTable)), [])
    // the store keeps working afterwards
    await s.store.write((b) => { s.index.put(b, p, { hash: h1, size: 1, mtime: 1 }) })
    assert.ok(await s.store.get(indexTable, p))
  })

  it('sees its own writes inside a batch', async () => {
    const p = parsePath('y')
    await s.store.write(async (b) => {
      s.index.put(b, p, { hash: h1, size: 1, mtime: 1 })
      assert.equal((await s.index.getIn(b, p))?.size, 1)
      s.index.delete(b, p)
      assert.equal(await s.index.getIn(b, p), undefined)
    })
  })

  it('keeps history strictly increasing across reopen and trims', async () => {
    const p = parsePath('f')
    await s.store.write((b) => {
      s.history.append(b, { kind: 'add', path: p, size: 1, mtime: 2, hash: h1 })
      s.history.append(b, { kind: 'replace', path: p, size: 2, mtime: 3, hash: h2, oldHash: h1 })
    })
    const id = Buffer.from(s.storeId)
    s = await h.reopen()
    assert.deepEqual(Buffer.from(s.storeId), id, 'store id survives reopen')
    await s.store.write((b) => { s.history.append(b, { kind: 'remove', path: p, oldHash: h2 }) })
    const all = await collect(s.history.after(0))
    assert.deepEqual(all.map((e) => e.n), [1, 2, 3])
    assert.deepEqual(all.map((e) => e.notification.kind), ['add', 'replace', 'remove'])
    const r = all[1]?.notification
    assert.ok(r?.kind === 'replace')
    assert.deepEqual(Buffer.from(r.oldHash), Buffer.from(h1))
    assert.deepEqual((await collect(s.history.after(2))).map((e) => e.n), [3])
    assert.equal(await s.history.trim(2), 2)
    assert.equal(await s.history.firstN(), 3)
    assert.equal(s.history.lastN, 3)
  })

  it('dirty paths: marking again moves a path to the end; clear only at the same counter', async () => {
    const [a, b, c] = ['a', 'b', 'c'].map((p) => parsePath(p)) as [RelPath, RelPath, RelPath]
    const ca = await s.store.write(async (bt) => await s.dirty.mark(bt, a))
    await s.store.write(async (bt) => { await s.dirty.mark(bt, b); await s.dirty.mark(bt, c) })
    const ca2 = await s.store.write(async (bt) => await s.dirty.mark(bt, a))
    assert.ok(ca2 > ca)
    assert.deepEqual((await collect(s.dirty.since(0))).map((d) => d.path), ['b', 'c', 'a'])
    assert.equal(await s.store.write(async (bt) => await s.dirty.clear(bt, a, ca)), false, 'stale counter does not clear')
    assert.equal(await s.store.write(async (bt) => await s.dirty.clear(bt, a, ca2)), true)
    assert.deepEqual((await collect(s.dirty.since(0))).map((d) => d.path), ['b', 'c'])
    s = await h.reopen()
    const cd = await s.store.write(async (bt) => await s.dirty.mark(bt, a))
    assert.ok(cd > ca2, 'counters keep increasing after reopen')
  })

  it('marks and peer progress round-trip', async () => {
    const p = parsePath('dir')
    await s.store.write((b) => {
      s.marks.put(b, p, { mark: 'keep', local: false })
      s.peerProgress.put(b, '12D3KooWpeer', { storeId: new Uint8Array([1, 2, 3]), lastSeen: 42, lastActive: 1000.5 })
    })
    assert.equal(await s.marks.get(p), 'keep')
    const progress = await s.peerProgress.get('12D3KooWpeer')
    assert.deepEqual({ ...progress, storeId: [...(progress?.storeId ?? [])] }, { storeId: [1, 2, 3], lastSeen: 42, lastActive: 1000.5 })
  })
})
