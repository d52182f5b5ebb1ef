import type { ChurtenAction, ChurtenEvent, ChurtenJob, JobOutcome } from './model.js'

/**
 * Churten jobs as a viewer follows them from the notification stream:
 * what each job is, its progress and its rate. Pure (time is passed in),
 * so the TUI's reducer and `churten run` share it.
 */
export interface JobView {
  job: ChurtenJob
  action: ChurtenAction | null
  bytes: number
  total: number
  /** Bytes per second since the job's first progress report. */
  rate: number
  /** When the first progress arrived, and how many bytes it reported. */
  firstAt: number | null
  firstBytes: number
  outcome: JobOutcome | null
  error: string | null
}

export function viewOf (job: ChurtenJob): JobView {
  return { job, action: job.action, bytes: job.bytes, total: job.total, rate: 0, firstAt: null, firstBytes: job.bytes, outcome: null, error: null }
}

/** The jobs after `event` at time `now` (ms); ended jobs are removed. Returns the same map when nothing changed. */
export function applyJobEvent (jobs: ReadonlyMap<number, JobView>, event: ChurtenEvent, now: number): Map<number, JobView> {
  const next = new Map(jobs)
  switch (event.type) {
    case 'state':
      if (!event.running) return new Map([...next].filter(([, j]) => j.job.state === 'pending'))
      return next
    case 'pending':
    case 'started': {
      const old = next.get(event.job.id)
      const job = { ...event.job, state: event.type === 'started' ? 'running' as const : 'pending' as const }
      next.set(job.id, old == null ? viewOf(job) : { ...old, job })
      return next
    }
    case 'action': {
      const old = next.get(event.id)
      if (old != null) next.set(event.id, { ...old, action: event.action })
      return next
    }
    case 'progress': {
      const old = next.get(event.id)
      if (old == null) return next
      const firstAt = old.firstAt ?? now
      const firstBytes = old.firstAt == null ? event.bytes : old.firstBytes
      const secs = (now - firstAt) / 1000
      const rate = secs > 0 ? (event.bytes - firstBytes) / secs : old.rate
      next.set(event.id, { ...old, bytes: event.bytes, total: event.total, rate, firstAt, firstBytes })
      return next
    }
    case 'ended':
      next.delete(event.id)
      return next
  }
}
