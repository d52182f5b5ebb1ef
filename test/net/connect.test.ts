import assert from 'node:assert/strict'
import { peerIdFromString } from '@libp2p/peer-id'
import { PING_PROTOCOL } from '@libp2p/ping'
import { multiaddr } from '@multiformats/multiaddr'
import { dialTargets } from '../../node/net/dial.js'
import { HISTORY_PROTOCOL } from '../../protocols/history/index.js'
import { household, testNet, untilTarget, type TestNode } from '../helpers/net.js'
import { until } from '../helpers/wait.js'

async function connected (a: TestNode, b: TestNode): Promise<void> {
  await until(a.running.network.keeper, 'connected', () => a.running.network.keeper.isConnected(b.peerId), `${a.name} connected to ${b.name}`, 20_000)
  await until(b.running.network.keeper, 'connected', () => b.running.network.keeper.isConnected(a.peerId), `${b.name} connected to ${a.name}`, 20_000)
}

function infoOf (a: TestNode, b: TestNode) {
  const i = a.running.network.peers().find((p) => p.peerId === b.peerId)
  assert.ok(i != null, `${a.name} lists ${b.name}`)
  return i
}

describe('network: household connections', function () {
  let net: Awaited<ReturnType<typeof testNet>>
  beforeEach(async () => { net = await testNet() })
  afterEach(async () => { await net.cleanup() })

  it('two household nodes connect over IPv4 and report connection info {#conninfo}', async () => {
    const a = await net.make({ name: 'a', listen: (p) => [`/ip4/127.0.0.1/tcp/${p}`] })
    const b = await net.make({ name: 'b', listen: (p) => [`/ip4/127.0.0.1/tcp/${p}`] })
    household(a, b)
    await a.start()
    await b.start()
    await connected(a, b)
    const info = infoOf(a, b)
    assert.equal(info.connected, true)
    assert.equal(info.name, 'b')
    assert.match(info.remoteAddr ?? '', /^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\//)
    assert.ok(info.direction === 'inbound' || info.direction === 'outbound')
    assert.equal(info.encryption, '/noise')
    assert.equal(info.muxer, '/yamux/1.0.0')
    assert.ok(info.since != null && info.since <= Date.now() && info.since > Date.now() - 60_000)
    // The handshake alone moves bytes both ways; counts are of the wire, encrypted.
    assert.ok((info.bytesIn ?? 0) > 0 && (info.bytesOut ?? 0) > 0, `bytes ${info.bytesIn}/${info.bytesOut}`)
    // The keeper pings each peer as it connects.
    const rtt = await until(a.running.network.keeper, 'rtt', () => infoOf(a, b).rttMs ?? undefined, 'an RTT', 10_000)
    assert.ok(rtt >= 0 && rtt < 5_000, `rtt ${rtt}`)
    const other = infoOf(b, a)
    assert.equal(other.connected, true)
    assert.notEqual(other.direction, info.direction, 'one side dialed, the other accepted')
  })

  it('a ping the peer does not answer is logged and leaves the round-trip time unknown {#conninfo}', async () => {
    const a = await net.make({ name: 'a', listen: (p) => [`/ip4/127.0.0.1/tcp/${p}`] })
    const b = await net.make({ name: 'b', listen: (p) => [`/ip4/127.0.0.1/tcp/${p}`] })
    household(a, b)
    await b.start()
    // The fault: b no longer answers pings (the protocol is refused).
    const host = b.running.network.host
    await host.unhandle(PING_PROTOCOL)
    await a.start()
    await connected(a, b)
    const line = await a.waitForEvent('ping-failed', (l) => l.peerId === b.peerId)
    assert.ok(line.err != null, 'the cause is in the log line')
    assert.equal(infoOf(a, b).rttMs ?? null, null)
  })

  it('two household nodes connect over IPv6', async () => {
    const a = await net.make({ name: 'a', listen: (p) => [`/ip6/::1/tcp/${p}`] })
    const b = await net.make({ name: 'b', listen: (p) => [`/ip6/::1/tcp/${p}`] })
    a.peers = [b.asPeer({ addrs: [`[::1]:${b.port}`] })]
    b.peers = [a.asPeer({ addrs: [`[::1]:${a.port}`] })]
    await a.start()
    await b.start()
    await connected(a, b)
    assert.match(infoOf(a, b).remoteAddr ?? '', /^\/ip6\/::1\/tcp\//)
  })

  it('connects to a static address given as localhost:port {#ipv64}', async () => {
    const a = await net.make({ name: 'a' })
    const b = await net.make({ name: 'b' })
    // Only b knows where a is, by name.
    a.peers = [b.asPeer({ addrs: [] })]
    b.peers = [a.asPeer({ addrs: [`localhost:${a.port}`] })]
    await a.start()
    await b.start()
    await connected(a, b)
    assert.equal(infoOf(b, a).direction, 'outbound')
    assert.match(infoOf(b, a).remoteAddr ?? '', /^\/ip[46]\/(127\.0\.0\.1|::1)\/tcp\//)
  })

  it('a name with IPv6 and IPv4 addresses is dialed IPv6 first, falling back to IPv4 {#ipv64}', async () => {
    // The machine's /etc/hosts may map localhost to one family only; this resolver answers both, like a dual-stack LAN name.
    const resolve = async (host: string) => host === 'dualhost' ? [{ address: '127.0.0.1', family: 4 as const }, { address: '::1', family: 6 as const }] : []
    const targets = await dialTargets(['dualhost:9771', '/dns4/dualhost/tcp/1', '/ip4/10.0.0.1/tcp/2'], '12D3KooWDPR3pafCYuxq49JJfxDjuuGZDsz2vUtu8K6NYC98ohGT', resolve)
    assert.deepEqual(targets.map((t) => t.toString().replace(/\/p2p\/.*/, '')), ['/ip6/::1/tcp/9771', '/ip4/127.0.0.1/tcp/9771', '/ip4/127.0.0.1/tcp/1', '/ip4/10.0.0.1/tcp/2'])

    // a listens on IPv4 only: the IPv6 attempt is refused and b falls back.
    const a = await net.make({ name: 'a', listen: (p) => [`/ip4/127.0.0.1/tcp/${p}`] })
    const b = await net.make({ name: 'b' }, { minBackoffMs: 100, maxBackoffMs: 1_000, resolve })
    a.peers = [b.asPeer({ addrs: [] })]
    b.peers = [a.asPeer({ addrs: [`dualhost:${a.port}`] })]
    await a.start()
    await b.start()
    await connected(a, b)
    assert.match(infoOf(b, a).remoteAddr ?? '', /^\/ip4\/127\.0\.0\.1\//)

    // c listens on both: IPv6 wins.
    const c = await net.make({ name: 'c' })
    const d = await net.make({ name: 'd' }, { minBackoffMs: 100, maxBackoffMs: 1_000, resolve })
    c.peers = [d.asPeer({ addrs: [] })]
    d.peers = [c.asPeer({ addrs: [`dualhost:${c.port}`] })]
    await c.start()
    await d.start()
    await connected(c, d)
    assert.match(infoOf(d, c).remoteAddr ?? '', /^\/ip6\/::1\//)
  })

  it('refuses a node that is not in the household, in both directions', async () => {
    const a = await net.make({ name: 'a' })
    const b = await net.make({ name: 'b' })
    const stranger = await net.make({ name: 'stranger' })
    household(a, b)
    // The stranger knows a and b and keeps trying; a and b do not know it.
    stranger.peers = [a.asPeer(), b.asPeer()]
    await a.start()
    await b.start()
    await stranger.start()
    await connected(a, b)
    const host = a.running.network.host
    const seenByA: string[] = []
    host.addEventListener('connection:open', (evt) => { seenByA.push(evt.detail.remotePeer.toString()) })
    // Inbound: the stranger dials a; a's gater drops it once the Noise handshake proves who it is.
    const sHost = stranger.running.network.host
    const conn = await sHost.dial(multiaddr(`/ip4/127.0.0.1/tcp/${a.port}/p2p/${a.peerId}`)).catch(() => undefined)
    if (conn != null) {
      // The dialer may finish its half of the upgrade before a hangs up; nothing gets through it.
      await assert.rejects(conn.newStream(HISTORY_PROTOCOL))
      await untilTarget(sHost, 'connection:close', () => sHost.getConnections(peerIdFromString(a.peerId)).length === 0, 'the stranger\'s connection closed')
    }
    assert.deepEqual(seenByA.filter((p) => p === stranger.peerId), [])
    assert.equal(host.getConnections(peerIdFromString(stranger.peerId)).length, 0)
    // Outbound: a refuses to dial it, even given its address.
    await assert.rejects(host.dial(multiaddr(`/ip4/127.0.0.1/tcp/${stranger.port}/p2p/${stranger.peerId}`)), /denied|gater|refus/i)
    assert.equal(host.getConnections(peerIdFromString(stranger.peerId)).length, 0)
    assert.equal(a.running.network.peers().some((p) => p.peerId === stranger.peerId), false)
    assert.equal(a.running.network.keeper.isConnected(b.peerId), true, 'household connection unaffected')
  })

  it('reconnects with backoff after the peer restarts', async () => {
    const a = await net.make({ name: 'a' })
    const b = await net.make({ name: 'b' })
    household(a, b)
    await a.start()
    await b.start()
    await connected(a, b)
    await b.stop()
    await until(a.running.network.keeper, 'disconnected', () => !a.running.network.keeper.isConnected(b.peerId), 'a sees b gone', 10_000)
    assert.equal(infoOf(a, b).connected, false)
    assert.equal(infoOf(a, b).remoteAddr, null)
    await b.start()
    await connected(a, b)
  })

  it('drops a peer removed from the household at once', async () => {
    const a = await net.make({ name: 'a' })
    const b = await net.make({ name: 'b' })
    household(a, b)
    await a.start()
    await b.start()
    await connected(a, b)
    a.running.network.updateHousehold([], a.config.arenas)
    await until(a.running.network.keeper, 'disconnected', () => !a.running.network.keeper.isConnected(b.peerId), 'a hangs up on b', 10_000)
    assert.deepEqual(a.running.network.peers(), [])
  })
})
