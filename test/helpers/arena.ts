import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { Arena } from '../../node/arena.js'
import { silentLogger } from '../../node/log.js'
import { parseArenaName } from '../../datastore/types/arena.js'
import { tempDir } from './tmp.js'
import type { Mark } from '../../datastore/types/mark.js'
import type { Logger } from '../../node/log.js'

export interface TestArena {
  arena: Arena
  root: string
  dataDir: string
  /** Closes the arena and opens it again on the same root and store (a restart). */
  restart: (options?: { start?: boolean }) => Promise<Arena>
  cleanup: () => Promise<void>
}

/** A real arena (LevelDB store + watcher) on a temp root; the watcher is started unless `start: false`. */
export async function testArena (options: { mark?: Mark, start?: boolean, debounceMs?: number, recheckMs?: number, log?: Logger } = {}): Promise<TestArena> {
  const { dir, cleanup } = await tempDir('realize-arena-')
  const root = join(dir, 'root')
  const dataDir = join(dir, 'data')
  await mkdir(root)
  const open = async (start: boolean): Promise<Arena> => {
    const a = await Arena.open({ name: parseArenaName('test'), root, mark: options.mark, dataDir, log: options.log ?? silentLogger, debounceMs: options.debounceMs ?? 30, recheckMs: options.recheckMs })
    if (start) await a.watcher?.start()
    return a
  }
  const t: TestArena = {
    arena: await open(options.start ?? true),
    root,
    dataDir,
    restart: async (o = {}) => {
      await t.arena.close()
      t.arena = await open(o.start ?? true)
      return t.arena
    },
    cleanup: async () => {
      await t.arena.close().catch(() => {})
      await cleanup()
    }
  }
  return t
}
