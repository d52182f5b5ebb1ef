import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { startDataServers } from '../../../node/sync/real-source-servers.js'
import { RealSource } from '../../../node/sync/real-source.js'
import { hashBytes } from '../../../node/real/hasher.js'
import { hashEquals, type Hash } from '../../../datastore/types/hash.js'
import { parsePath } from '../../../datastore/types/path.js'
import { FaultPlan } from '../../../protocols/faults.js'
import { testArena, type TestArena } from '../../helpers/arena.js'
import { admit, stopHosts, testHost, type TestHost } from '../../helpers/libp2p.js'
import { until } from '../../helpers/wait.js'
import type { DataClientComponents } from '../../../protocols/common/client.js'

/** The arena every data-protocol test serves (test/helpers/arena.ts names it so). */
export const ARENA = 'test'

/**
 * Two real libp2p hosts on loopback in one household: `server` serves blob,
 * hash and rsync from a real arena (LevelDB index + watcher) through
 * RealSource; `client` asks. `faults` is the server's fault plan.
 */
export interface DataPair {
  server: TestHost
  client: TestHost
  arena: TestArena
  faults: FaultPlan
  /** What the clients need, from the client host. */
  peer: DataClientComponents
  /** Writes a file into the arena root and waits until the index has that version. */
  file: (path: string, content: Uint8Array) => Promise<{ hash: Hash, size: number }>
  stop: () => Promise<void>
}

export async function dataPair (options: { serverArenas?: string[], shared?: string[] } = {}): Promise<DataPair> {
  const arena = await testArena()
  const server = await testHost('server', options.serverArenas ?? [ARENA, 'other'])
  const client = await testHost('client', [ARENA, 'other'])
  await admit(server, client, options.shared)
  await admit(client, server)
  const faults = new FaultPlan()
  const source = new RealSource((name) => name === ARENA ? arena.arena : undefined)
  const unserve = await startDataServers(server.components, { source, faults })
  return {
    server,
    client,
    arena,
    faults,
    peer: { host: client.host, peers: client.household },
    file: async (path, content) => {
      const abs = join(arena.root, path)
      await mkdir(dirname(abs), { recursive: true })
      await writeFile(abs, content)
      const hash = hashBytes(content)
      const index = arena.arena.index
      await until(index, 'history', async () => hashEquals((await index.get(parsePath(path)))?.hash, hash), `${path} indexed`, 20_000)
      return { hash, size: content.byteLength }
    },
    stop: async () => {
      await unserve().catch(() => {})
      await stopHosts(client, server)
      await arena.cleanup()
    }
  }
}

/** Text that compresses like real documents: words, numbers and line structure, not one repeated phrase. */
export function textOf (bytes: number, seed = 1): Buffer {
  const words = ['realize', 'arena', 'peer', 'household', 'blob', 'version', 'hash', 'delta', 'chunk', 'sync', 'the', 'a', 'of', 'to', 'and', 'file', 'mark', 'cache']
  let s = seed >>> 0
  const rand = (): number => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32 }
  const parts: string[] = []
  let n = 0
  while (n < bytes) {
    const line = `${Math.floor(rand() * 100000)}: ${Array.from({ length: 4 + Math.floor(rand() * 10) }, () => words[Math.floor(rand() * words.length)]).join(' ')}\n`
    parts.push(line)
    n += line.length
  }
  return Buffer.from(parts.join('')).subarray(0, bytes)
}

/** Collects a client read into one buffer, checking pieces arrive in order. */
export async function collect (pieces: AsyncIterable<{ offset: number, data: Uint8Array }>, start: number, length: number): Promise<Buffer> {
  const out = Buffer.alloc(length)
  let at = start
  for await (const p of pieces) {
    if (p.offset !== at) throw new Error(`piece at ${p.offset}, expected ${at}`)
    out.set(p.data, p.offset - start)
    at += p.data.byteLength
  }
  if (at !== start + length) throw new Error(`read ended at ${at}, expected ${start + length}`)
  return out
}

/** A whole client read: the bytes and the reader's summary. */
export async function readAll (gen: AsyncGenerator<{ offset: number, data: Uint8Array }, import('../../../protocols/blob/client.js').BlobReadSummary, undefined>, start: number, length: number): Promise<{ data: Buffer, summary: import('../../../protocols/blob/client.js').BlobReadSummary }> {
  const data = Buffer.alloc(length)
  let at = start
  for (;;) {
    const r = await gen.next()
    if (r.done === true) {
      if (at !== start + length) throw new Error(`read ended at ${at}, expected ${start + length}`)
      return { data, summary: r.value }
    }
    if (r.value.offset !== at) throw new Error(`piece at ${r.value.offset}, expected ${at}`)
    data.set(r.value.data, at - start)
    at += r.value.data.byteLength
  }
}
