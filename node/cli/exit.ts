import { CommanderError } from 'commander'
import { ConfigError, describeError, RealizeError } from '../../datastore/types/errors.js'
import { NODE_NOT_RUNNING } from '../control/api/errors.js'

/** realize-node exit codes (spec section 7). */
export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  notRunning: 3
} as const

export type ExitCode = typeof ExitCode[keyof typeof ExitCode]

/**
 * Bad command lines and bad configs are the user's to fix (2); a node that
 * is not running is its own case (3) so scripts can start it; anything
 * else failed while doing the work (1). Commands turn bad arguments into
 * ConfigError with the option as key, so only ConfigError means 2.
 */
export function exitCodeFor (err: unknown): ExitCode {
  if (err instanceof CommanderError) return err.exitCode === 0 ? ExitCode.ok : ExitCode.usage
  if (err instanceof RealizeError && err.code === NODE_NOT_RUNNING) return ExitCode.notRunning
  if (err instanceof ConfigError) return ExitCode.usage
  return ExitCode.failed
}

/** One line on stderr with the whole cause chain; commander has already printed its own errors. */
export function reportError (err: unknown, stderr: NodeJS.WritableStream = process.stderr): void {
  if (err instanceof CommanderError) return
  stderr.write(`error: ${describeError(err)}\n`)
  if (process.env.REALIZE_DEBUG != null && err instanceof Error && err.stack != null) stderr.write(`${err.stack}\n`)
}
