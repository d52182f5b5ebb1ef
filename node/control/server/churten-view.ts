import { EventEmitter } from 'node:events'
import type { Churten } from '../../churten/churten.js'
import type { ChurtenView } from './sources.js'
import type { ChurtenEvent, ChurtenJob } from '../api/model.js'

/**
 * Churten as the control API sees it (ChurtenView in ./sources.ts): the
 * notification stream turned into job records with their progress, so
 * `churten status`, `churten run` and the TUI show live jobs.
 */
export function churtenView (churten: Churten): ChurtenView {
  const events = new EventEmitter<{ event: [ChurtenEvent] }>()
  const active = new Map<number, ChurtenJob>()
  churten.on('notification', (n) => {
    switch (n.type) {
      case 'running':
        events.emit('event', { type: 'state', running: n.running })
        return
      case 'pending': {
        if (n.job === 'conflict') return
        const job: ChurtenJob = { id: n.id, arena: n.arena, path: n.path, kind: n.job, state: 'pending', action: null, bytes: 0, total: n.bytes }
        active.set(n.id, job)
        events.emit('event', { type: 'pending', job: { ...job } })
        return
      }
      case 'started': {
        const job = active.get(n.id)
        if (job == null) return
        job.state = 'running'
        events.emit('event', { type: 'started', job: { ...job } })
        return
      }
      case 'action': {
        const job = active.get(n.id)
        if (job != null) job.action = n.action
        events.emit('event', { type: 'action', id: n.id, action: n.action })
        return
      }
      case 'progress': {
        const job = active.get(n.id)
        if (job != null) { job.bytes = n.bytes; job.total = n.total }
        events.emit('event', { type: 'progress', id: n.id, bytes: n.bytes, total: n.total })
        return
      }
      case 'ended':
        if (!active.delete(n.id)) return
        events.emit('event', { type: 'ended', id: n.id, outcome: n.result, error: n.error ?? null })
    }
  })
  return {
    events,
    status: async () => ({ available: true, running: churten.isRunning, jobs: active.size, active: [...active.values()].map((j) => ({ ...j })) }),
    start: async () => { churten.start() },
    stop: async () => { await churten.stop() }
  }
}
