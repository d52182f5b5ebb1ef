import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { parseArgs } from 'node:util'
import { createHost, type RealizeHost } from '../../node/net/host.js'
import { subscribeHistory, type HistorySink, HISTORY_PROTOCOL } from '../../protocols/history/index.js'
import { readBlob, BLOB_PROTOCOL } from '../../protocols/blob/index.js'
import { hashRanges, HASH_PROTOCOL } from '../../protocols/hash/index.js'
import { RSYNC_PROTOCOL } from '../../protocols/rsync/index.js'
import { hashFromHex } from '../../datastore/types/hash.js'
import { describeError } from '../../datastore/types/errors.js'
import { asError } from '../../protocols/common/errors.js'

/**
 * A stranger on the household's LAN (spec section 8): a libp2p node with a
 * fresh key, the same stack and mDNS service tag as Realize, that tries to
 * get in. It finds the household's nodes by mDNS (or is told where they
 * are), dials each, and tries every Realize protocol with a real request
 * for a file it knows exists: history of the arena, the file's bytes,
 * hashes of its ranges, a raw rsync stream. Prints one JSON report on
 * stdout; exit 0 whatever happened (the test judges the report).
 *
 *   node stranger.js --arena shared --path f.txt --hash HEX --size N
 *                    [--expect K] [--discover-ms MS] [--target PEERID@MULTIADDR]...
 */
export interface StrangerReport {
  peerId: string
  /** Peers mDNS showed us (PeerId and addresses). */
  discovered: Array<{ peerId: string, addrs: string[] }>
  /** Per target PeerId: what each attempt got ('ok ...' or the error chain). */
  targets: Record<string, { dial: string, protocols: Record<string, string>, history: string, blob: string, hash: string, leaked: { files: number, entries: number, bytes: number } }>
}

const TRY_MS = 8_000

async function main (): Promise<void> {
  const { values } = parseArgs({
    options: {
      arena: { type: 'string', default: 'shared' },
      path: { type: 'string' },
      hash: { type: 'string' },
      size: { type: 'string', default: '1' },
      expect: { type: 'string', default: '0' },
      'discover-ms': { type: 'string', default: '15000' },
      target: { type: 'string', multiple: true, default: [] }
    }
  })
  const privateKey = await generateKeyPair('Ed25519')
  // No gater: a stranger dials whoever it likes.
  const { host } = await createHost({ privateKey, listen: ['/ip4/0.0.0.0/tcp/0'], gater: {}, mdns: true, mdnsIntervalMs: 1_000 })
  const discovered = new Map<string, string[]>()
  host.addEventListener('peer:discovery', (evt) => { discovered.set(evt.detail.id.toString(), evt.detail.multiaddrs.map(String)) })
  await host.start()
  const report: StrangerReport = { peerId: host.peerId.toString(), discovered: [], targets: {} }
  try {
    const targets = new Map<string, string | undefined>()
    for (const t of values.target) {
      const [id, addr] = t.split('@')
      targets.set(id as string, addr)
    }
    const expect = Number(values.expect)
    const until = Date.now() + Number(values['discover-ms'])
    while (targets.size === 0 && discovered.size < expect && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 100))
    report.discovered = [...discovered].map(([peerId, addrs]) => ({ peerId, addrs }))
    if (targets.size === 0) for (const id of discovered.keys()) targets.set(id, undefined)
    for (const [id, addr] of targets) {
      report.targets[id] = await attack(host, id, addr, { arena: values.arena, path: values.path ?? 'x', hash: values.hash, size: Number(values.size) })
    }
  } finally {
    await host.stop()
  }
  process.stdout.write(`${JSON.stringify(report)}\n`)
}

async function attempt (what: () => Promise<string>): Promise<string> {
  try {
    return `ok ${await what()}`
  } catch (err) {
    return describeError(asError(err))
  }
}

async function attack (host: RealizeHost, id: string, addr: string | undefined, req: { arena: string, path: string, hash: string | undefined, size: number }): Promise<StrangerReport['targets'][string]> {
  const peerId = peerIdFromString(id)
  const leaked = { files: 0, entries: 0, bytes: 0 }
  const signal = (): AbortSignal => AbortSignal.timeout(TRY_MS)
  const dial = await attempt(async () => (await host.dial(addr != null ? multiaddr(addr) : peerId, { signal: signal() })).remoteAddr.toString())
  const protocols: Record<string, string> = {}
  for (const p of [HISTORY_PROTOCOL, BLOB_PROTOCOL, HASH_PROTOCOL, RSYNC_PROTOCOL]) {
    protocols[p] = await attempt(async () => {
      const s = await host.dialProtocol(peerId, p, { signal: signal() })
      // Opened: does anything come back for a few garbage bytes?
      s.send(new Uint8Array([3, 1, 2, 3]))
      let got = 0
      for await (const chunk of s) got += chunk.byteLength
      leaked.bytes += got
      return `stream opened, ${got} bytes back`
    })
  }
  const sink: HistorySink = {
    started: async () => {},
    catchupFiles: async (files) => { leaked.files += files.length },
    catchupRemoved: async () => {},
    catchupComplete: async () => {},
    entries: async (_storeId, entries) => { leaked.entries += entries.length }
  }
  const history = await attempt(async () => {
    await subscribeHistory(host, { name: 'target', id }, req.arena, { storeId: undefined, lastSeen: 0 }, sink, { signal: signal() })
    return `subscription ended, ${leaked.files} files, ${leaked.entries} entries`
  })
  const components = { host }
  const hash = hashFromHex(req.hash ?? '00'.repeat(32))
  const blob = await attempt(async () => {
    let bytes = 0
    for await (const piece of readBlob(components, id, { arena: req.arena, path: req.path, hash, offset: 0, length: req.size }, { signal: signal() })) bytes += piece.data.byteLength
    leaked.bytes += bytes
    return `${bytes} bytes`
  })
  const hashed = await attempt(async () => {
    const r = await hashRanges(components, id, { arena: req.arena, path: req.path, hash, ranges: [{ offset: 0, length: req.size }] }, { localSize: req.size, signal: signal() })
    return `${r.length} ranges hashed`
  })
  return { dial, protocols, history, blob, hash: hashed, leaked }
}

main().catch((err) => {
  process.stderr.write(`stranger: ${describeError(err)}\n`)
  process.exitCode = 1
})
