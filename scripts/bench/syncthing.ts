/**
 * Syncthing in the side-by-side suite: two headless instances (Debian's
 * `syncthing`) with homes of their own, configured by writing config.xml
 * after `syncthing generate` made the keys: each the other's device at a
 * static tcp://127.0.0.1 address, global and local discovery, relays, NAT
 * traversal, usage reports, crash reports and upgrades off, one shared
 * send-receive folder. Low priority (Syncthing's default, `setLowPriority`)
 * is turned off so it competes on equal terms with the other tools.
 *
 * Detection: the folder watcher is on with its shortest delay (1 s), and
 * the suite also asks A to scan right after each write (REST
 * /rest/db/scan), so Syncthing's figures have the least detection delay it
 * allows. Bytes on the wire: B's /rest/system/connections total inBytesTotal.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  checkSmallTree, countFiles, exec, flush, freePort, onCleanup, patchMiddle, pollUntil, rename, sha256File, sleep,
  statKey, stopChild, track, waitForContent, writeRandom, writeSmallTree, type Wire
} from './common.js'
import { hashWithPatch } from './delta-hash.js'
import type { ChildProcess } from 'node:child_process'

const FOLDER = 'bench'

interface Instance { name: string, home: string, root: string, port: number, gui: number, apiKey: string, id: string, proc?: ChildProcess, out: string[] }

export class SyncthingPair {
  private a!: Instance
  private b!: Instance

  constructor (readonly base: string) {}

  get aRoot (): string { return this.a.root }
  get bRoot (): string { return this.b.root }

  async version (): Promise<string> {
    return (await exec('syncthing', ['--version'])).stdout.split(' ').slice(0, 2).join(' ')
  }

  async start (): Promise<void> {
    const made: Instance[] = []
    for (const name of ['a', 'b']) {
      const home = join(this.base, name, 'home')
      const root = join(this.base, name, 'root')
      await mkdir(join(root, '.stfolder'), { recursive: true })
      const { stdout, stderr } = await exec('syncthing', ['generate', `--home=${home}`], { env: { ...process.env, STNODEFAULTFOLDER: '1' } })
      const id = /Device ID: ([A-Z0-9-]+)/.exec(stdout + stderr)?.[1]
      if (id == null) throw new Error(`syncthing generate printed no device id: ${stdout}${stderr}`)
      made.push({ name, home, root, port: await freePort(), gui: await freePort(), apiKey: randomBytes(16).toString('hex'), id, out: [] })
    }
    ;[this.a, this.b] = [made[0]!, made[1]!]
    for (const me of made) await writeFile(join(me.home, 'config.xml'), configXml(me, made))
    onCleanup(async () => { await this.stop() })
    for (const me of made) {
      me.proc = track('syncthing', ['serve', `--home=${me.home}`, '--no-browser', '--no-restart', '--no-upgrade', `--gui-address=http://127.0.0.1:${me.gui}`],
        { env: { ...process.env, STNODEFAULTFOLDER: '1', STNOUPGRADE: '1', STNORESTART: '1' } })
      for (const s of [me.proc.stdout, me.proc.stderr]) {
        s?.setEncoding('utf8').on('data', (c: string) => { me.out.push(c); if (me.out.length > 200) me.out.shift() })
      }
    }
    for (const me of made) {
      await pollUntil(async () => await this.api(me, '/rest/system/ping').then(() => true, () => false), 200, 60_000, `syncthing ${me.name} REST API (output: ${me.out.join('').slice(-2000)})`)
    }
    await pollUntil(async () => {
      const c = await this.api(this.b, '/rest/system/connections') as { connections: Record<string, { connected: boolean }> }
      return c.connections[this.a.id]?.connected === true
    }, 200, 120_000, 'syncthing a and b to connect')
    await this.idle()
  }

  private async api (me: Instance, path: string, method = 'GET'): Promise<unknown> {
    const res = await fetch(`http://127.0.0.1:${me.gui}${path}`, { method, headers: { 'X-API-Key': me.apiKey } })
    if (!res.ok) throw new Error(`syncthing ${me.name} ${method} ${path}: ${res.status} ${await res.text()}`)
    const text = await res.text()
    return text === '' ? undefined : JSON.parse(text)
  }

  /** Both folders idle (scanned, nothing to pull), so a round starts from rest. */
  async idle (): Promise<void> {
    for (const me of [this.a, this.b]) {
      await pollUntil(async () => ((await this.api(me, `/rest/db/status?folder=${FOLDER}`)) as { state: string }).state === 'idle', 200, 300_000, `syncthing ${me.name} idle`)
    }
  }

  /** Asks A to scan now (the watcher would after its delay). */
  private scan (path?: string): void {
    void this.api(this.a, `/rest/db/scan?folder=${FOLDER}${path == null ? '' : `&sub=${encodeURIComponent(path)}`}`, 'POST').catch(() => {})
  }

  async counters (): Promise<{ in: number, out: number }> {
    const c = await this.api(this.b, '/rest/system/connections') as { total: { inBytesTotal: number, outBytesTotal: number } }
    return { in: c.total.inBytesTotal, out: c.total.outBytesTotal }
  }

  async stop (): Promise<void> {
    for (const me of [this.a, this.b]) if (me?.proc != null) await stopChild(me.proc)
  }

  async large (name: string, staged: string, size: number): Promise<number> {
    await writeRandom(staged, size)
    const hash = await sha256File(staged)
    await flush()
    const t0 = performance.now()
    await rename(staged, join(this.a.root, name))
    this.scan(name)
    const t1 = await waitForContent(join(this.b.root, name), size, hash, 900_000)
    await this.idle()
    return (t1 - t0) / 1000
  }

  async delta (name: string, size: number): Promise<Wire> {
    const { patch, hash } = await hashWithPatch(join(this.a.root, name), size)
    const before = await statKey(join(this.b.root, name))
    const c0 = await this.counters()
    await flush()
    const t0 = performance.now()
    await patchMiddle(join(this.a.root, name), size, patch)
    this.scan(name)
    const t1 = await waitForContent(join(this.b.root, name), size, hash, 900_000, before)
    await this.idle()
    // Index updates and pings go both ways; B's inbound total includes them, like Realize's counter does.
    const c1 = await this.counters()
    return { seconds: (t1 - t0) / 1000, bytes: c1.in + c1.out - c0.in - c0.out, bytesIn: c1.in - c0.in }
  }

  async small (name: string, staged: string, files: number, fileSize: number): Promise<number> {
    await writeSmallTree(staged, files, fileSize)
    await flush()
    const t0 = performance.now()
    await rename(staged, join(this.a.root, name))
    this.scan(name)
    const t1 = await pollUntil(async () => await countFiles(join(this.b.root, name)) >= files, 250, 1_200_000, `${files} files on syncthing b`)
    await checkSmallTree(join(this.a.root, name), join(this.b.root, name), files)
    await this.idle()
    return (t1 - t0) / 1000
  }

  async remove (name: string): Promise<void> {
    await rm(join(this.a.root, name), { recursive: true, force: true })
    this.scan()
    await sleep(500)
    await this.idle()
  }
}

