import { parseArgs } from 'node:util'
import { once } from 'node:events'
import { Household, type HostPlan } from './household.js'
import { CLI } from './node-process.js'
import { HarnessError } from './netns.js'
import { isMark } from '../../datastore/types/mark.js'

/**
 * The multi-peer harness by hand: a household of real nodes in network
 * namespaces that stays up until Ctrl-C, then is torn down.
 *
 *   sudo npx node dist/scripts/harness/up.js --hosts a,b,c [--mark b=keep] [--static] [--no-mdns]
 *
 * Prints, per host, its namespace, data dir and arena root, and the
 * command that runs `realize-node` on it. Hosts named `NAME/4` or `NAME/6`
 * get only IPv4 or only IPv6.
 */
async function main (): Promise<void> {
  const { values } = parseArgs({
    options: {
      hosts: { type: 'string', default: 'a,b' },
      mark: { type: 'string', multiple: true, default: [] },
      static: { type: 'boolean', default: false },
      'no-mdns': { type: 'boolean', default: false }
    }
  })
  const marks = new Map(values.mark.map((m) => m.split('=') as [string, string]))
  const hosts: HostPlan[] = values.hosts.split(',').map((spec) => {
    const [name, family] = spec.split('/') as [string, string | undefined]
    const mark = marks.get(name) ?? 'own'
    if (!isMark(mark)) throw new HarnessError(`--mark ${name}=${mark}: expected own, keep or watch`)
    return { name, ipv4: family !== '6', ipv6: family !== '4', arenas: [{ name: 'shared', mark }] }
  })
  const h = await Household.create({ hosts, staticAddrs: values.static, mdns: !values['no-mdns'], report: () => {} })
  try {
    await h.start()
    for (const n of h.nodes) {
      const net = h.net.host(n.name)
      process.stdout.write(`${n.name}: ${[net.ipv4, net.ipv6].filter((a) => a != null).join(' ')}  root ${n.roots.shared ?? '-'}\n` +
        `  ip netns exec ${net.ns} ${process.execPath} ${CLI} status --data ${n.dataDir}\n`)
    }
    process.stdout.write('household up; Ctrl-C tears it down\n')
    await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')])
  } finally {
    await h.destroy()
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`)
  process.exitCode = 1
})
