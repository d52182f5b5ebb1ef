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

/**
 * A libp2p `Metrics` that counts the bytes of every connection {#conninfo}
 * and nothing else. libp2p hands each raw connection to
 * `trackMultiaddrConnection` before encryption; the Connection it becomes
 * shares the same `timeline` object, which is what we key on.
 */
export class ByteCounter implements Metrics {
  private readonly counts = new WeakMap<object, ByteCount>()

  /** The counts of a connection (by its `timeline`), zero if it was never tracked. */
  of (timeline: object): ByteCount {
    return this.counts.get(timeline) ?? { bytesIn: 0, bytesOut: 0 }
  }

  trackMultiaddrConnection (maConn: MultiaddrConnection): void {
    const count: ByteCount = { bytesIn: 0, bytesOut: 0 }
    this.counts.set(maConn.timeline, count)
    // onData / sendData are the transport's two ends (AbstractMessageStream); wrap them in place.
    const conn = maConn as unknown as {
      onData: (data: { byteLength: number }) => void
      sendData: (data: { byteLength: number }) => { sentBytes: number, canSendMore: boolean }
    }
    const onData = conn.onData.bind(conn)
    const sendData = conn.sendData.bind(conn)
    conn.onData = (data) => {
      count.bytesIn += data.byteLength
      onData(data)
    }
    conn.sendData = (data) => {
      const r = sendData(data)
      count.bytesOut += r.sentBytes
      return r
    }
  }

  trackProtocolStream (_stream: Stream): void {}

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
