import { Kind, type Entry, type File, type Removed } from './history.js'
import { ProtocolViolationError } from '../common/errors.js'
import { asHash, type Hash } from '../../datastore/types/hash.js'
import { hasReservedName, parsePath, RESERVED_PREFIX, type RelPath } from '../../datastore/types/path.js'
import type { HistoryEntry, HistoryNotification } from '../../datastore/types/history.js'
import type { Version } from '../../datastore/types/version.js'

/** Between wire records and the node's types; everything from a peer is validated here (spec section 8). */

const EMPTY = new Uint8Array(0)

export function entryToWire ({ n, notification: x }: HistoryEntry): Entry {
  const kind = x.kind === 'add' ? Kind.ADD : x.kind === 'replace' ? Kind.REPLACE : x.kind === 'remove' ? Kind.REMOVE : Kind.DROP
  return {
    n,
    kind,
    path: x.path,
    size: 'size' in x ? x.size : 0,
    mtime: 'mtime' in x ? x.mtime : 0,
    hash: ('hash' in x ? x.hash : EMPTY) as Uint8Array<ArrayBuffer>,
    oldHash: ('oldHash' in x ? x.oldHash : EMPTY) as Uint8Array<ArrayBuffer>
  }
}

function checked<T> (what: string, f: () => T): T {
  try {
    return f()
  } catch (err) {
    // The reason is the cause, printed after this message once {#errormsg}; not copied into it too.
    throw new ProtocolViolationError(`invalid ${what} from peer`, { cause: err })
  }
}

function size (what: string, n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new ProtocolViolationError(`invalid ${what} from peer: size ${n}`)
  return n
}

function mtime (what: string, t: number): number {
  if (!Number.isFinite(t)) throw new ProtocolViolationError(`invalid ${what} from peer: mtime ${t}`)
  return t
}

function path (what: string, p: string): RelPath {
  const parsed = checked(what, () => parsePath(p))
  if (hasReservedName(parsed)) throw new ProtocolViolationError(`invalid ${what} from peer: ${JSON.stringify(p)} has a name starting with ${RESERVED_PREFIX}, which is reserved for the node's own files`)
  return parsed
}

function hash (what: string, h: Uint8Array): Hash {
  // Copied: the frame's buffer is reused, and hashes are kept.
  return checked(what, () => asHash(Uint8Array.from(h)))
}

export function entryFromWire (e: Entry): HistoryEntry {
  if (!Number.isSafeInteger(e.n) || e.n <= 0) throw new ProtocolViolationError(`invalid history entry from peer: n ${e.n}`)
  const p = path('history entry', e.path)
  let notification: HistoryNotification
  switch (e.kind) {
    case Kind.ADD:
      notification = { kind: 'add', path: p, size: size('history entry', e.size), mtime: mtime('history entry', e.mtime), hash: hash('history entry', e.hash) }
      break
    case Kind.REPLACE:
      notification = { kind: 'replace', path: p, size: size('history entry', e.size), mtime: mtime('history entry', e.mtime), hash: hash('history entry', e.hash), oldHash: hash('history entry', e.oldHash) }
      break
    case Kind.REMOVE:
      notification = { kind: 'remove', path: p, oldHash: hash('history entry', e.oldHash) }
      break
    case Kind.DROP:
      notification = { kind: 'drop', path: p, oldHash: hash('history entry', e.oldHash) }
      break
    default:
      throw new ProtocolViolationError(`invalid history entry from peer: kind ${String(e.kind)}`)
  }
  return { n: e.n, notification }
}

export interface ListedFile {
  path: RelPath
  version: Version
  /** The hashes `version` replaced at the path, newest first (the publisher's index `previous`). */
  previous?: Hash[]
}

/** Replaced hashes kept from a listed file: the publisher keeps as many (PREVIOUS_KEPT), a hostile one gets no more. */
const PREVIOUS_LISTED = 8

export function fileToWire (f: ListedFile): File {
  return { path: f.path, size: f.version.size, mtime: f.version.mtime, hash: f.version.hash as Uint8Array<ArrayBuffer>, previous: (f.previous ?? []) as Array<Uint8Array<ArrayBuffer>> }
}

export function fileFromWire (f: File): ListedFile {
  const listed: ListedFile = { path: path('catch-up file', f.path), version: { hash: hash('catch-up file', f.hash), size: size('catch-up file', f.size), mtime: mtime('catch-up file', f.mtime) } }
  if (f.previous.length > 0) listed.previous = f.previous.slice(0, PREVIOUS_LISTED).map((h) => hash('catch-up file', h))
  return listed
}

/** A path the publisher deleted, with the hashes the file had (its tombstone). */
export interface ListedRemoval {
  path: RelPath
  hashes: Hash[]
}

/** A tombstone holds at most this many hashes (PREVIOUS_KEPT); more is a hostile peer. */
export const MAX_REMOVED_HASHES = 16

export function removedToWire (r: ListedRemoval): Removed {
  return { path: r.path, hashes: r.hashes as Array<Uint8Array<ArrayBuffer>> }
}

export function removedFromWire (r: Removed): ListedRemoval {
  if (r.hashes.length === 0 || r.hashes.length > MAX_REMOVED_HASHES) throw new ProtocolViolationError(`invalid catch-up removal from peer: ${r.hashes.length} hashes`)
  return { path: path('catch-up removal', r.path), hashes: r.hashes.map((h) => hash('catch-up removal', h)) }
}

/** Rough wire size, for batching by bytes. */
export function approxBytes (path: string): number {
  return path.length * 3 + 96
}
