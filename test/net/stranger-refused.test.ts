import assert from 'node:assert/strict'
import { EventEmitter } from 'node:events'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { createHost, type RealizeHost } from '../../node/net/host.js'
import { Household } from '../../node/net/household.js'
import { ControlClient } from '../../node/control/api/client.js'
import { freePort, newIdentity } from '../helpers/net.js'
import { NodeProcess } from '../helpers/node-process.js'
import { tempDir } from '../helpers/tmp.js'
import { until } from '../helpers/wait.js'
import { runCli } from '../control/fixtures.js'
import type { NodeEvent } from '../../node/control/api/model.js'

/**
 * A refused stranger is logged (issue 18 item 8): a user adding a new machine
 * needs its PeerId. A real `realize-node` process; strangers are libp2p hosts
 * with unknown keys that dial it. One warning (and one TUI notice) per
 * PeerId however often it retries.
 */
describe('network: a refused stranger is logged once per PeerId', function () {
  this.timeout(60_000)
  let tmp: { dir: string, cleanup: () => Promise<void> }
  let node: NodeProcess | undefined
  const hosts: RealizeHost[] = []
  let client: ControlClient | undefined

  afterEach(async () => {
    await client?.close()
    for (const h of hosts) await h.stop()
    if (node?.exitCode === undefined) node?.kill('SIGKILL')
    await tmp.cleanup()
  })

  it('warns with the PeerId and remote address, once for repeated attempts, and the TUI gets a notice', async () => {
    tmp = await tempDir('rz-stranger-')
    const data = join(tmp.dir, 'data')
    const port = await freePort()
    const init = await runCli(['init', '--data', data, '--arena', `docs=${join(tmp.dir, 'docs')}`, '--port', String(port), '--no-mdns'], { env: { HOME: tmp.dir } })
    assert.equal(init.code, 0, init.stderr)
    const nodeId = JSON.parse((await runCli(['id', '--json', '--data', data])).stdout).peerId as string
    node = new NodeProcess(['--data', data], { env: { HOME: tmp.dir } })
    await node.waitForEvent('ready')
    // What the TUI's log pane shows: the notice topic.
    client = await ControlClient.connect(data)
    const notices: string[] = []
    const bus = new EventEmitter<{ notice: [] }>()
    await client.subscribe(['notice'], (e: NodeEvent) => {
      if (e.type === 'notice') notices.push(e.message)
      bus.emit('notice')
    })

    const stranger = async (): Promise<{ host: RealizeHost, id: string }> => {
      const id = await newIdentity()
      // The stranger lets itself dial the node; the node does not know it.
      const gater = new Household([{ name: 'node', id: nodeId, addrs: [] }], []).gater()
      const { host } = await createHost({ privateKey: id.privateKey, listen: ['/ip4/127.0.0.1/tcp/0'], gater, mdns: false })
      await host.start()
      hosts.push(host)
      return { host, id: id.peerId.toString() }
    }
    const target = multiaddr(`/ip4/127.0.0.1/tcp/${port}/p2p/${nodeId}`)
    /** One attempt: dial, and wait until the node hung up (its gater ran). */
    const attempt = async (host: RealizeHost): Promise<void> => {
      const conn = await host.dial(target).catch(() => undefined)
      if (conn != null && conn.status !== 'closed') await new Promise((resolve) => conn.addEventListener('close', resolve, { once: true }))
    }

    const s1 = await stranger()
    for (let i = 0; i < 4; i++) await attempt(s1.host)
    // A second stranger afterwards: once its warning is out, s1's later attempts were handled too.
    const s2 = await stranger()
    await attempt(s2.host)
    await until(node, 'log', () => node?.lines.some((l) => l.event === 'stranger-refused' && l.peerId === s2.id), 'the second stranger is reported', 20_000)
    await until(bus, 'notice', () => notices.some((m) => m.includes(s2.id)), 'a notice names the second stranger', 20_000)

    const warned = node.lines.filter((l) => l.event === 'stranger-refused' && l.peerId === s1.id)
    assert.equal(warned.length, 1, `one warning for 4 attempts: ${JSON.stringify(warned)}`)
    assert.equal(warned[0]?.level, 40, 'a warning')
    assert.match(String(warned[0]?.remoteAddr), /^\/ip4\/127\.0\.0\.1\/tcp\/\d+/)
    const shown = notices.filter((m) => m.includes(s1.id))
    assert.equal(shown.length, 1, `one notice: ${JSON.stringify(notices)}`)
    assert.match(shown[0] ?? '', /refused a connection from \S+ at \/ip4\/127\.0\.0\.1\/tcp\/\d+: not in the household \(`peer add NAME \S+` to let it in\)/)
  })
})
