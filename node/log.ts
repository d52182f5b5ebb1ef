import { pino, type Logger } from 'pino'
import type { Notices } from './notices.js'

export type { Logger }

/**
 * The node's logger: JSON lines on stderr (pino), one child per component
 * (`log.child({ component: 'watcher', arena })`). Level from REALIZE_LOG
 * (default `info`). With `notices`, warnings and errors are also notices.
 */
export function createLogger (options: { level?: string, destination?: number, notices?: Notices } = {}): Logger {
  const level = options.level ?? process.env.REALIZE_LOG ?? 'info'
  const destination = pino.destination({ fd: options.destination ?? 2, sync: true })
  if (options.notices == null) return pino({ level, base: { pid: process.pid } }, destination)
  // Warnings and errors also go to the control API's notice topic (Notices).
  const streams = pino.multistream([{ level, stream: destination }, { level: 'warn', stream: options.notices.stream }])
  return pino({ level, base: { pid: process.pid } }, streams)
}

/** A logger that drops everything, for library users and tests that do not care. */
export const silentLogger: Logger = pino({ level: 'silent' })
