import { textKey } from '../codecs.js'
import { Table } from '../table.js'
import type { Batch, Store } from '../store.js'
import type { RelPath } from '../types/path.js'

/** A job that failed: how often, and not before when to try again (spec section 6). */
export interface FailedJob {
  failures: number
  /** ms since epoch */
  retryAt: number
  /** The dirty counter the failure was for: a newer change retries at once. */
  counter: number
  /** The error chain, for `status` and the UI. */
  error: string
}

/** `path -> FailedJob`; 8+8+8 bytes then the UTF-8 error (a documented binary layout). */
export const failedJobsTable = new Table<RelPath, FailedJob>('failed-jobs', textKey<RelPath>(), {
  encode: (f) => {
    const msg = Buffer.from(f.error, 'utf8')
    const b = Buffer.alloc(24 + msg.byteLength)
    b.writeDoubleBE(f.failures, 0)
    b.writeDoubleBE(f.retryAt, 8)
    b.writeDoubleBE(f.counter, 16)
    msg.copy(b, 24)
    return b
  },
  decode: (raw) => {
    const b = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength)
    return { failures: b.readDoubleBE(0), retryAt: b.readDoubleBE(8), counter: b.readDoubleBE(16), error: b.subarray(24).toString('utf8') }
  }
})

export class FailedJobsTable {
  constructor (private readonly store: Store) {}

  async get (path: RelPath): Promise<FailedJob | undefined> {
    return await this.store.get(failedJobsTable, path)
  }

  all (): AsyncGenerator<[RelPath, FailedJob]> {
    return this.store.scan(failedJobsTable)
  }

  put (batch: Batch, path: RelPath, f: FailedJob): void {
    batch.put(failedJobsTable, path, f)
  }

  delete (batch: Batch, path: RelPath): void {
    batch.delete(failedJobsTable, path)
  }
}
