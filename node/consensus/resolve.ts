import { lstat, rename, rm, utimes } from 'node:fs/promises'
import { join } from 'node:path'
import { hashEquals, hashToHex } from '../../datastore/types/hash.js'
import { InvalidInputError, RealizeError } from '../../datastore/types/errors.js'
import { parentInRoot } from '../real/root-path.js'
import { parseConflictCopy, shortPeer } from './winner.js'
import type { Arena } from '../arena.js'
import type { ConflictEntry } from '../../datastore/tables/conflicts.js'
import type { IndexEntry } from '../../datastore/tables/index-table.js'
import type { RelPath } from '../../datastore/types/path.js'
import type { Version } from '../../datastore/types/version.js'

/**
 * Settling a conflict by hand (`conflicts resolve PATH --keep ...`, the TUI
 * key; docs/conflicts.md). Everything here is an ordinary local change in
 * the arena root, published like a user's own edit, so every node follows
 * it: a later version supersedes the others, a removed copy goes everywhere.
 *
 *   mine   the version at PATH here stays; conflict copies of PATH go; a
 *          version still pending on a peer is superseded (a Replace of it)
 *   theirs the one other version (a conflict copy, or the one pending
 *          version) replaces PATH; with several, name the PEER
 *   PEER   that peer's version: its conflict copy, or its pending version
 *   both   every version stays as its own file: copies lose their conflict
 *          marker (`name.kept-<date>-<peer>.ext`); a pending conflict moves
 *          this node's version aside under that name and the other takes PATH
 */
export type Keep = 'mine' | 'theirs' | 'both' | { peer: string }

/** A conflict copy of a path: its file, the version in it and the node that kept it. */
export interface CopyOf {
  path: RelPath
  version: Version
  /** The short PeerId in its name (winner.ts, shortPeer). */
  peer: string
  date: string
}

export class NotInConflictError extends RealizeError {
  constructor (message: string) {
    super('NOT_IN_CONFLICT', message)
  }
}

/** The conflict copies of every path of the arena that has some, by original path. */
export async function conflictCopies (arena: Arena, options: { signal?: AbortSignal } = {}): Promise<Map<RelPath, CopyOf[]>> {
  const out = new Map<RelPath, CopyOf[]>()
  for await (const [path, e] of arena.store.index.all(options)) {
    const c = parseConflictCopy(path)
    if (c == null) continue
    const list = out.get(c.original) ?? []
    list.push({ path, version: { hash: e.hash, size: e.size, mtime: e.mtime }, peer: c.peer, date: c.date })
    out.set(c.original, list)
  }
  return out
}

export interface ResolveInput {
  arena: Arena
  path: RelPath
  keep: Keep
  /** This node's PeerId. */
  self: string
  /** PeerId of a peer named by the user (config name, PeerId or its short form); undefined if unknown. */
  peerId: (peer: string) => string | undefined
}

export interface ResolveResult {
  /** What happened, one line each (the CLI prints them). */
  done: string[]
}

export async function resolveConflict (input: ResolveInput): Promise<ResolveResult> {
  const { arena, path, keep } = input
  const root = arena.root
  if (root == null) throw new InvalidInputError('NO_ROOT', `arena ${arena.name} has no root on this node: resolve the conflict on a node that keeps the file real`)
  const where = `${arena.name}:${path}`
  const real = await arena.index.get(path)
  const copies = (await conflictCopies(arena)).get(path) ?? []
  const record = await arena.store.conflicts.get(path)
  const pending = pendingOf(record, real)
  if (copies.length === 0 && pending.length === 0) throw new NotInConflictError(`${where} is not in conflict here (no pending versions, no conflict copies)`)
  const abs = (p: RelPath): string => {
    const dir = parentInRoot(root, p, { create: false })
    if (dir == null) throw new NotInConflictError(`${arena.name}:${p}: its directory is gone from the root`)
    return join(dir, p.slice(p.lastIndexOf('/') + 1))
  }
  const done: string[] = []

  const target = keep === 'mine' || keep === 'both' ? keep : pick(input, copies, pending, where)
  if (target === 'mine') {
    if (real == null) throw new InvalidInputError('NO_LOCAL_VERSION', `${where}: this node has no version of its own to keep`)
    for (const c of copies) {
      await rm(abs(c.path), { force: true })
      done.push(`removed ${c.path}`)
    }
    if (pending.length > 0) {
      await supersede(arena, path, abs(path), real, pending.map((p) => p.version))
      done.push(`${path}: this node's version supersedes ${pending.map((p) => hashToHex(p.version.hash).slice(0, 12)).join(', ')}`)
    }
  } else if (target === 'both') {
    for (const c of copies) {
      const kept = keptName(c.path)
      await rename(abs(c.path), abs(kept))
      done.push(`${c.path} -> ${kept}`)
    }
    if (pending.length > 0 && real != null) {
      const kept = keptName(path, real, input.self)
      await rename(abs(path), abs(kept))
      done.push(`${path} -> ${kept} (the other version takes ${path})`)
    }
  } else if ('copy' in target) {
    // The copy becomes the newest version of the path (a later mtime, so
    // peers take it as a replacement, not a stale notification).
    const now = new Date()
    await utimes(abs(target.copy.path), now, now)
    await rename(abs(target.copy.path), abs(path))
    done.push(`${target.copy.path} -> ${path}`)
  } else {
    // A version only a peer has: this node's goes, and the peer's is realized here like any other.
    if (real != null) await rm(abs(path), { force: true })
    done.push(`${path}: removed this node's version; ${hashToHex(target.pending.hash).slice(0, 12)} from the peer takes its place`)
  }
  return { done }
}

