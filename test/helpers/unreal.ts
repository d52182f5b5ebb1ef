import { join } from 'node:path'
import { ArenaStore } from '../../datastore/arena-store.js'
import { GlobalStore } from '../../datastore/global-store.js'
import { openLevel } from '../../node/stores.js'
import { UnrealTree, type UnrealTreeOptions } from '../../node/unreal/unreal-tree.js'
import { hashBytes } from '../../node/real/hasher.js'
import { tempDir } from './tmp.js'
import type { Version } from '../../datastore/types/version.js'

export interface TestUnreal {
  dir: string
  arena: ArenaStore
  global: GlobalStore
  tree: UnrealTree
  /** Closes both stores and opens them again (a restart). */
  reopen: () => Promise<UnrealTree>
  cleanup: () => Promise<void>
}

/** An unreal tree on real LevelDB arena and global stores in a temp dir. */
export async function tempUnreal (options: UnrealTreeOptions & { arenaName?: string } = {}): Promise<TestUnreal> {
  const { dir, cleanup } = await tempDir('realize-unreal-')
  const name = options.arenaName ?? 'test'
  const open = async (): Promise<[ArenaStore, GlobalStore, UnrealTree]> => {
    const arena = await ArenaStore.open(await openLevel(join(dir, 'arena')))
    const global = await GlobalStore.open(await openLevel(join(dir, 'global')))
    return [arena, global, await UnrealTree.open(arena, global.inodeRanges, name, options)]
  }
  const [arena, global, tree] = await open()
  const t: TestUnreal = {
    dir,
    arena,
    global,
    tree,
    reopen: async () => {
      await t.arena.close()
      await t.global.close()
      ;[t.arena, t.global, t.tree] = await open()
      return t.tree
    },
    cleanup: async () => {
      await t.arena.close().catch(() => {})
      await t.global.close().catch(() => {})
      await cleanup()
    }
  }
  return t
}

/** A version of some text content, with a chosen mtime. */
export function v (content: string, mtime: number): Version {
  const data = Buffer.from(content)
  return { hash: hashBytes(data), size: data.byteLength, mtime }
}

export async function collect<T> (it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of it) out.push(x)
  return out
}
