import { chmod, lstat, unlink } from 'node:fs/promises'
import { createConnection, createServer, type Server, type Socket } from 'node:net'
import type { Logger } from '../../log.js'
import { RealizeError, wrapError } from '../../../datastore/types/errors.js'
import { ControlConnection } from './connection.js'
import { checkSocketPath, socketPath } from '../api/socket-path.js'
import type { NodeModel } from '../api/model.js'

export { socketPath } from '../api/socket-path.js'

export interface ControlServerOptions {
  dataDir: string
  model: NodeModel
  log: Logger
}

/**
 * The control API on `<data>/control.sock` (spec section 7): a unix socket
 * only this user can open (mode 0600 inside the 0700 data directory),
 * JSON-RPC 2.0, one message per line. Each client is a ControlConnection.
 */
export class ControlServer {
  private readonly connections = new Set<ControlConnection>()

  private constructor (readonly path: string, private readonly server: Server, private readonly log: Logger) {}

  static async listen (options: ControlServerOptions): Promise<ControlServer> {
    const path = socketPath(options.dataDir)
    checkSocketPath(path)
    await removeStaleSocket(path)
    const log = options.log.child({ component: 'control' })
    const server = createServer()
    const control = new ControlServer(path, server, log)
    server.on('connection', (socket: Socket) => { control.accept(socket, options.model) })
    // The socket file is created by bind() with the umask applied: create it
    // 0600 from the start so there is no moment another user could connect.
    const umask = process.umask(0o177)
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(path, () => { server.off('error', reject); resolve() })
      })
    } catch (err) {
      throw wrapError(`listening on the control socket ${path}`, err)
    } finally {
      process.umask(umask)
    }
    await chmod(path, 0o600)
    server.on('error', (err) => { log.error({ err: err.message }, 'control socket error') })
    log.info({ socket: path, event: 'control-listening' }, 'control API listening')
    return control
  }

  private accept (socket: Socket, model: NodeModel): void {
    const c = new ControlConnection(socket, model, this.log)
    this.connections.add(c)
    socket.on('close', () => { this.connections.delete(c) })
  }

  get clients (): number {
    return this.connections.size
  }

  /** Reply bytes held for clients that have not read them (bounded per client: connection.ts). */
  get buffered (): number {
    let n = 0
    for (const c of this.connections) n += c.buffered
    return n
  }

  /** Stops accepting, drops every client and removes the socket file. */
  async close (): Promise<void> {
    const closed = new Promise<void>((resolve) => { this.server.close(() => { resolve() }) })
    for (const c of this.connections) c.destroy()
    await closed
    await unlink(this.path).catch(() => {})
  }
}

/**
 * A socket left by a node that was killed answers nothing: remove it. One
 * that answers belongs to a node running on this data directory.
 */
async function removeStaleSocket (path: string): Promise<void> {
  const st = await lstat(path).catch(() => undefined)
  if (st == null) return
  if (!st.isSocket()) throw new RealizeError('CONTROL_SOCKET_BLOCKED', `${path} exists and is not a socket; move it away`)
  const alive = await new Promise<boolean>((resolve) => {
    const s = createConnection(path)
    s.once('connect', () => { s.destroy(); resolve(true) })
    s.once('error', () => { resolve(false) })
  })
  if (alive) throw new RealizeError('NODE_ALREADY_RUNNING', `another node is running with this data directory (${path} answers)`)
  await unlink(path)
}
