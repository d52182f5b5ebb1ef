import { rsyncRange, type RsyncBasis, type RsyncOptions, type RsyncRangeRequest, type RsyncResult } from './client.js'
import { readBlobInto } from '../blob/client.js'
import type { DataClientComponents } from '../common/client.js'
import type { Compression } from '../blob/blob.js'
import type { WriteFn } from './algorithm/index.js'

export interface RepairResult {
  /** `unchanged`: already right; `rsync`: rebuilt by a delta; `copy`: read whole after rsync failed. */
  method: 'unchanged' | 'rsync' | 'copy'
  rsync?: RsyncResult
  /** Why rsync was not enough, when method is `copy`. */
  rsyncError?: Error
}

export interface RepairOptions extends RsyncOptions {
  /** For the plain copy. @default the blob client's */
  accept?: readonly Compression[]
}

/**
 * Makes a local range equal to the peer's (spec section 6, download:
 * "repair mismatching ranges with rsync"): rsync against what is there; if
 * the rebuilt bytes do not hash to the peer's range (a bad rsync chunk) or
 * the delta is unusable, fall back to a plain copy of the range
 * {#testretries}. Failures that a copy would not fix (the version changed,
 * the peer is gone, our writes fail) are thrown as they are.
 *
 * `write` takes offsets relative to the range start, like rsync's.
 */
export async function repairRange (components: DataClientComponents, peerId: string, req: RsyncRangeRequest, basis: RsyncBasis, write: WriteFn, options: RepairOptions = {}): Promise<RepairResult> {
  try {
    const rsync = await rsyncRange(components, peerId, req, basis, write, options)
    return { method: rsync.unchanged ? 'unchanged' : 'rsync', rsync }
  } catch (err) {
    const code = (err as { code?: string }).code
    if (code !== 'RSYNC_MISMATCH' && code !== 'BAD_DELTA') throw err
    await readBlobInto(components, peerId, req, async (data, offset) => { await write(data, offset - req.offset) }, {
      signal: options.signal, accept: options.accept, faults: options.faults, throttle: options.throttle
    })
    return { method: 'copy', rsyncError: err as Error }
  }
}
