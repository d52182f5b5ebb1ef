import { getAttribute, getAttributeSync, removeAttribute, setAttribute, setAttributeSync } from 'fs-xattr'
import { isMark, type Mark } from '../../datastore/types/mark.js'

/** The xattr a user (or `realize-node mark`) puts on a file or directory {#marksxattrs}. */
export const MARK_XATTR = 'user.realize.mark'

/** What a file's mark xattr says: a mark, nothing, or a value we ignore. */
export type XattrMark =
  | { kind: 'mark', mark: Mark }
  | { kind: 'none' }
  | { kind: 'invalid', value: string }
  | { kind: 'gone' }

export async function readMarkXattr (absPath: string): Promise<XattrMark> {
  try {
    return parse(await getAttribute(absPath, MARK_XATTR))
  } catch (err) {
    return fromError(err)
  }
}

/**
 * The synchronous read, for the catch-up walk: on a warm cache the syscall
 * takes about a microsecond, while an async call costs ten times that in
 * promise and thread-pool overhead (see docs/BENCHMARKS.md, catch-up).
 */
export function readMarkXattrSync (absPath: string): XattrMark {
  try {
    return parse(getAttributeSync(absPath, MARK_XATTR))
  } catch (err) {
    return fromError(err)
  }
}

function parse (raw: Buffer): XattrMark {
  const value = raw.toString('utf8').trim()
  return isMark(value) ? { kind: 'mark', mark: value } : { kind: 'invalid', value }
}

function fromError (err: unknown): XattrMark {
  const code = (err as NodeJS.ErrnoException).code
  if (code === 'ENODATA' || code === 'ENOATTR' || code === 'ENOTSUP') return { kind: 'none' }
  if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'gone' }
  throw err
}

export async function writeMarkXattr (absPath: string, mark: Mark | undefined): Promise<void> {
  if (mark != null) {
    await setAttribute(absPath, MARK_XATTR, mark)
    return
  }
  try {
    await removeAttribute(absPath, MARK_XATTR)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code !== 'ENODATA' && code !== 'ENOATTR') throw err
  }
}

/** The synchronous set, for the catch-up walk (see readMarkXattrSync). */
export function writeMarkXattrSync (absPath: string, mark: Mark): void {
  setAttributeSync(absPath, MARK_XATTR, mark)
}
