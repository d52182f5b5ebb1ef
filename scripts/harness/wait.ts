import type { EventEmitter } from 'node:events'

/**
 * Resolves when `check` returns a value other than undefined/false. It is
 * evaluated now and again each time `emitter` emits `event`, so tests wait
 * on what the code reports instead of sleeping. Fails after `ms` with `what`.
 */
export async function until<T> (
  emitter: EventEmitter<any>,
  event: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  ms = 10_000
): Promise<T> {
  return await new Promise<T>((resolve, reject) => {
    let done = false
    let checking = false
    let again = false
    const finish = (err: Error | undefined, value?: T): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      emitter.off(event, onEvent)
      if (err != null) reject(err)
      else resolve(value as T)
    }
    const onEvent = (): void => {
      if (checking) { again = true; return }
      checking = true
      Promise.resolve().then(check).then((v) => {
        checking = false
        if (v !== undefined && v !== false) finish(undefined, v)
        else if (again) { again = false; onEvent() }
      }, (err) => { checking = false; finish(err as Error) })
    }
    const timer = setTimeout(() => { finish(new Error(`timed out after ${ms} ms waiting for ${what}`)) }, ms)
    emitter.on(event, onEvent)
    onEvent()
  })
}
