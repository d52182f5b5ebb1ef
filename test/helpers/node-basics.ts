import { EventEmitter } from 'node:events'
import { createServer } from 'node:net'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { pino } from 'pino'
import type { RunNodeOptions } from '../../node/node.js'
import type { Identity } from '../../node/identity/identity.js'
import type { Logger } from '../../node/log.js'

/** What every in-process node fixture needs: a log tests can wait on, a key, a free port, fast network timings. */

export interface LogLine { level: number, msg: string, event?: string, [key: string]: unknown }

/** A pino logger whose lines tests can wait on (`until(log.events, 'line', ...)`). */
export function captureLogger (): { log: Logger, lines: LogLine[], events: EventEmitter<{ line: [LogLine] }> } {
  const lines: LogLine[] = []
  const events = new EventEmitter<{ line: [LogLine] }>()
  const log = pino({ level: process.env.REALIZE_TEST_LOG ?? 'debug' }, {
    write (s: string) {
      const line = JSON.parse(s) as LogLine
      lines.push(line)
      if (process.env.REALIZE_TEST_LOG != null) process.stderr.write(s)
      events.emit('line', line)
    }
  })
  return { log, lines, events }
}

export async function newIdentity (): Promise<Identity> {
  const privateKey = await generateKeyPair('Ed25519')
  return { privateKey, peerId: peerIdFromPrivateKey(privateKey) }
}

/** A TCP port that was free a moment ago on both loopbacks (restarted nodes keep their port). */
export async function freePort (): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = createServer()
      s.once('error', reject)
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port
        s.close(() => { resolve(p) })
      })
    })
    const v6Free = await new Promise<boolean>((resolve) => {
      const s = createServer()
      s.once('error', () => { resolve(false) })
      s.listen(port, '::1', () => { s.close(() => { resolve(true) }) })
    })
    if (v6Free) return port
  }
}

/** Quick reconnects and pings so tests see changes in well under a second. */
export const FAST: NonNullable<RunNodeOptions['network']> = { minBackoffMs: 100, maxBackoffMs: 1_000, mdnsIntervalMs: 1_000, pingIntervalMs: 2_000, trimDelayMs: 50 }