function configXml (me: Instance, all: Instance[]): string {
  const devices = all.map((d) => `    <device id="${d.id}" name="${d.name}" compression="metadata" introducer="false">
        <address>${d === me ? 'dynamic' : `tcp://127.0.0.1:${d.port}`}</address>
        <autoAcceptFolders>false</autoAcceptFolders>
    </device>`).join('\n')
  return `<configuration version="36">
    <folder id="${FOLDER}" label="${FOLDER}" path="${me.root}" type="sendreceive" rescanIntervalS="3600" fsWatcherEnabled="true" fsWatcherDelayS="1" ignorePerms="false" autoNormalize="true">
        <filesystemType>basic</filesystemType>
${all.map((d) => `        <device id="${d.id}" introducedBy=""></device>`).join('\n')}
        <minDiskFree unit="%">1</minDiskFree>
    </folder>
${devices}
    <gui enabled="true" tls="false" debugging="false">
        <address>127.0.0.1:${me.gui}</address>
        <apikey>${me.apiKey}</apikey>
    </gui>
    <options>
        <listenAddress>tcp://127.0.0.1:${me.port}</listenAddress>
        <globalAnnounceEnabled>false</globalAnnounceEnabled>
        <localAnnounceEnabled>false</localAnnounceEnabled>
        <relaysEnabled>false</relaysEnabled>
        <natEnabled>false</natEnabled>
        <startBrowser>false</startBrowser>
        <urAccepted>-1</urAccepted>
        <crashReportingEnabled>false</crashReportingEnabled>
        <autoUpgradeIntervalH>0</autoUpgradeIntervalH>
        <setLowPriority>false</setLowPriority>
        <reconnectionIntervalS>1</reconnectionIntervalS>
    </options>
</configuration>
`
}
