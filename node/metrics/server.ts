import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Registry } from 'prom-client'
import { parseListenHostPort } from '../config/addrs.js'
import { RealizeError, describeError } from '../../datastore/types/errors.js'
import type { Logger } from '../log.js'

export interface MetricsServer {
  /** `http://host:port/metrics` as bound (port 0 resolved). */
  readonly url: string
  close: () => Promise<void>
}

/**
 * Serves `GET /metrics` (Prometheus text format) on `listen` (`host:port`,
 * `:port` for every interface). Anything else is 404: the endpoint shows
 * no files, only counts and peer names. A port in use fails the start,
 * like the node's own listen addresses: the user asked for it.
 */
export async function startMetricsServer (listen: string, registry: Registry, log: Logger): Promise<MetricsServer> {
  const { host, port } = parseListenHostPort(listen)
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: the metrics are at /metrics\n')
      return
    }
    registry.metrics().then((text) => {
      res.writeHead(200, { 'content-type': registry.contentType }).end(text)
    }, (err) => {
      log.warn({ err: describeError(err), event: 'metrics-failed' }, 'could not collect the metrics')
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`${describeError(err)}\n`)
    })
  })
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen({ host: host === '' ? undefined : host, port }, () => { server.off('error', reject); resolve() })
    })
  } catch (err) {
    throw new RealizeError('METRICS_LISTEN_FAILED', `cannot serve metrics on ${listen}`, { cause: err })
  }
  const a = server.address() as AddressInfo
  const shown = a.family === 'IPv6' ? `[${a.address}]` : a.address
  const url = `http://${shown}:${a.port}/metrics`
  log.info({ url, event: 'metrics-listening' }, `serving Prometheus metrics at ${url}`)
  return {
    url,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => { server.close(() => { resolve() }) })
    }
  }
}
