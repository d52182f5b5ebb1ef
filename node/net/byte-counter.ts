import type { Counter, CounterGroup, Metric, MetricGroup, Metrics, MultiaddrConnection, Stream, Histogram, HistogramGroup, Summary, SummaryGroup } from '@libp2p/interface'

/** Bytes through one connection, as sent on the wire (encrypted, framed). */
export interface ByteCount {
  bytesIn: number
  bytesOut: number
}

const noop = (): void => {}
const metric: Metric & MetricGroup & Counter & CounterGroup & Histogram & HistogramGroup & Summary & SummaryGroup = {
  update: noop, increment: noop, decrement: noop, reset: noop, observe: noop, timer: () => noop
}

/** Payload bytes of one peer's streams of one protocol, both ways, since the node started. */
export interface ProtocolBytes {
  peer: string
  protocol: string
  bytesIn: number
  bytesOut: number
}

/**
 * A libp2p `Metrics` that counts the bytes of every connection {#conninfo},
 * and of every protocol stream per peer and protocol (the metrics
 * endpoint, node/metrics/), and nothing else. libp2p hands each raw connection to
 * `trackMultiaddrConnection` before encryption; the Connection it becomes
 * shares the same `timeline` object, which is what we key on.
 */
export class ByteCounter implements Metrics {
  private readonly counts = new WeakMap<object, ByteCount>()
  private readonly streams = new Map<string, ProtocolBytes>()
  /** The PeerId at the other end of a protocol stream; set by the network once the host exists. */
  peerOfStream: ((stream: Stream) => string | undefined) | undefined

  /** Bytes per peer and protocol (a household is a few peers and protocols: one entry each). */
  protocolBytes (): ProtocolBytes[] {
    return [...this.streams.values()].map((b) => ({ ...b }))
  }

  /** The counts of a connection (by its `timeline`), zero if it was never tracked. */
  of (timeline: object): ByteCount {
    return this.counts.get(timeline) ?? { bytesIn: 0, bytesOut: 0 }
  }

  trackMultiaddrConnection (maConn: MultiaddrConnection): void {
    const count: ByteCount = { bytesIn: 0, bytesOut: 0 }
    this.counts.set(maConn.timeline, count)
    // onData / sendData are the transport's two ends (AbstractMessageStream); wrap them in place.
    countEnds(maConn, count)
  }

  trackProtocolStream (stream: Stream): void {
    const peer = this.peerOfStream?.(stream)
    if (peer == null || stream.protocol == null || stream.protocol === '') return
    const key = `${peer}\0${stream.protocol}`
    let count = this.streams.get(key)
    if (count == null) {
      count = { peer, protocol: stream.protocol, bytesIn: 0, bytesOut: 0 }
      this.streams.set(key, count)
    }
    const c = count
    // The stream's two ends below its read buffer and write queue, as for connections.
    countEnds(stream, c)
  }

  registerMetric (): any { return metric }
  registerMetricGroup (): any { return metric }
  registerCounter (): any { return metric }
  registerCounterGroup (): any { return metric }
  registerHistogram (): any { return metric }
  registerHistogramGroup (): any { return metric }
  registerSummary (): any { return metric }
  registerSummaryGroup (): any { return metric }
  traceFunction (_name: string, fn: any): any { return fn }
  createTrace (): any { return undefined }
}

/**
 * Counts the bytes through a message stream's two ends (AbstractMessageStream's
 * `onData` and `sendData`, below its buffers), wrapping them in place; a
 * stream without them is left alone.
 */
function countEnds (target: object, count: { bytesIn: number, bytesOut: number }): void {
  const s = target as {
    onData?: (data: { byteLength: number }) => void
    sendData?: (data: { byteLength: number }) => { sentBytes: number, canSendMore: boolean }
  }
  if (typeof s.onData !== 'function' || typeof s.sendData !== 'function') return
  const onData = s.onData.bind(s)
  const sendData = s.sendData.bind(s)
  s.onData = (data) => {
    count.bytesIn += data.byteLength
    onData(data)
  }
  s.sendData = (data) => {
    const r = sendData(data)
    count.bytesOut += r.sentBytes
    return r
  }
}
