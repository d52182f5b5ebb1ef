import { tcp, type TCPComponents, type TCPOptions } from '@libp2p/tcp'
import type { Transport } from '@libp2p/interface'
import type { Server, Socket } from 'node:net'

/**
 * @libp2p/tcp with IPv6 zones {#ipv64}: it drops `/ip6zone/<iface>` when
 * dialling (so a link-local address fails with EINVAL) and cannot name the
 * peer of an inbound link-local connection (Node reports `fe80::1%eth0`,
 * which no /ip6 multiaddr holds, so the socket is closed). Dialling passes
 * `host: 'fe80::1%eth0'` to net.connect, which it honours (its options
 * spread over the ones built from the multiaddr); inbound sockets get their
 * zone removed from `remoteAddress` before the listener reads it (the
 * connection's remoteAddr then shows the address without its zone).
 * Remove when @libp2p/tcp handles ip6zone (go-libp2p#2659 discusses the
 * same gap).
 */
export function zonedTcp (init: TCPOptions = {}): (components: TCPComponents) => Transport {
  const make = tcp(init)
  return (components) => {
    const inner = make(components)
    const dial = inner.dial.bind(inner)
    inner.dial = async (ma, options) => {
      const [zone, ip] = ma.getComponents()
      if (zone?.name === 'ip6zone' && ip?.name === 'ip6') Object.assign(options, { host: `${ip.value ?? ''}%${zone.value ?? ''}` })
      return await dial(ma, options)
    }
    const createListener = inner.createListener.bind(inner)
    inner.createListener = (options) => {
      const listener = createListener(options)
      const server = (listener as unknown as { server?: Server }).server
      if (server == null) return listener
      const handlers = server.listeners('connection') as Array<(s: Socket) => void>
      server.removeAllListeners('connection')
      server.on('connection', (socket: Socket) => {
        const remote = socket.remoteAddress
        if (remote?.includes('%') === true) Object.defineProperty(socket, 'remoteAddress', { value: remote.slice(0, remote.indexOf('%')), configurable: true })
        for (const h of handlers) h.call(server, socket)
      })
      return listener
    }
    return inner
  }
}
