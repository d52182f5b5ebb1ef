import type { NodeEvent } from '../node/control/api/model.js'
import type { LogLine } from './state.js'

/** The notification log's line for a node event; undefined for events too frequent to log (progress). */
export function logLineOf (e: NodeEvent, at: number): LogLine | undefined {
  const line = (text: string, level: LogLine['level'] = 'info'): LogLine => ({ at, level, text })
  switch (e.type) {
    case 'index': {
      const what = e.paths.slice(0, 3).join(', ') + (e.count > 3 ? ` and ${e.count - 3} more` : '')
      return line(`${e.arena}: ${e.count} ${e.source === 'real' ? 'local' : 'remote'} change${e.count === 1 ? '' : 's'} (${what})`)
    }
    case 'marks':
      return line(e.changes.map((c) => `${e.arena}:${c.path} ${c.mark == null ? 'mark removed' : `marked ${c.mark}`}`).join('; '))
    case 'peers': {
      const who = e.name ?? e.peerId
      if (e.kind === 'discovered') return line(`discovered ${who} on the LAN (not in the household; select it in Peers and press a to add it)`)
      return line(`${who} ${e.kind}`, e.kind === 'disconnected' ? 'warn' : 'info')
    }
    case 'household':
      return line(`peer ${e.peer.name} ${e.change} (${e.peer.peerId})`)
    case 'notice':
      return line(e.message, e.level)
    case 'churten': {
      const c = e.event
      switch (c.type) {
        case 'state': return line(`churten ${c.running ? 'started' : 'stopped'}`)
        case 'started': return line(`job ${c.job.id} started: ${c.job.kind} ${c.job.arena}:${c.job.path}`)
        case 'ended': return line(`job ${c.id} ${c.outcome}${c.error == null ? '' : `: ${c.error}`}`, c.outcome === 'failed' ? 'error' : 'info')
        default: return undefined
      }
    }
  }
}
