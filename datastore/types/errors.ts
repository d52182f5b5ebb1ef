/**
 * Errors with a stable `code`, a message and a `cause` chain.
 * They cross the wire as code + message + causes (see protocols/), and are
 * wrapped with context by whoever knows which peer / side / operation failed.
 */
export class RealizeError extends Error {
  readonly code: string

  constructor (code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.name = new.target.name
  }
}

/** A user- or peer-supplied value is malformed (path, arena name, hash, mark...). */
export class InvalidInputError extends RealizeError {
  constructor (code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options)
  }
}

/** The configuration file or command line is unusable. Exit code 2. */
export class ConfigError extends RealizeError {
  readonly file: string | undefined
  readonly key: string | undefined

  constructor (message: string, options: { file?: string, key?: string, cause?: unknown } = {}) {
    const where = [options.file, options.key].filter((s) => s != null && s !== '').join(': ')
    super('CONFIG_INVALID', where === '' ? message : `${where}: ${message}`, { cause: options.cause })
    this.file = options.file
    this.key = options.key
  }
}

/** Adds context ("watching arena photos") around a lower-level failure. */
export function wrapError (context: string, err: unknown, code?: string): RealizeError {
  const inner = err instanceof RealizeError ? err.code : (err as NodeJS.ErrnoException)?.code
  return new RealizeError(code ?? inner ?? 'FAILED', context, { cause: err })
}

/**
 * The whole chain as one line, each message once:
 * "watching arena photos: reading a.jpg: EACCES: permission denied".
 */
export function describeError (err: unknown): string {
  return errorChain(err).join(': ')
}

/** The messages of `err` and its causes, outermost first, repeats and empty ones left out (at most 16 deep). */
export function errorChain (err: unknown): string[] {
  const out: string[] = []
  let e: unknown = err
  for (let depth = 0; e != null && depth < 16; depth++) {
    const msg = e instanceof Error ? e.message : String(e)
    if (msg !== '' && out[out.length - 1] !== msg) out.push(msg)
    e = e instanceof Error ? e.cause : undefined
  }
  return out
}
