/**
 * The unreal tree (issue: the unreal), spec section 9 style: ratios against
 * a reference measured in the same run.
 *
 * 1. catch-up of 100,000 remote files into an empty tree (goal: seconds):
 *    markPeerFiles, catchupMany in batches of 1,000 (as a history catch-up
 *    arrives), deleteMarkedFiles. Reference: writing the same 100,000
 *    (path -> version) entries with their dirty marks (read ahead) into the
 *    index table in the same batches, the least any store of the files pays.
 * 2. readdir of a 10,000-entry directory (goal: milliseconds). References:
 *    the bare datastore query of the same key prefix (no decoding), and
 *    fs.readdir (withFileTypes) of a real 10,000-entry directory.
 *
 *   npx node dist/scripts/bench-unreal.js [--files 100000] [--batch 1000] [--entries 10000]
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ArenaStore } from '../datastore/arena-store.js'
import { GlobalStore } from '../datastore/global-store.js'
import { openLevel } from '../node/stores.js'
import { hashBytes } from '../node/real/hasher.js'
import { UnrealTree, type CatchupFile } from '../node/unreal/unreal-tree.js'
import { unrealDirTable } from '../datastore/tables/unreal-tree.js'
import { encodeNumber } from '../datastore/keys.js'
import { parsePath, type RelPath } from '../datastore/types/path.js'

function arg (name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`)
  return i < 0 ? fallback : Number(process.argv[i + 1])
}

const files = arg('files', 100_000)
const batch = arg('batch', 1000)
const entries = arg('entries', 10_000)
const perDir = 100
const PEER = '12D3KooWBenchPeerAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'
const PEER2 = '12D3KooWBenchPeerBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB'

const ms = (t: number): string => t < 10 ? `${t.toFixed(2)} ms` : t < 10_000 ? `${t.toFixed(0)} ms` : `${(t / 1000).toFixed(1)} s`
const rssMb = (): number => process.memoryUsage().rss / 1024 / 1024

async function openTree (dir: string): Promise<{ tree: UnrealTree, arena: ArenaStore, close: () => Promise<void> }> {
  const arena = await ArenaStore.open(await openLevel(join(dir, 'arena')))
  const global = await GlobalStore.open(await openLevel(join(dir, 'global')))
  const tree = await UnrealTree.open(arena, global.inodeRanges, 'bench')
  return { tree, arena, close: async () => { await arena.close(); await global.close() } }
}

/** Files in path order, 100 per directory, as a peer's catch-up lists them. */
function listing (n: number): CatchupFile[] {
  const out: CatchupFile[] = []
  const mtime = Date.now()
  for (let i = 0; i < n; i++) {
    const content = `file ${Math.floor(i / perDir)}/${i % perDir}\n`
    out.push({ path: `dir${Math.floor(i / perDir)}/file${i % perDir}.txt`, version: { hash: hashBytes(Buffer.from(content)), size: content.length, mtime: mtime + i } })
  }
  return out
}

async function catchup (tree: UnrealTree, peer: string, list: CatchupFile[]): Promise<number> {
  const t = performance.now()
  await tree.markPeerFiles(peer)
  for (let i = 0; i < list.length; i += batch) await tree.catchupMany(peer, list.slice(i, i + batch))
  await tree.deleteMarkedFiles(peer)
  return performance.now() - t
}

async function reference (dir: string, list: CatchupFile[]): Promise<number> {
  const arena = await ArenaStore.open(await openLevel(join(dir, 'ref')))
  try {
    const t = performance.now()
    for (let i = 0; i < list.length; i += batch) {
      await arena.store.write(async (b) => {
        const slice = list.slice(i, i + batch)
        await arena.dirty.prefetch(b, slice.map((f) => f.path as RelPath))
        for (const f of slice) {
          const p = f.path as RelPath
          arena.index.put(b, p, f.version)
          await arena.dirty.mark(b, p)
        }
      })
    }
    return performance.now() - t
  } finally {
    await arena.close()
  }
}

