import { mkdir, readdir, rm, stat, truncate } from 'node:fs/promises'
import { join } from 'node:path'
import { BLOB_QUEUES, blobQueueTable, blobTable, EMPTY_QUEUE, type BlobEntry, type BlobQueue } from '../../datastore/tables/blobs.js'
import { allocatedBytes } from './capacity.js'
import { update } from './lru.js'
import { ByteRanges } from '../../datastore/types/byte-ranges.js'
import type { ArenaStore } from '../../datastore/arena-store.js'

export interface ScanReport {
  /** Files with no table entry (a crash between creating a file and committing its entry, or a stray file). */
  orphans: number
  /** Entries whose file is gone: reset to nothing written. */
  missing: number
  /** Files whose size differed from the entry's: cut back to it. */
  resized: number
  /** Entries whose written ranges, verified flag or allocation were corrected. */
  corrected: number
  /** Queues whose links or totals did not match the entries, rebuilt by last access. */
  rebuilt: BlobQueue[]
}

const ID_NAME = /^[1-9][0-9]{0,15}$/
const UPDATE_BATCH = 1000

/**
 * Reconciles an arena's blob files with its blob table before the store is
 * used {#bloblru}. The file operations are ordered so that a crash leaves
 * either a usable blob or garbage: a file is created before its entry is
 * committed and deleted after its entry is, and bytes are written before
 * the entry claims them. So here a file without an entry is garbage, an
 * entry without a file holds nothing yet, and usage is recounted from the
 * blocks the files really allocate.
 */
export async function startupScan (store: ArenaStore, dir: string): Promise<ScanReport> {
  const report: ScanReport = { orphans: 0, missing: 0, resized: 0, corrected: 0, rebuilt: [] }
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const entries = new Map<number, BlobEntry>()
  for await (const [id, e] of store.blobs.all()) entries.set(id, e)

  for (const name of await readdir(dir)) {
    if (ID_NAME.test(name) && entries.has(Number(name))) continue
    await rm(join(dir, name), { recursive: true, force: true })
    report.orphans++
  }

  const fixes: Array<[number, Partial<BlobEntry>]> = []
  for (const [id, e] of entries) {
    const path = join(dir, String(id))
    const st = await stat(path).catch((err: NodeJS.ErrnoException) => { if (err.code === 'ENOENT') return undefined; throw err })
    if (st == null) {
      report.missing++
      if (!e.written.isEmpty || e.verified || e.allocated !== 0) fixes.push([id, { written: ByteRanges.EMPTY, verified: false, allocated: 0 }])
      continue
    }
    let written = e.written
    let verified = e.verified
    let allocated = allocatedBytes(st)
    if (st.size !== e.size) {
      // Bytes past the file's end were never written; bytes past the blob's end are not its own.
      written = written.intersection(ByteRanges.of([0, Math.min(st.size, e.size)]))
      verified = false
      await truncate(path, e.size)
      allocated = allocatedBytes(await stat(path))
      report.resized++
    }
    if (!written.equals(e.written) || verified !== e.verified || allocated !== e.allocated) fixes.push([id, { written, verified, allocated }])
  }
  report.corrected = fixes.length
  for (let i = 0; i < fixes.length; i += UPDATE_BATCH) {
    const chunk = fixes.slice(i, i + UPDATE_BATCH)
    await store.store.write(async (b) => { for (const [id, change] of chunk) await update(b, id, change) })
  }
  for (const [id, change] of fixes) entries.set(id, { ...(entries.get(id) as BlobEntry), ...change })

  for (const queue of BLOB_QUEUES) {
    if (!await queueIsSound(store, queue, entries)) {
      await rebuildQueue(store, queue, entries)
      report.rebuilt.push(queue)
    }
  }
  return report
}

/** Walks the list from its head: every member once, in the right queue, totals matching. */
async function queueIsSound (store: ArenaStore, queue: BlobQueue, entries: Map<number, BlobEntry>): Promise<boolean> {
  const q = await store.blobs.queue(queue)
  let count = 0
  let bytes = 0
  let prev = 0
  for (let id = q.head; id !== 0;) {
    const e = entries.get(id)
    if (e == null || e.queue !== queue || e.prev !== prev || count > entries.size) return false
    count++
    bytes += e.allocated
    prev = id
    id = e.next
  }
  let members = 0
  for (const e of entries.values()) if (e.queue === queue) members++
  return prev === q.tail && count === members && count === q.count && bytes === q.bytes
}

/** Relinks a queue's members by last access (oldest first) and recounts it. */
async function rebuildQueue (store: ArenaStore, queue: BlobQueue, entries: Map<number, BlobEntry>): Promise<void> {
  const members = [...entries].filter(([, e]) => e.queue === queue).sort(([a, x], [b, y]) => x.lastAccess - y.lastAccess || a - b)
  await store.store.write((b) => {
    const state = { ...EMPTY_QUEUE }
    members.forEach(([id, e], i) => {
      const linked = { ...e, prev: members[i - 1]?.[0] ?? 0, next: members[i + 1]?.[0] ?? 0 }
      b.put(blobTable, id, linked)
      entries.set(id, linked)
      state.count++
      state.bytes += e.allocated
    })
    state.head = members[0]?.[0] ?? 0
    state.tail = members[members.length - 1]?.[0] ?? 0
    b.put(blobQueueTable, queue, state)
  })
}
