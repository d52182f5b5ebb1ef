import assert from 'node:assert/strict'
import { Network } from '../../scripts/harness/netns.js'

/** A one-shot TCP probe from a namespace: 'ok', or the error code (ECONNREFUSED still proves the host answered). */
async function probe (net: Network, from: string, host: string, port = 9): Promise<string> {
  const script = `const s=require('net').connect({host:${JSON.stringify(host)},port:${port},timeout:1500});` +
    's.on("connect",()=>{console.log("ok");s.destroy()});s.on("timeout",()=>{console.log("ETIMEDOUT");s.destroy()});s.on("error",e=>console.log(e.code))'
  return (await net.exec(from, process.execPath, ['-e', script])).stdout.trim()
}

const answered = (r: string): boolean => r === 'ok' || r === 'ECONNREFUSED'

describe('multi-peer harness: network features the scenarios use', function () {
  this.timeout(60_000)
  let net: Network | undefined
  afterEach(async () => {
    await net?.destroy()
    net = undefined
  })

  it('isolates two hosts from each other while both reach a third; adds a host later; names resolve per namespace', async () => {
    net = await Network.create([{ name: 'a' }, { name: 'b' }, { name: 'c' }])
    const [a, b, c] = ['a', 'b', 'c'].map((n) => (net as Network).host(n))
    assert.ok(answered(await probe(net, 'a', c?.ipv4 as string)))
    await net.isolate('a', 'c')
    for (const addr of [c?.ipv4, c?.ipv6]) assert.ok(!answered(await probe(net, 'a', addr as string)), `a cannot reach c at ${addr}`)
    assert.ok(answered(await probe(net, 'a', b?.ipv6 as string)), 'a still reaches b')
    assert.ok(answered(await probe(net, 'c', b?.ipv4 as string)), 'c still reaches b')
    await net.unisolate('a', 'c')
    assert.ok(answered(await probe(net, 'a', c?.ipv4 as string)), 'a reaches c again')

    const d = await net.addHost({ name: 'd', ipv4: false })
    assert.equal(d.ipv4, undefined)
    assert.ok(answered(await probe(net, 'd', a?.ipv6 as string)), 'a host added later is on the same bridge')

    await net.writeHosts('d', { hub: [b?.ipv6 as string] })
    assert.ok(answered(await probe(net, 'd', 'hub')), 'd resolves hub from its own /etc/hosts')
    assert.match(await probe(net, 'a', 'hub'), /^E(NOTFOUND|AI_AGAIN)$/, 'other namespaces do not know the name')

    await net.shape('b', '10mbit')
    assert.ok(answered(await probe(net, 'a', b?.ipv4 as string)), 'a shaped link still carries traffic')
    await net.unshape('b')
  })
})
