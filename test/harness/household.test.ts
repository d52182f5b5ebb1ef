import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { Household } from '../../scripts/harness/household.js'
import { checkCanCreateNamespaces } from '../../scripts/harness/netns.js'

const run = promisify(execFile)

/**
 * A one-shot TCP probe from one namespace to an address: 'ok' or the error
 * code. ECONNREFUSED still proves the host answered; a cut link times out
 * or is unreachable.
 */
async function probe (h: Household, from: string, host: string, port: number): Promise<string> {
  const script = `const s=require('net').connect({host:${JSON.stringify(host)},port:${port},timeout:1500});` +
    's.on("connect",()=>{console.log("ok");s.destroy()});s.on("timeout",()=>{console.log("ETIMEDOUT");s.destroy()});s.on("error",e=>console.log(e.code))'
  return (await h.net.exec(from, process.execPath, ['-e', script])).stdout.trim()
}

describe('multi-peer harness: real nodes in network namespaces', function () {
  let h: Household | undefined
  afterEach(async () => {
    const ns = h?.net.hosts.map((x) => x.ns) ?? []
    await h?.destroy()
    h = undefined
    const { stdout } = await run('ip', ['netns', 'list'])
    for (const n of ns) assert.ok(!stdout.includes(n), `namespace ${n} removed`)
  })

  it('starts a node per namespace, partitions and restores a link, survives kill -9', async () => {
    h = await Household.create({ hosts: [{ name: 'a' }, { name: 'b', ipv4: false }], report: () => {} })
    await h.start()
    const a = h.net.host('a')
    const b = h.net.host('b')
    assert.equal(b.ipv4, undefined, 'b is IPv6-only')
    // Each node listens on 9771 inside its own namespace.
    const answered = (r: string): boolean => r === 'ok' || r === 'ECONNREFUSED'
    assert.ok(answered(await probe(h, 'b', a.ipv6 as string, 9771)))
    assert.ok(answered(await probe(h, 'a', b.ipv6 as string, 9771)))
    assert.ok(answered(await probe(h, 'a', a.ipv4 as string, 9771)))
    assert.ok(!answered(await probe(h, 'a', '10.255.255.1', 9771)), 'nothing outside the bridge is reachable')

    await h.cut('b')
    assert.ok(!answered(await probe(h, 'a', b.ipv6 as string, 9771)), 'a partitioned host is unreachable')
    await h.restore('b')
    await h.waitFor('b reachable again', async () => answered(await probe(h as Household, 'a', b.ipv6 as string, 9771)))

    await writeFile(join(h.root('a'), 'before-crash'), 'x')
    await h.kill9('a')
    assert.equal(h.node('a').process?.signal, 'SIGKILL')
    await h.start('a')
    const caught = h.node('a').process?.lines.find((l) => l.event === 'caught-up')
    assert.equal(caught?.files, 1, 'the restarted node indexed the file written before the crash')
    assert.equal(await h.stop('a'), 0)
  })

  it('fails loudly, not silently, without root or without iproute2', async () => {
    await assert.rejects(checkCanCreateNamespaces({ uid: 1000, ipCommand: 'ip' }), /HarnessError|must run as root/)
    await assert.rejects(checkCanCreateNamespaces({ uid: 0, ipCommand: '/nonexistent/ip' }), /needs the `ip` command \(Debian package iproute2\)/)
    await checkCanCreateNamespaces()
  })
})
