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

/**
 * Worker threads run at a lower priority (nice +10, through Piscina's
 * optional @napi-rs/nice) so that on a busy machine the event loop (the
 * control socket, the TUI, every peer's small requests) wins the core when
 * it has something to do: measured with scripts/bench-responsive.ts.
 */
const NICE_INCREMENT = 10

let pool: Piscina | undefined

export function cpuPool (): Piscina {
  pool ??= new Piscina({
    filename: new URL('./cpu-worker.js', import.meta.url).href,
    minThreads: 0,
    maxThreads: Math.max(1, availableParallelism()),
    idleTimeout: IDLE_MS,
    // Tasks are long (a delta streams a whole range): one at a time per thread.
    concurrentTasksPerWorker: 1,
    niceIncrement: NICE_INCREMENT
  })
  return pool
}
