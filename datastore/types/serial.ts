/**
 * Runs tasks one at a time, in the order they were given: each starts after
 * the previous one settled, whether it succeeded or failed. A failure goes
 * to its own caller only; the queue goes on. One helper for every "one
 * writer at a time" chain (store writes, config edits, checkpoints, cache
 * reservations, a token bucket's takers), instead of a hand-kept promise
 * tail in each.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve()

  run<T> (task: () => Promise<T> | T): Promise<T> {
    const run = this.tail.then(async () => await task())
    this.tail = run.catch(() => {})
    return run
  }

  /** Settles once every task given so far has. */
  async idle (): Promise<void> {
    await this.tail
  }
}
