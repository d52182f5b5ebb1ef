import { EventEmitter } from 'node:events'
import { stripVTControlCharacters } from 'node:util'
import { render } from 'ink-testing-library'
import { App, type AppProps } from '../../tui/app.js'
import { until } from '../helpers/wait.js'

export interface RenderedApp {
  frame: () => string
  /** Waits for a frame that `check` accepts (checked against the current one first). */
  waitFor: (check: (frame: string) => boolean, what: string, ms?: number) => Promise<string>
  press: (...keys: string[]) => void
  quit: { called: boolean }
  unmount: () => void
}

/** Escape sequences a terminal sends for these keys. */
export const KEY = {
  up: '\u001B[A',
  down: '\u001B[B',
  right: '\u001B[C',
  left: '\u001B[D',
  enter: '\r',
  escape: '\u001B',
  tab: '\t',
  shiftTab: '\u001B[Z',
  backspace: '\u007F',
  pageDown: '\u001B[6~',
  pageUp: '\u001B[5~',
  home: '\u001B[H',
  end: '\u001B[F'
} as const

/** The TUI rendered by ink-testing-library at a fixed size; frames compared with ANSI stripped. */
export function renderApp (props: Omit<AppProps, 'size'> & { rows?: number, columns?: number }): RenderedApp {
  const quit = { called: false }
  const r = render(<App {...props} size={{ rows: props.rows ?? 40, columns: props.columns ?? 100 }} onQuit={() => { quit.called = true }} />)
  // ink-testing-library keeps frames but says nothing when one arrives: announce it.
  const frames = new EventEmitter<{ frame: [] }>()
  const write = r.stdout.write
  r.stdout.write = (f: string) => { write(f); frames.emit('frame') }
  const frame = (): string => stripVTControlCharacters(r.lastFrame() ?? '')
  return {
    frame,
    waitFor: async (check, what, ms = 10_000) => {
      try {
        return await until(frames, 'frame', () => (check(frame()) ? frame() : undefined), what, ms)
      } catch (err) {
        throw new Error(`${(err as Error).message}; last frame:\n${frame()}`)
      }
    },
    press: (...keys) => { for (const k of keys) r.stdin.write(k) },
    quit,
    unmount: () => { r.unmount() }
  }
}

/** The line of a frame that contains `text`. */
export function lineWith (frame: string, text: string): string | undefined {
  return frame.split('\n').find((l) => l.includes(text))
}
