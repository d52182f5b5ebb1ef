import assert from 'node:assert/strict'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { loadConfig, writeConfig } from '../../node/config/config.js'
import { Household, PORT } from '../../scripts/harness/household.js'
import { until } from '../helpers/wait.js'
import type { LogLine, NodeProcess } from '../helpers/node-process.js'

/** Real processes in network namespaces on one bridge (scripts/harness): mDNS and dual-stack names for real. */

function proc (h: Household, name: string): NodeProcess {
  const p = h.node(name).process
  assert.ok(p != null, `${name} runs`)
  return p
}

async function connectedTo (h: Household, from: string, to: string): Promise<LogLine> {
  const p = proc(h, from)
  const id = h.node(to).peerId
  return await until(p, 'log', () => p.lines.find((l) => l.event === 'peer-connected' && l.peerId === id), `${from} connected to ${to}`, 60_000)
}

/** Keeps only `keep` in `name`'s household (the harness makes everyone a peer of everyone). */
async function onlyPeers (h: Household, name: string, keep: string[], edit?: (p: { name: string, addrs: string[] }) => void): Promise<void> {
  const dataDir = h.node(name).dataDir
  const config = await loadConfig(dataDir)
  assert.ok(config != null)
  config.peers = config.peers.filter((p) => keep.includes(p.name))
  for (const p of config.peers) edit?.(p)
  await writeConfig(dataDir, config)
}

describe('network on a LAN: real processes in network namespaces', function () {
  this.timeout(120_000)
  let h: Household | undefined
  const netnsDirs: string[] = []
  afterEach(async () => {
    await h?.destroy()
    h = undefined
    for (const d of netnsDirs.splice(0)) await rm(d, { recursive: true, force: true })
  })

  it('household peers find each other by mDNS and connect without static addresses; a stranger is listed, never connected', async () => {
    h = await Household.create({ hosts: [{ name: 'a' }, { name: 'b' }, { name: 'stranger' }], mdns: true, staticAddrs: false, report: () => {} })
    await onlyPeers(h, 'a', ['b'])
    await onlyPeers(h, 'b', ['a'])
    await h.start()
    const ab = await connectedTo(h, 'a', 'b')
    await connectedTo(h, 'b', 'a')
    assert.match(String(ab.remoteAddr), /^\/ip[46]\/(10\.|fd00:)/, 'over the bridge')
    // a hears the stranger's announcements and lists it; the stranger keeps trying to dial a.
    const a = proc(h, 'a')
    const strangerId = h.node('stranger').peerId
    const seen = await until(a, 'log', () => a.lines.find((l) => l.event === 'peer-discovered' && l.peerId === strangerId), 'a discovers the stranger', 60_000)
    assert.equal(seen.inHousehold, false)
    const s = proc(h, 'stranger')
    await until(s, 'log', () => s.lines.some((l) => l.event === 'peer-discovered' && l.peerId === h?.node('a').peerId), 'the stranger discovers a', 60_000)
    // History flows between the household members (the stranger's files do not).
    await writeFile(join(h.root('a'), 'from-a.txt'), 'hello b')
    await until(proc(h, 'b'), 'log', () => proc(h as Household, 'b').lines.some((l) => l.event === 'history-caught-up' && l.peerId === h?.node('a').peerId), 'b follows a\'s history', 60_000)
    assert.equal(a.lines.some((l) => l.event === 'peer-connected' && l.peerId === strangerId), false, 'a never connected the stranger')
    // The stranger's own Noise handshake may complete before a checks who it is and hangs up,
    // so its side can see a connection for a moment; nothing ever goes through it.
    assert.deepEqual([...new Set(a.lines.filter((l) => l.event === 'history-subscribed').map((l) => l.peer))], ['b'], 'only b subscribed to a')
    assert.equal(s.lines.some((l) => l.event === 'history-caught-up' && l.peerId === h?.node('a').peerId), false, 'the stranger never read a\'s history')
  })

  it('dials a host name that resolves to IPv6 and IPv4 over IPv6 first {#ipv64}', async () => {
    h = await Household.create({ hosts: [{ name: 'a' }, { name: 'b' }], mdns: false, staticAddrs: false, report: () => {} })
    const a = h.net.host('a')
    // `ip netns exec` shows each namespace /etc/netns/<ns>/hosts as /etc/hosts: the name has both families there.
    const dir = join('/etc/netns', h.net.host('b').ns)
    netnsDirs.push(dir)
    await mkdir(dir, { recursive: true })
    await writeFile(join(dir, 'hosts'), `127.0.0.1 localhost\n::1 localhost\n${a.ipv4 as string} peer-a\n${a.ipv6 as string} peer-a\n`)
    await onlyPeers(h, 'b', ['a'], (p) => { p.addrs = [`peer-a:${PORT}`] })
    await onlyPeers(h, 'a', ['b'])
    // a listens on both families before b dials: otherwise b may rightly fall back to IPv4 while a's IPv6 socket is not bound yet.
    await h.start('a')
    await h.start('b')
    const conn = await connectedTo(h, 'b', 'a')
    assert.equal(conn.direction, 'outbound')
    assert.equal(conn.remoteAddr, `/ip6/${a.ipv6 as string}/tcp/${PORT}/p2p/${h.node('a').peerId}`)
  })

  it('falls back to IPv4 when the IPv6 address of the name does not answer {#ipv64}', async () => {
    h = await Household.create({ hosts: [{ name: 'a' }, { name: 'b' }], mdns: false, staticAddrs: false, report: () => {} })
    const a = h.net.host('a')
    const dir = join('/etc/netns', h.net.host('b').ns)
    netnsDirs.push(dir)
    await mkdir(dir, { recursive: true })
    // An IPv6 address on the bridge's subnet that nobody has: the attempt fails, IPv4 answers.
    const deadV6 = (a.ipv6 as string).replace(/::\d+$/, '::99')
    await writeFile(join(dir, 'hosts'), `127.0.0.1 localhost\n${a.ipv4 as string} peer-a\n${deadV6} peer-a\n`)
    await onlyPeers(h, 'b', ['a'], (p) => { p.addrs = [`peer-a:${PORT}`] })
    await onlyPeers(h, 'a', ['b'])
    await h.start('a')
    await h.start('b')
    const conn = await connectedTo(h, 'b', 'a')
    assert.equal(conn.remoteAddr, `/ip4/${a.ipv4 as string}/tcp/${PORT}/p2p/${h.node('a').peerId}`)
  })
})
