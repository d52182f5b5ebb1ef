import { render } from 'ink'
import { ControlClient } from '../node/control/api/client.js'
import { App } from './app.js'

export interface AttachOptions {
  dataDir: string
  /** True inside `realize-node start`: quitting the TUI stops the node. */
  ownNode: boolean
  stdin?: NodeJS.ReadStream
  stdout?: NodeJS.WriteStream
}

export interface AttachedTui {
  /** Settles when the user quits (or, attached to another process, the node stops: rejects). */
  exited: Promise<void>
  close: () => Promise<void>
}

/** The TUI on this terminal, talking to the node on `dataDir` through its control socket. */
export async function attachTui (options: AttachOptions): Promise<AttachedTui> {
  const client = await ControlClient.connect(options.dataDir)
  const instance = render(<App api={client} />, {
    stdin: options.stdin,
    stdout: options.stdout,
    exitOnCtrlC: true,
    // Like htop and less: the terminal's content comes back when the TUI ends.
    alternateScreen: true,
    patchConsole: true,
    // Ink turns itself off (final frame only) when a CI variable is set; a
    // person at a terminal gets the live TUI whatever their environment says.
    interactive: Boolean((options.stdout ?? process.stdout).isTTY)
  })
  const exited = instance.waitUntilExit().then(() => {})
  return {
    exited,
    close: async () => {
      instance.unmount()
      await exited.catch(() => {})
      await client.close()
    }
  }
}
