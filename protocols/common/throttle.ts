/**
 * A bandwidth limit as the data protocols see it {#churtenlimit}: awaited
 * with the bytes about to be sent, or just received, before the next ones
 * move. Waiting on the receiving side delays reading the stream, and yamux
 * flow control then slows the sender. node/net/rate-limit.ts makes them
 * from the node's `[limits]`.
 */
export type Throttle = (bytes: number, signal?: AbortSignal) => Promise<void>