async function benchCatchup (dir: string): Promise<void> {
  const list = listing(files)
  const { tree, close } = await openTree(join(dir, 'catchup'))
  try {
    const rss0 = rssMb()
    const empty = await catchup(tree, PEER, list)
    const rss1 = rssMb()
    const unchanged = await catchup(tree, PEER, list)
    const second = await catchup(tree, PEER2, list)
    const ref = await reference(dir, list)
    const root = await tree.readdir(1)
    console.log(`catch-up of ${files} files (${files / perDir} dirs, batches of ${batch}) into an empty tree: ${ms(empty)} ` +
      `(${(empty * 1000 / files).toFixed(0)} µs/file, RSS ${rss0.toFixed(0)} -> ${rss1.toFixed(0)} MB), ${root.length} top-level dirs`)
    console.log(`  same peer again, nothing changed: ${ms(unchanged)}; a second peer with the same files: ${ms(second)}`)
    console.log(`  reference, index table + dirty marks for the same files: ${ms(ref)} -> tree/reference ${(empty / ref).toFixed(2)}x`)
    console.log(`  goal seconds: ${empty < 60_000 ? 'met' : 'MISSED'}`)
  } finally {
    await close()
  }
}

async function benchReaddir (dir: string): Promise<void> {
  const { tree, arena, close } = await openTree(join(dir, 'readdir'))
  const real = join(dir, 'real-dir')
  try {
    const names = Array.from({ length: entries }, (_, i) => `photo-${String(i).padStart(6, '0')}.jpg`)
    await tree.catchupMany(PEER, names.map((n, i) => ({ path: `big/${n}`, version: { hash: hashBytes(Buffer.from(n)), size: i, mtime: i } })))
    await mkdir(real)
    for (let i = 0; i < names.length; i += 500) await Promise.all(names.slice(i, i + 500).map(async (n) => { await writeFile(join(real, n), '') }))
    const big = (await tree.lookupPath(parsePath('big')))?.inode as number
    const treeRuns: number[] = []
    const fsRuns: number[] = []
    const rawRuns: number[] = []
    const prefix = `${unrealDirTable.prefix}${encodeNumber(big)}/`
    for (let r = 0; r < 15; r++) {
      let t = performance.now()
      const listed = await tree.readdir(big)
      treeRuns.push(performance.now() - t)
      if (listed.length !== entries) throw new Error(`listed ${listed.length}`)
      t = performance.now()
      await readdir(real, { withFileTypes: true })
      fsRuns.push(performance.now() - t)
      t = performance.now()
      let n = 0
      for await (const e of arena.store.datastore.query({ prefix })) n += e.value.byteLength > 0 ? 1 : 0
      rawRuns.push(performance.now() - t)
      if (n !== entries) throw new Error(`query found ${n}`)
    }
    const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number
    const t = performance.now()
    for (let i = 0; i < 1000; i++) await tree.lookup(big, names[(i * 7919) % entries] as string)
    const lookupUs = (performance.now() - t) * 1000 / 1000
    console.log(`readdir of a ${entries}-entry directory (median of 15): ${ms(med(treeRuns))}; ` +
      `bare datastore query of its prefix: ${ms(med(rawRuns))} (${(med(treeRuns) / med(rawRuns)).toFixed(2)}x); ` +
      `fs.readdir withFileTypes of a real one: ${ms(med(fsRuns))} (${(med(treeRuns) / med(fsRuns)).toFixed(1)}x)`)
    console.log(`  lookup of one name in it: ${(lookupUs).toFixed(0)} µs each (1,000 lookups)`)
    console.log(`  goal milliseconds: ${med(treeRuns) < 1000 ? 'met' : 'MISSED'}`)
  } finally {
    await close()
  }
}

const dir = await mkdtemp(join(tmpdir(), 'realize-bench-unreal-'))
try {
  await benchCatchup(dir)
  await benchReaddir(dir)
} finally {
  await rm(dir, { recursive: true, force: true })
}
