import { getAttribute, removeAttribute, setAttribute } from 'fs-xattr'
import { isMark, type Mark } from '../types/mark.js'

/** The xattr a user (or `realize-node mark`) puts on a file or directory {#marksxattrs}. */
export const MARK_XATTR = 'user.realize.mark'

/** What a file's mark xattr says: a mark, nothing, or a value we ignore. */
export type XattrMark =
  | { kind: 'mark', mark: Mark }
  | { kind: 'none' }
  | { kind: 'invalid', value: string }
  | { kind: 'gone' }

export async function readMarkXattr (absPath: string): Promise<XattrMark> {
  let raw: Buffer
  try {
    raw = await getAttribute(absPath, MARK_XATTR)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENODATA' || code === 'ENOATTR' || code === 'ENOTSUP') return { kind: 'none' }
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'gone' }
    throw err
  }
  const value = raw.toString('utf8').trim()
  return isMark(value) ? { kind: 'mark', mark: value } : { kind: 'invalid', value }
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
