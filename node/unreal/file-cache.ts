import type { Chosen } from './chosen.js'
import type { FileState } from './tree-batch.js'
import type { PeerId } from './types.js'
import type { Version } from '../../datastore/types/version.js'

/** A file's entries as the store holds them: the chosen one and each peer's. */
export interface FileEntries {
  chosen: Chosen | undefined
  /** Shared with the cache: read only. */
  peers: Map<PeerId, Version>
}

/** Files kept; the oldest goes first. */
const MAX_FILES = 4096

/**
 * The entries of recently read or written files, so `stat` need not range
 * scan them again: a scan is a thread-pool round trip, and each file of a
 * large sync was read right after the batch that linked it, and again
 * after it was realized (docs/BENCHMARKS.md).
 *
 * Exact because every write of file entries goes through
 * `UnrealTree.write`: before its commit the files it touched are dropped,
 * after it they are set to what the batch left. A read that was under way
 * across a commit (`generation` moved) is not kept.
 */
export class FileCache {
  private readonly files = new Map<number, FileEntries>()
  private gen = 0

  get generation (): number {
    return this.gen
  }

  get (inode: number): FileEntries | undefined {
    return this.files.get(inode)
  }

  /** Keeps what a read found, unless a write committed since it began (`generation` then). */
  keep (inode: number, entries: FileEntries, generation: number): void {
    if (generation === this.gen) this.set(inode, entries)
  }

  /** A batch that wrote these files is about to commit. */
  committing (inodes: Iterable<number>): void {
    this.gen++
    for (const inode of inodes) this.files.delete(inode)
  }

  /** It committed: the files are as it left them. */
  committed (files: Iterable<FileState>): void {
    this.gen++
    for (const f of files) {
      if (f.saved == null) this.files.delete(f.inode)
      else this.set(f.inode, { chosen: f.saved, peers: new Map(f.peers) })
    }
  }

  clear (): void {
    this.gen++
    this.files.clear()
  }

  private set (inode: number, entries: FileEntries): void {
    this.files.delete(inode)
    if (this.files.size >= MAX_FILES) this.files.delete(this.files.keys().next().value as number)
    this.files.set(inode, entries)
  }
}