/** Versions on peers that are not this node's real one. */
function pendingOf (record: ConflictEntry | undefined, real: IndexEntry | undefined): Array<{ peer: string, version: Version }> {
  if (record == null) return []
  return record.remote.filter((r) => real == null || !hashEquals(r.version.hash, real.hash))
}

function pick (input: ResolveInput, copies: CopyOf[], pending: Array<{ peer: string, version: Version }>, where: string): 'mine' | { copy: CopyOf } | { pending: Version } {
  const { keep } = input
  if (typeof keep === 'object') {
    const id = input.peerId(keep.peer)
    const short = id == null ? keep.peer : shortPeer(id)
    if (id === input.self || short === shortPeer(input.self)) return 'mine'
    const copy = copies.find((c) => c.peer === short)
    if (copy != null) return { copy }
    const p = pending.find((x) => x.peer === id || shortPeer(x.peer) === short)
    if (p != null) return { pending: p.version }
    throw new InvalidInputError('UNKNOWN_SIDE', `${where}: no version of ${keep.peer} in this conflict (sides: ${sides(copies, pending).join(', ')})`)
  }
  const distinct = new Map<string, { copy: CopyOf } | { pending: Version }>()
  for (const c of copies) distinct.set(hashToHex(c.version.hash), { copy: c })
  for (const p of pending) if (!distinct.has(hashToHex(p.version.hash))) distinct.set(hashToHex(p.version.hash), { pending: p.version })
  if (distinct.size > 1) throw new InvalidInputError('AMBIGUOUS', `${where}: ${distinct.size} other versions; say which with --keep PEER (${sides(copies, pending).join(', ')})`)
  return [...distinct.values()][0] as { copy: CopyOf } | { pending: Version }
}

function sides (copies: CopyOf[], pending: Array<{ peer: string }>): string[] {
  return [...copies.map((c) => c.peer), ...pending.map((p) => shortPeer(p.peer))]
}

/** `name.conflict-<date>-<peer>.ext` -> `name.kept-<date>-<peer>.ext`; for a real file, the same from its version. */
function keptName (path: RelPath, version?: Version, self?: string): RelPath {
  if (version != null && self != null) {
    const slash = path.lastIndexOf('/')
    const name = path.slice(slash + 1)
    const dot = name.lastIndexOf('.')
    const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, '']
    const date = new Date(Math.floor(version.mtime)).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)
    return `${path.slice(0, slash + 1)}${stem}.kept-${date}-${shortPeer(self)}${ext}` as RelPath
  }
  const i = path.lastIndexOf('.conflict-')
  return `${path.slice(0, i)}.kept-${path.slice(i + '.conflict-'.length)}` as RelPath
}

/**
 * This node's version, written after seeing the others: the file gets a new
 * mtime and is published as a Replace of each other version, so a node that
 * has one of them real finds it outdated by ours and takes ours.
 */
async function supersede (arena: Arena, path: RelPath, file: string, real: IndexEntry, others: Version[]): Promise<void> {
  const now = new Date()
  await utimes(file, now, now)
  const st = await lstat(file)
  if (st.size !== real.size) throw new RealizeError('LOCAL_CHANGED', `${arena.name}:${path}: the file changed while resolving; try again`)
  await arena.index.supersede(path, { hash: real.hash, size: st.size, mtime: st.mtimeMs }, others.map((o) => o.hash))
}
