import { hashEquals, type Hash } from '../../datastore/types/hash.js'
import type { RelPath } from '../../datastore/types/path.js'
import type { Version } from '../../datastore/types/version.js'

/**
 * Conflicts (spec section 6, docs/conflicts.md): which of two or more
 * concurrent versions wins, and the name of the visible copy that keeps a
 * losing version next to the winner.
 *
 * The winner rule uses nothing but the versions themselves, so every node
 * picks the same one whatever it saw first: the highest mtime wins (the
 * later write, as Syncthing and Dropbox decide), and on equal mtimes the
 * larger hash (bytes compared), the tie rule the tree's fallback uses too
 * (node/unreal/chosen.ts).
 */
export function beats (a: Version, b: Version): boolean {
  if (a.mtime !== b.mtime) return a.mtime > b.mtime
  return Buffer.compare(a.hash, b.hash) > 0
}

/** The winner among `versions` (undefined for none). */
export function winnerOf (versions: readonly Version[]): Version | undefined {
  let best: Version | undefined
  for (const v of versions) if (best == null || beats(v, best)) best = v
  return best
}

/**
 * The versions concurrent with nothing newer on their own chain: every
 * version some peer has, less the ones that are earlier versions of a chain
 * (`superseded`: the hashes a real file or the chosen version replaced).
 */
export function contenders (versions: readonly Version[], superseded: readonly Hash[]): Version[] {
  const out: Version[] = []
  for (const v of versions) {
    if (superseded.some((h) => hashEquals(h, v.hash))) continue
    if (out.some((o) => hashEquals(o.hash, v.hash))) continue
    out.push(v)
  }
  return out
}

/**
 * `name.conflict-<date>-<peer>.ext`: `<date>` is the losing version's mtime
 * (UTC, `YYYYMMDD-HHMMSS`), `<peer>` the last 8 characters of the PeerId of
 * the node that kept the copy (the node whose real file held the loser);
 * `.ext` is the name's last extension, if any (a leading dot is not one).
 * `n` > 1 (a name already taken) adds `-n` after the peer.
 */
export function conflictCopyPath (path: RelPath, loser: Version, peerId: string, n = 1): RelPath {
  const slash = path.lastIndexOf('/')
  const dir = path.slice(0, slash + 1)
  const name = path.slice(slash + 1)
  const dot = name.lastIndexOf('.')
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, '']
  const date = new Date(Math.floor(loser.mtime)).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)
  return `${dir}${stem}.conflict-${date}-${shortPeer(peerId)}${n > 1 ? `-${n}` : ''}${ext}` as RelPath
}

/** A PeerId as conflict copy names carry it. */
export function shortPeer (peerId: string): string {
  return peerId.slice(-8)
}

const COPY = /^(.*)\.conflict-(\d{8}-\d{6})-([1-9A-HJ-NP-Za-km-z]{1,8})(?:-(\d+))?((?:\.[^.]*)?)$/

export interface ConflictCopyName {
  /** The path the copy was made for. */
  original: RelPath
  /** `YYYYMMDD-HHMMSS` (UTC): the losing version's mtime. */
  date: string
  /** The short PeerId in the name (shortPeer). */
  peer: string
}

/** The parts of a conflict copy's path, or undefined for any other path. */
export function parseConflictCopy (path: RelPath): ConflictCopyName | undefined {
  const slash = path.lastIndexOf('/')
  const m = COPY.exec(path.slice(slash + 1))
  if (m == null || m[1] === '') return undefined
  return { original: `${path.slice(0, slash + 1)}${m[1] as string}${m[5] as string}` as RelPath, date: m[2] as string, peer: m[3] as string }
}
