import { join } from 'node:path'
import { RealizeError } from '../../../datastore/types/errors.js'

export const SOCKET_NAME = 'control.sock'
/** sun_path is 108 bytes on Linux, including the terminating NUL. */
export const MAX_SOCKET_PATH = 107

/** `<data>/control.sock` (spec section 7). */
export function socketPath (dataDir: string): string {
  return join(dataDir, SOCKET_NAME)
}

export function checkSocketPath (path: string): void {
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH) {
    throw new RealizeError('SOCKET_PATH_TOO_LONG', `the control socket path ${path} is longer than ${MAX_SOCKET_PATH} bytes, the limit for a unix socket; use a shorter --data directory`)
  }
}
