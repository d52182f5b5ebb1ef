import { parentPort, workerData } from 'node:worker_threads'
import { ControlClient } from '../../node/control/api/client.js'

/**
 * The control-socket probe of hostile-load.ts, in a thread of its own so
 * that the load generator's work (building and encrypting 20 MiB
 * signatures) does not count as the node's round trip: `status` again and
 * again until told to stop, then the round trips in ms.
 */
const { dataDir } = workerData as { dataDir: string }
let stop = false
parentPort?.once('message', () => { stop = true })
const client = await ControlClient.connect(dataDir)
const rtts: number[] = []
parentPort?.postMessage({ ready: true })
try {
  while (!stop) {
    const t0 = performance.now()
    await client.call('status')
    rtts.push(performance.now() - t0)
    // A macrotask turn, so the stop message is seen even when replies come at once.
    await new Promise((resolve) => setImmediate(resolve))
  }
} finally {
  await client.close()
}
parentPort?.postMessage({ rtts })
