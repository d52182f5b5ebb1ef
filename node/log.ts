import { pino, type Logger } from 'pino'

export type { Logger }

/**
 * The node's logger: JSON lines on stderr (pino), one child per component
 * (`log.child({ component: 'watcher', arena })`). Level from REALIZE_LOG
 * (default `info`).
 */
export function createLogger (options: { level?: string, destination?: number } = {}): Logger {
  return pino({
    level: options.level ?? process.env.REALIZE_LOG ?? 'info',
    base: { pid: process.pid }
  }, pino.destination({ fd: options.destination ?? 2, sync: true }))
}

/** A logger that drops everything, for library users and tests that do not care. */
export const silentLogger: Logger = pino({ level: 'silent' })
