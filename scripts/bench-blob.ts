/**
 * Blob store throughput {#bloblru} (issue: the unreal): sequential write
 * then read of a 1 GiB blob through BlobStore handles, against a plain file
 * written and read with the same chunks through a FileHandle, in the same
 * run (rounds interleaved, medians). Goal: the blob reaches at least 80% of
 * the plain file's rate.
 *
 * The blob path adds what a download pays: block accounting and cache
 * reservation per write, the written ranges, checkpoints into LevelDB every
 * 64 MiB (fstat + table write), the DATA_UNAVAILABLE check per read and the
 * LRU touch on open. Neither side fsyncs; both end with the data in the page
 * cache, so this measures our overhead, not the disk.
 *
 *   npx node dist/scripts/bench-blob.js [--size 1G] [--chunk 1M] [--runs 3]
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, open, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ArenaStore } from '../datastore/arena-store.js'
import { openLevel } from '../node/stores.js'
import { BlobCache } from '../node/blobs/blob-cache.js'
import { BlobStore, blobDir } from '../node/blobs/blob-store.js'
import { hashBytes } from '../node/real/hasher.js'

function size (name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`)
  if (i < 0) return fallback
  const m = /^(\d+)([kKmMgG]?)$/.exec(process.argv[i + 1] ?? '')
  if (m == null) throw new Error(`bad --${name}`)
  return Number(m[1]) * ({ '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 } as Record<string, number>)[(m[2] ?? '').toLowerCase()]!
}

const total = size('size', 1024 ** 3)
const chunk = size('chunk', 1024 ** 2)
const runs = size('runs', 3)
// A 64 MiB random pool, written over and over: content the page cache cannot dedupe, at a sixteenth of the memory.
const pool = randomBytes(Math.min(total, 64 * 1024 ** 2))
const fakeHash = hashBytes(pool)

const chunkAt = (off: number): Buffer => {
  const start = off % pool.byteLength
  return pool.subarray(start, start + Math.min(chunk, total - off, pool.byteLength - start))
}

interface Times { write: number, read: number }

async function plain (path: string): Promise<Times> {
  let t = performance.now()
  const w = await open(path, 'w')
  for (let off = 0; off < total;) {
    const c = chunkAt(off)
    await w.write(c, 0, c.byteLength, off)
    off += c.byteLength
  }
  await w.close()
  const write = performance.now() - t
  t = performance.now()
  const r = await open(path, 'r')
  const buf = Buffer.allocUnsafe(chunk)
  for (let off = 0; off < total;) {
    const { bytesRead } = await r.read(buf, 0, Math.min(chunk, total - off), off)
    if (bytesRead === 0) throw new Error('short file')
    off += bytesRead
  }
  await r.close()
  await rm(path)
  return { write, read: performance.now() - t }
}

async function blob (blobs: BlobStore): Promise<Times> {
  let t = performance.now()
  const w = await blobs.create(fakeHash, total)
  for (let off = 0; off < total;) {
    const c = chunkAt(off)
    await w.write(c, off)
    off += c.byteLength
  }
  await w.close()
  const write = performance.now() - t
  t = performance.now()
  const r = await blobs.open(w.id)
  const buf = Buffer.allocUnsafe(chunk)
  for (let off = 0; off < total;) {
    const n = await r.read(buf, off)
    if (n === 0) throw new Error('short blob')
    off += n
  }
  await r.close()
  const read = performance.now() - t
  await blobs.delete(w.id)
  return { write, read }
}

const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number
const mbps = (ms: number): string => (total / 1e6 / (ms / 1000)).toFixed(0)

const dir = await mkdtemp(join(tmpdir(), 'realize-bench-blob-'))
const arena = await ArenaStore.open(await openLevel(join(dir, 'store')))
const blobs = await BlobStore.open({ store: arena, dir: blobDir(dir, 'bench'), cache: new BlobCache(4 * total) })
try {
  const p: Times[] = []
  const b: Times[] = []
  await plain(join(dir, 'warmup'))
  for (let i = 0; i < runs; i++) {
    // alternate which goes first, so drift in the page cache or writeback hits both
    if (i % 2 === 0) { p.push(await plain(join(dir, 'plain'))); b.push(await blob(blobs)) } else { b.push(await blob(blobs)); p.push(await plain(join(dir, 'plain'))) }
  }
  const pw = med(p.map((x) => x.write))
  const pr = med(p.map((x) => x.read))
  const pt = med(p.map((x) => x.write + x.read))
  const bw = med(b.map((x) => x.write))
  const br = med(b.map((x) => x.read))
  const bt = med(b.map((x) => x.write + x.read))
  console.log(`${total / 1024 ** 2} MiB in ${chunk / 1024} KiB chunks, median of ${runs} interleaved runs (MB = 10^6 bytes)`)
  console.log(`plain file: write ${mbps(pw)} MB/s, read ${mbps(pr)} MB/s, write+read ${mbps(pt)} MB/s`)
  console.log(`blob:       write ${mbps(bw)} MB/s, read ${mbps(br)} MB/s, write+read ${mbps(bt)} MB/s`)
  console.log(`blob / plain: write ${(pw / bw * 100).toFixed(1)}%, read ${(pr / br * 100).toFixed(1)}%, write+read ${(pt / bt * 100).toFixed(1)}% (goal >= 80%: ${pt / bt >= 0.8 ? 'met' : 'MISSED'})`)
} finally {
  await blobs.close()
  await arena.close()
  await rm(dir, { recursive: true, force: true })
}
