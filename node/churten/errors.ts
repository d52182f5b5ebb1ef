import { RealizeError } from '../types/errors.js'

/** The job cannot be done until something changes (no peer has the version): not retried on a timer. */
export class AbandonedError extends RealizeError {
  constructor (message: string, options?: { cause?: unknown }) {
    super('JOB_ABANDONED', message, options)
  }
}

/** The path changed while its job ran: the job stops and is decided again. */
export class CancelledError extends RealizeError {
  constructor (message = 'cancelled') {
    super('JOB_CANCELLED', message)
  }
}
