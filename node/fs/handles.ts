import type { FileHandle } from 'node:fs/promises'
import type { RelPath } from '../../datastore/types/path.js'
import type { Arena } from '../arena.js'
import type { UnrealFileStat } from '../unreal/unreal-tree.js'
import type { RemoteBlob } from './remote.js'

/**
 * Open files of the mount, by the number the kernel hands back on every
 * read and release. A real file keeps its descriptor in the arena root; a
 * remote one the shared blob of its version (remote.ts), taken on the first
 * read (so `stat`-like opens stay instant). An open blob is never evicted
 * (blob-store.ts), so a file being read stays in the cache.
 */
export type OpenFile =
  | { kind: 'real', arena: Arena, path: RelPath, fh: FileHandle }
  | { kind: 'remote', arena: Arena, path: RelPath, stat: UnrealFileStat, blob?: Promise<RemoteBlob> }

export class HandleTable {
  private readonly open = new Map<number, OpenFile>()
  private next = 1

  add (f: OpenFile): number {
    // Numbers are not reused while the mount lives: a stale number fails, never reads another file.
    const fd = this.next++
    this.open.set(fd, f)
    return fd
  }

  get (fd: number): OpenFile | undefined {
    return this.open.get(fd)
  }

  take (fd: number): OpenFile | undefined {
    const f = this.open.get(fd)
    this.open.delete(fd)
    return f
  }

  get size (): number { return this.open.size }

  /** Every open file, removed from the table (the mount stops). */
  drain (): OpenFile[] {
    const all = [...this.open.values()]
    this.open.clear()
    return all
  }
}

export async function closeOpenFile (f: OpenFile): Promise<void> {
  if (f.kind === 'real') {
    await f.fh.close()
    return
  }
  const blob = await f.blob?.catch(() => undefined)
  await blob?.release()
}
