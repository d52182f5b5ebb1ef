/**
 * The raw libp2p reference's server: a separate process (the spec's "two
 * processes on loopback") with the node's own stack (TCP + Noise + Yamux,
 * node/net/host.ts) that sends the requested number of bytes from memory on
 * a bench-only protocol. Started by scripts/bench/references.ts.
 */
import { privateKeyFromProtobuf } from '@libp2p/crypto/keys'
import { guardFlowControl } from '../../protocols/common/flow-control.js'
import { rawHost, RAW_PROTOCOL } from './references.js'
import type { Ed25519PrivateKey } from '../../node/identity/identity.js'
import type { Stream } from '@libp2p/interface'

const MiB = 1024 * 1024

async function serveRaw (stream: Stream): Promise<void> {
  guardFlowControl(stream)
  const request = await new Promise<Uint8Array>((resolve) => {
    stream.addEventListener('message', (evt) => { resolve(evt.data.subarray()) }, { once: true })
  })
  const length = Number(new DataView(request.buffer, request.byteOffset).getBigUint64(0))
  const memory = Buffer.alloc(64 * MiB, 0x5a)
  for (let sent = 0; sent < length;) {
    const n = Math.min(256 * 1024, length - sent)
    const at = sent % memory.byteLength
    // Real backpressure, like the blob server (protocols/blob/flow-control.ts).
    if (!stream.send(memory.subarray(at, at + n))) await stream.onDrain()
    sent += n
  }
  await stream.close()
}

const args = JSON.parse(process.argv[2]!) as { key: string, parent: string }
const h = await rawHost(privateKeyFromProtobuf(Buffer.from(args.key, 'hex')) as Ed25519PrivateKey, args.parent)
await h.handle(RAW_PROTOCOL, (stream) => { void serveRaw(stream).catch((err) => { stream.abort(err as Error) }) })
process.send!({ addrs: h.getMultiaddrs().map(String) })
process.on('disconnect', () => { void Promise.resolve(h.stop()).then(() => process.exit(0)) })
