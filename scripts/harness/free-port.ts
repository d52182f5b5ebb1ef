import { createServer } from 'node:net'

/** A TCP port that was free a moment ago on 127.0.0.1 (a node started on it right after gets it). */
export async function freePort (): Promise<number> {
  return await new Promise<number>((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port
      s.close(() => { resolve(p) })
    })
  })
}
