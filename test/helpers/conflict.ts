import { conflictCopyPath } from '../../node/consensus/winner.js'
import { hashBytes } from '../../node/real/hasher.js'
import { parsePath } from '../../datastore/types/path.js'
import type { TestPeer } from './nodes.js'

/** A fixed mtime for the losing side of a made conflict. */
export const CONFLICT_T0 = Date.UTC(2026, 0, 2, 3, 4, 5)

/**
 * `path` written on both `a` and `b` while b was away (issue 13): b's
 * version, one second later, wins; a's is kept as a conflict copy on both.
 * Resolves with the copy's path once both hold the winner and the copy.
 */
export async function makeConflict (a: TestPeer, b: TestPeer, path: string): Promise<string> {
  await b.stop()
  await a.write(path, `${path} from a`, { mtime: CONFLICT_T0 })
  await a.waitIndexed(path, `${path} from a`)
  await b.write(path, `${path} from b`, { mtime: CONFLICT_T0 + 1000 })
  await b.start()
  const copy = conflictCopyPath(parsePath(path), { hash: hashBytes(Buffer.from(`${path} from a`)), size: 0, mtime: CONFLICT_T0 }, a.peerId)
  for (const n of [a, b]) {
    await n.waitForReal(path, `${path} from b`)
    await n.waitForReal(copy, `${path} from a`)
  }
  return copy
}
