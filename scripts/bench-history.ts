/**
 * History catch-up over the network (spec section 5): a publisher whose
 * index holds N files (default 100,000) and a new subscriber on loopback;
 * measures the time from subscribing to the catch-up stored in the
 * subscriber's unreal tree. Reference in the same run: the same listing
 * stored into a fresh unreal tree in-process (`catchupMany` in batches of
 * 1,000), no network: the ratio is what the protocol costs on top of the
 * store. Then live entries: M changes committed on the publisher, time until
 * the subscriber stored the last one.
 *
 *   npx node dist/scripts/bench-history.js [--files 100000] [--live 10000]
 */
import { EventEmitter, once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { pino } from 'pino'
import { ArenaStore } from '../datastore/arena-store.js'
import { GlobalStore } from '../datastore/global-store.js'
import { Network } from '../node/net/network.js'
import { RealIndex, type FileChange } from '../node/real/real-index.js'
import { openLevel } from '../node/stores.js'
import { Sync } from '../node/sync/sync.js'
import { hashBytes } from '../node/real/hasher.js'
import { parseArenaName } from '../datastore/types/arena.js'
import { UnrealTree } from '../node/unreal/unreal-tree.js'
import type { RelPath } from '../datastore/types/path.js'

const arg = (name: string, dflt: number): number => Number(process.argv[process.argv.indexOf(name) + 1] ?? 0) || dflt
const files = arg('--files', 100_000)
const live = arg('--live', 10_000)
const arena = parseArenaName('bench')

function change (i: number, gen: number): FileChange {
  const path = `dir${Math.floor(i / 100)}/file${i % 100}.txt` as RelPath
  return { path, version: { hash: hashBytes(Buffer.from(`${gen}:${i}`)), size: 100 + i, mtime: 1_700_000_000_000 + gen * 1000 + i } }
}

async function side (dir: string, name: string) {
  const store = await ArenaStore.open(await openLevel(join(dir, name, 'arena')))
  const global = await GlobalStore.open(await openLevel(join(dir, name, 'global')))
  const tree = await UnrealTree.open(store, global.inodeRanges, arena)
  const privateKey = await generateKeyPair('Ed25519')
  const events = new EventEmitter()
  const log = pino({ level: 'info' }, { write: (s: string) => { events.emit('line', JSON.parse(s)) } })
  return { store, global, tree, index: new RealIndex(store), identity: { privateKey, peerId: peerIdFromPrivateKey(privateKey) }, events, log }
}

async function main (): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'realize-bench-history-'))
  try {
    const a = await side(dir, 'a')
    const b = await side(dir, 'b')
    let t = performance.now()
    for (let i = 0; i < files; i += 5000) {
      await a.index.apply(Array.from({ length: Math.min(5000, files - i) }, (_, k) => change(i + k, 0)))
    }
    console.log(`publisher index: ${files} files in ${((performance.now() - t) / 1000).toFixed(1)} s`)

    // Reference: the same listing into a fresh tree, in-process.
    const ref = await side(dir, 'ref')
    const listing: Array<{ path: string, version: any }> = []
    for await (const [path, e] of a.store.index.all()) listing.push({ path, version: { hash: e.hash, size: e.size, mtime: e.mtime } })
    t = performance.now()
    await ref.tree.markPeerFiles('ref-peer')
    for (let i = 0; i < listing.length; i += 1000) await ref.tree.catchupMany('ref-peer', listing.slice(i, i + 1000))
    await ref.tree.deleteMarkedFiles('ref-peer')
    const refMs = performance.now() - t

    const arenas = [{ name: arena, mark: 'watch' as const }]
    const netA = await Network.create({ identity: a.identity, listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, peers: [{ name: 'b', id: b.identity.peerId.toString(), addrs: [] }], arenas, log: a.log })
    await netA.start()
    const netB = await Network.create({ identity: b.identity, listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, peers: [{ name: 'a', id: a.identity.peerId.toString(), addrs: netA.addrs }], arenas, log: b.log })
    const syncA = new Sync({ network: netA, arenas: [{ name: arena, store: a.store, index: a.index, tree: a.tree }], inactiveAfterMs: 30 * 86400_000, log: a.log })
    const syncB = new Sync({ network: netB, arenas: [{ name: arena, store: b.store, index: b.index, tree: b.tree }], inactiveAfterMs: 30 * 86400_000, log: b.log })
    await syncA.start()
    const waitFor = async (event: string): Promise<void> => {
      for (;;) {
        const [line] = await once(b.events, 'line')
        if ((line as { event?: string }).event === event) return
      }
    }
    t = performance.now()
    const done = waitFor('history-caught-up')
    await netB.start()
    await syncB.start()
    await done
    const netMs = performance.now() - t
    console.log(`catch-up of ${files} files: over the network ${(netMs / 1000).toFixed(2)} s (${Math.round(files / netMs * 1000)} files/s); in-process reference ${(refMs / 1000).toFixed(2)} s (${Math.round(files / refMs * 1000)} files/s); ratio ${(refMs / netMs * 100).toFixed(0)}%`)

    // Live: changes committed in batches of 500 on a, until b stored the last.
    const progress = async (): Promise<number> => (await b.store.peerProgress.get(a.identity.peerId.toString()))?.lastSeen ?? 0
    t = performance.now()
    for (let i = 0; i < live; i += 500) await a.index.apply(Array.from({ length: Math.min(500, live - i) }, (_, k) => change(i + k, 1)))
    const target = a.store.history.lastN
    while (await progress() < target) await once(b.tree, 'changed')
    const liveMs = performance.now() - t
    console.log(`live: ${live} replacements committed and stored by the subscriber in ${(liveMs / 1000).toFixed(2)} s (${Math.round(live / liveMs * 1000)} entries/s)`)

    await syncB.stop()
    await syncA.stop()
    await netB.stop()
    await netA.stop()
    for (const s of [a, b, ref]) {
      await s.store.close()
      await s.global.close()
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

await main()
