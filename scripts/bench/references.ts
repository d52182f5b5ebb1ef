/**
 * Reference ceilings for the side-by-side suite: what the machine can do
 * with no sync tool in the way.
 *
 *   raw libp2p   a stream on the node's stack (TCP + Noise + Yamux) from a
 *                child process (raw-child.ts) to this one, sent from memory
 *                and counted: the spec's reference for the 1 GiB goal.
 *   cp           `cp` of the same 1 GiB file on the same file system (page
 *                cache warm, as it is for every tool that reads the source).
 *   sha256       node:crypto SHA-256 over 1 GiB in memory: the hashing every
 *                tool that verifies pays at least once.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { generateKeyPair, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { createHost, type RealizeHost } from '../../node/net/host.js'
import { Household } from '../../node/net/household.js'
import { parseArenaName } from '../../datastore/types/arena.js'
import { guardFlowControl } from '../../protocols/common/flow-control.js'
import { adopt, exec, flush, MiB } from './common.js'
import type { Ed25519PrivateKey } from '../../node/identity/identity.js'

export const RAW_PROTOCOL = '/realize-bench/raw/1.0.0'

/** A bare host that accepts only `peer` (the household gater is how the node's stack admits peers). */
export async function rawHost (key: Ed25519PrivateKey, peer: string): Promise<RealizeHost> {
  const household = new Household([{ name: 'other', id: peer, addrs: [] }], [{ name: parseArenaName('bench'), mark: 'watch' }])
  const { host } = await createHost({ privateKey: key, listen: ['/ip4/127.0.0.1/tcp/0'], gater: household.gater(), mdns: false })
  await host.start()
  return host
}

export interface Raw {
  /** Seconds to receive `size` bytes from the child. */
  read: (size: number) => Promise<number>
  close: () => Promise<void>
}

export async function startRaw (): Promise<Raw> {
  const myKey = await generateKeyPair('Ed25519')
  const childKey = await generateKeyPair('Ed25519')
  const childId = peerIdFromPrivateKey(childKey).toString()
  const me = await rawHost(myKey, childId)
  const proc: ChildProcess = fork(fileURLToPath(new URL('./raw-child.js', import.meta.url)), [JSON.stringify({
    key: Buffer.from(privateKeyToProtobuf(childKey)).toString('hex'), parent: peerIdFromPrivateKey(myKey).toString()
  })], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  adopt(proc)
  const { addrs } = await new Promise<{ addrs: string[] }>((resolve, reject) => {
    proc.once('message', (m) => { resolve(m as { addrs: string[] }) })
    proc.once('exit', (code) => { reject(new Error(`raw server exited with ${code}`)) })
  })
  await me.peerStore.merge(peerIdFromString(childId), { multiaddrs: addrs.map((a) => multiaddr(a)) })
  return {
    read: async (size) => {
      const t0 = performance.now()
      const stream = await me.dialProtocol(peerIdFromString(childId), RAW_PROTOCOL)
      guardFlowControl(stream)
      const req = new Uint8Array(8)
      new DataView(req.buffer).setBigUint64(0, BigInt(size))
      stream.send(req)
      let got = 0
      for await (const chunk of stream) got += chunk.byteLength
      if (got !== size) throw new Error(`raw read got ${got} of ${size} bytes`)
      return (performance.now() - t0) / 1000
    },
    close: async () => {
      if (proc.connected) proc.disconnect()
      await me.stop()
    }
  }
}

/** Seconds for `cp src dst` (dst removed afterwards); the source's pages are cached, as after any write. */
export async function cpSeconds (src: string, dst: string): Promise<number> {
  await flush()
  const t0 = performance.now()
  await exec('cp', [src, dst])
  const s = (performance.now() - t0) / 1000
  await rm(dst, { force: true })
  return s
}

/** Seconds for node:crypto SHA-256 over `size` bytes already in memory (a 64 MiB buffer, repeated). */
export function sha256Seconds (size: number): number {
  const buf = Buffer.alloc(Math.min(size, 64 * MiB), 0x5a)
  const t0 = performance.now()
  const h = createHash('sha256')
  for (let off = 0; off < size; off += buf.byteLength) h.update(buf.subarray(0, Math.min(buf.byteLength, size - off)))
  h.digest()
  return (performance.now() - t0) / 1000
}
