import { RealizeError } from '../../datastore/types/errors.js'

/** The job cannot be done until something changes (an arena without root cannot realize): not retried on a timer. */
export class AbandonedError extends RealizeError {
  constructor (message: string, options?: { cause?: unknown, code?: string }) {
    super(options?.code ?? 'JOB_ABANDONED', message, options)
  }
}

/**
 * No connected peer has the version (to download it, or to vouch for a copy
 * before unrealizing). The job is abandoned for now and its dirty entry
 * kept: it runs again when a peer connects.
 */
export class NoPeerError extends AbandonedError {
  constructor (message: string) {
    super(message, { code: 'NO_PEER' })
  }
}

/** The path changed while its job ran: the job stops and is decided again. */
export class CancelledError extends RealizeError {
  constructor (message = 'cancelled') {
    super('JOB_CANCELLED', message)
  }
}

/** The downloaded content does not hash to the version, even after repair. */
export class HashMismatchError extends RealizeError {
  constructor (message: string) {
    super('HASH_MISMATCH', message)
  }
}
