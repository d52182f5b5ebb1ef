import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client'
import type { ProtocolBytes } from '../net/byte-counter.js'

/**
 * What the metrics endpoint reads, and nothing more: values are read when
 * Prometheus scrapes (gauges and the byte counters by `collect`), except
 * jobs, which are counted as churten reports them ended.
 */
export interface MetricsViews {
  /** Payload bytes per peer (PeerId) and protocol since the node started. */
  protocolBytes: () => ProtocolBytes[]
  /** A PeerId's household name, or the id itself. */
  peerName: (peerId: string) => string
  /** Calls `listener` with each ended job's kind and result; returns the unsubscribe. */
  onJobEnded: (listener: (kind: string, result: string) => void) => () => void
  cache: () => { used: number, capacity: number }
  /** Per arena: files in the index of the real, and dirty paths waiting for churten. */
  arenas: () => Promise<Array<{ name: string, indexFiles: number, dirtyPaths: number }>>
  churten: () => { running: boolean, jobs: number }
}

/** One registry per node (not prom-client's global one): two nodes in one process stay apart. */
export function metricsRegistry (v: MetricsViews): { registry: Registry, close: () => void } {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  new Counter({
    name: 'realize_peer_bytes_total',
    help: 'Payload bytes exchanged with a household peer, by protocol and direction (in: received)',
    labelNames: ['peer', 'protocol', 'direction'] as const,
    registers: [registry],
    // Counted by the network (node/net/byte-counter.ts); copied in at each scrape.
    collect () {
      this.reset()
      for (const b of v.protocolBytes()) {
        const peer = v.peerName(b.peer)
        this.inc({ peer, protocol: b.protocol, direction: 'in' }, b.bytesIn)
        this.inc({ peer, protocol: b.protocol, direction: 'out' }, b.bytesOut)
      }
    }
  })
  const jobs = new Counter({
    name: 'realize_jobs_total',
    help: 'Churten jobs ended, by kind and result',
    labelNames: ['kind', 'result'] as const,
    registers: [registry]
  })
  const unsubscribe = v.onJobEnded((kind, result) => { jobs.inc({ kind, result }) })
  new Gauge({
    name: 'realize_cache_used_bytes',
    help: 'Bytes held by the blob cache',
    registers: [registry],
    collect () { this.set(v.cache().used) }
  })
  new Gauge({
    name: 'realize_cache_capacity_bytes',
    help: 'Capacity of the blob cache ([cache] capacity)',
    registers: [registry],
    collect () { this.set(v.cache().capacity) }
  })
  const arenas = async (): Promise<Array<{ name: string, indexFiles: number, dirtyPaths: number }>> => await v.arenas()
  new Gauge({
    name: 'realize_index_files',
    help: 'Files in the index of the real, by arena',
    labelNames: ['arena'] as const,
    registers: [registry],
    async collect () {
      for (const a of await arenas()) this.set({ arena: a.name }, a.indexFiles)
    }
  })
  new Gauge({
    name: 'realize_churten_dirty_paths',
    help: 'Paths waiting for churten to decide or run their job, by arena',
    labelNames: ['arena'] as const,
    registers: [registry],
    async collect () {
      for (const a of await arenas()) this.set({ arena: a.name }, a.dirtyPaths)
    }
  })
  new Gauge({
    name: 'realize_churten_jobs_running',
    help: 'Churten jobs running now',
    registers: [registry],
    collect () { this.set(v.churten().jobs) }
  })
  new Gauge({
    name: 'realize_churten_running',
    help: '1 while churten runs, 0 while it is stopped',
    registers: [registry],
    collect () { this.set(v.churten().running ? 1 : 0) }
  })
  return { registry, close: unsubscribe }
}
