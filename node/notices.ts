import { EventEmitter } from 'node:events'

export interface Notice {
  level: 'warn' | 'error'
  message: string
}

/** Log lines already shown to users another way (churten's own events). */
const SHOWN_ELSEWHERE = new Set(['job-ended'])

/** Context fields worth a place in a one-line notice, in this order. */
const CONTEXT = ['arena', 'peer', 'path', 'file'] as const

/**
 * Warnings and errors the node logs, as they happen: the control API's
 * `notice` topic, which the TUI's log pane shows. A pino destination
 * (`stream`) fed only lines at warn and above, so the cost is one JSON parse
 * per warning.
 */
export class Notices extends EventEmitter<{ notice: [Notice] }> {
  readonly stream = { write: (line: string): void => { this.line(line) } }

  private line (line: string): void {
    let l: Record<string, unknown>
    try {
      l = JSON.parse(line) as Record<string, unknown>
    } catch {
      return
    }
    if (typeof l.event === 'string' && SHOWN_ELSEWHERE.has(l.event)) return
    const level = Number(l.level) >= 50 ? 'error' : 'warn'
    const context = CONTEXT.flatMap((k) => typeof l[k] === 'string' ? [`${k} ${l[k] as string}`] : [])
    const err = typeof l.err === 'string' ? `: ${l.err}` : ''
    // Log messages carry no spec tags (they sit in comments beside the call).
    const msg = String(l.msg ?? '')
    this.emit('notice', { level, message: `${msg}${context.length > 0 ? ` (${context.join(', ')})` : ''}${err}` })
  }
}
