import { RealizeError } from '../../datastore/types/errors.js'

/**
 * The server will not promise to keep the version real: it does not have
 * it real now, or it is dropping it itself and the caller's PeerId sorts
 * higher. Sent as an error frame; the caller asks the next peer.
 */
export class HoldRefusedError extends RealizeError {
  constructor (message: string) {
    super('HOLD_REFUSED', message)
  }
}
