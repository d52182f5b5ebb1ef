import { useEffect, useState } from 'react'

/** Where the TUI reads the time: the wall clock, or a test's own. */
export type Clock = () => number

/**
 * The time, re-read every `tickMs` (durations like "connected 1m05s" move
 * on while nothing else changes). Render reads this value, never the clock
 * itself, so a frame shows one time throughout and a test that injects a
 * clock gets the same text on every render.
 */
export function useNow (clock: Clock = Date.now, tickMs = 1000): number {
  const [now, setNow] = useState(clock)
  useEffect(() => {
    setNow(clock())
    const timer = setInterval(() => { setNow(clock()) }, tickMs)
    return () => { clearInterval(timer) }
  }, [clock, tickMs])
  return now
}
