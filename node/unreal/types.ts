import { InvalidInputError, RealizeError } from '../../datastore/types/errors.js'
import { asHash, type Hash } from '../../datastore/types/hash.js'
import { InvalidPathError, parsePath } from '../../datastore/types/path.js'
import type { Version } from '../../datastore/types/version.js'
import type { UnrealEntryKind } from '../../datastore/tables/unreal-tree.js'

export { ROOT_INODE, type UnrealEntryKind } from '../../datastore/tables/unreal-tree.js'

/** A household peer, by its libp2p PeerId string. */
export type PeerId = string

/**
 * What an operation did: `changed` (something was written and the path
 * marked dirty), `unchanged` (already so), `ignored` (stale or not
 * applicable: an older link, an unlink of a version the peer no longer has,
 * a file where the tree has a directory or the reverse).
 */
export type Outcome = 'changed' | 'unchanged' | 'ignored'

export interface UnrealEntry {
  name: string
  inode: number
  kind: UnrealEntryKind
}

export interface PeerVersion {
  peer: PeerId
  version: Version
}

export interface UnrealDirStat {
  kind: 'dir'
  inode: number
  /** 0 for the root. */
  parent: number
  name: string
  children: number
}

export interface UnrealFileStat {
  kind: 'file'
  inode: number
  parent: number
  name: string
  /** The version served (spec section 3, choosing the served version). */
  chosen: Version
  blobId?: number
  /** The blob of the previously chosen version: a basis for delta downloads. */
  basisBlobId?: number
  /** Hashes chosen before, oldest first. */
  chain: Hash[]
  /** Every peer that has the file, in peer id order. */
  peers: PeerVersion[]
  /** Some peer is on a parallel chain (listed in the conflicts table). */
  conflict: boolean
}

export type UnrealStat = UnrealDirStat | UnrealFileStat

export class UnrealNotFoundError extends RealizeError {
  constructor (what: string) {
    super('NOT_FOUND', `${what}: no such file or directory in the unreal tree`)
  }
}

export class NotADirectoryError extends RealizeError {
  constructor (what: string) {
    super('NOT_A_DIRECTORY', `${what}: not a directory`)
  }
}

/** Peer ids are keys (`<peer>/<inode>`): non-empty, no `/`, no NUL. */
export function checkPeer (peer: unknown): PeerId {
  if (typeof peer !== 'string' || peer === '' || /[/\0]/.test(peer)) {
    throw new InvalidInputError('INVALID_PEER', `invalid peer id ${JSON.stringify(peer)}`)
  }
  return peer
}

export function checkVersion (v: Version): Version {
  if (v == null || typeof v !== 'object') throw new InvalidInputError('INVALID_VERSION', 'invalid version: not an object')
  asHash(v.hash)
  if (!Number.isSafeInteger(v.size) || v.size < 0) throw new InvalidInputError('INVALID_VERSION', `invalid version: size ${v.size}`)
  if (!Number.isFinite(v.mtime)) throw new InvalidInputError('INVALID_VERSION', `invalid version: mtime ${v.mtime}`)
  return { hash: v.hash, size: v.size, mtime: v.mtime }
}

/** A single path component (a name inside a directory). */
export function checkName (name: string): string {
  if (typeof name !== 'string' || name.includes('/')) throw new InvalidPathError(String(name), 'not a single name')
  return parsePath(name)
}
