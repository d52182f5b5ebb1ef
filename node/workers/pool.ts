import { availableParallelism } from 'node:os'
import { Piscina } from 'piscina'

/**
 * The process's pool of worker threads for CPU work that would otherwise
 * hold the event loop (docs/decisions.md, "CPU work off the event loop"):
 * one thread per core (os.availableParallelism()), made on first use and
 * shared by every node in the process. Idle threads do not keep the
 * process alive and end after IDLE_MS.
 */
const IDLE_MS = 30_000

let pool: Piscina | undefined

export function cpuPool (): Piscina {
  pool ??= new Piscina({
    filename: new URL('./cpu-worker.js', import.meta.url).href,
    minThreads: 0,
    maxThreads: Math.max(1, availableParallelism()),
    idleTimeout: IDLE_MS,
    // Tasks are long (a delta streams a whole range): one at a time per thread.
    concurrentTasksPerWorker: 1
  })
  return pool
}
