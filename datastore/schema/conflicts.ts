import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface ConflictVersion {
  hash: Uint8Array<ArrayBuffer>
  size: number
  mtime: number
}

export namespace ConflictVersion {
  let _codec: Codec<ConflictVersion>

  export const codec = (): Codec<ConflictVersion> => {
    if (_codec == null) {
      _codec = message<ConflictVersion>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.hash != null && obj.hash.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.hash)
        }

        if ((obj.size != null && obj.size !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.size)
        }

        if ((obj.mtime != null && obj.mtime !== 0)) {
          w.uint32(25)
          w.double(obj.mtime)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          hash: uint8ArrayAlloc(0),
          size: 0,
          mtime: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.hash = reader.bytes()
              break
            }
            case 2: {
              obj.size = reader.uint64Number()
              break
            }
            case 3: {
              obj.mtime = reader.double()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.hash`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.size`,
                value: reader.uint64Number()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.mtime`,
                value: reader.double()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ConflictVersionHashFieldEvent {
    field: '$.hash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ConflictVersionSizeFieldEvent {
    field: '$.size'
    value: number
  }

  export interface ConflictVersionMtimeFieldEvent {
    field: '$.mtime'
    value: number
  }

  export function encode (obj: Partial<ConflictVersion>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ConflictVersion.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ConflictVersion>): ConflictVersion {
    return decodeMessage(buf, ConflictVersion.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ConflictVersion>): Generator<ConflictVersionHashFieldEvent | ConflictVersionSizeFieldEvent | ConflictVersionMtimeFieldEvent> {
    return streamMessage(buf, ConflictVersion.codec(), opts)
  }
}

export interface ConflictRemote {
  peer: string
  version?: ConflictVersion
}

export namespace ConflictRemote {
  let _codec: Codec<ConflictRemote>

  export const codec = (): Codec<ConflictRemote> => {
    if (_codec == null) {
      _codec = message<ConflictRemote>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peer != null && obj.peer !== '')) {
          w.uint32(10)
          w.string(obj.peer)
        }

        if (obj.version != null) {
          w.uint32(18)
          ConflictVersion.codec().encode(obj.version, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peer: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.peer = reader.string()
              break
            }
            case 2: {
              obj.version = ConflictVersion.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.version
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.peer`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield * ConflictVersion.codec().stream(reader, reader.uint32(), `${prefix}.version`, {
                limits: opts.limits?.version
              })

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ConflictRemotePeerFieldEvent {
    field: '$.peer'
    value: string
  }

  export interface ConflictRemoteVersionHashFieldEvent {
    field: '$.version.hash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ConflictRemoteVersionSizeFieldEvent {
    field: '$.version.size'
    value: number
  }

  export interface ConflictRemoteVersionMtimeFieldEvent {
    field: '$.version.mtime'
    value: number
  }

  export function encode (obj: Partial<ConflictRemote>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ConflictRemote.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ConflictRemote>): ConflictRemote {
    return decodeMessage(buf, ConflictRemote.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ConflictRemote>): Generator<ConflictRemotePeerFieldEvent | ConflictRemoteVersionHashFieldEvent | ConflictRemoteVersionSizeFieldEvent | ConflictRemoteVersionMtimeFieldEvent> {
    return streamMessage(buf, ConflictRemote.codec(), opts)
  }
}

export interface ConflictValue {
  local?: ConflictVersion
  remote: ConflictRemote[]
  chosen?: Uint8Array<ArrayBuffer>
}

export namespace ConflictValue {
  let _codec: Codec<ConflictValue>

  export const codec = (): Codec<ConflictValue> => {
    if (_codec == null) {
      _codec = message<ConflictValue>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.local != null) {
          w.uint32(10)
          ConflictVersion.codec().encode(obj.local, w)
        }

        if (obj.remote != null && obj.remote.length > 0) {
          for (const value of obj.remote) {
            w.uint32(18)
            ConflictRemote.codec().encode(value, w)
          }
        }

        if (obj.chosen != null) {
          w.uint32(26)
          w.bytes(obj.chosen)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          remote: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.local = ConflictVersion.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.local
              })
              break
            }
            case 2: {
              if (opts.limits?.remote != null && obj.remote.length === opts.limits.remote) {
                throw new MaxLengthError('Decode error - repeated field "remote" had too many elements')
              }

              obj.remote.push(ConflictRemote.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.remote$
              }))
              break
            }
            case 3: {
              obj.chosen = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          remote: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield * ConflictVersion.codec().stream(reader, reader.uint32(), `${prefix}.local`, {
                limits: opts.limits?.local
              })

              break
            }
            case 2: {
              if (opts.limits?.remote != null && obj.remote === opts.limits.remote) {
                throw new MaxLengthError('Streaming decode error - repeated field "remote" had too many elements')
              }

              for (const evt of ConflictRemote.codec().stream(reader, reader.uint32(), `${prefix}.remote[]`, {
                limits: opts.limits?.remote$
              })) {
                yield {
                  ...evt,
                  index: obj.remote
                }
              }

              obj.remote++

              break
            }
            case 3: {
              yield {
                field: `${prefix}.chosen`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ConflictValueLocalHashFieldEvent {
    field: '$.local.hash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ConflictValueLocalSizeFieldEvent {
    field: '$.local.size'
    value: number
  }

  export interface ConflictValueLocalMtimeFieldEvent {
    field: '$.local.mtime'
    value: number
  }

  export interface ConflictValueRemotePeerFieldEvent {
    field: '$.remote[].peer'
    value: string
    index: number
  }

  export interface ConflictValueRemoteVersionHashFieldEvent {
    field: '$.remote[].version.hash'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ConflictValueRemoteVersionSizeFieldEvent {
    field: '$.remote[].version.size'
    value: number
    index: number
  }

  export interface ConflictValueRemoteVersionMtimeFieldEvent {
    field: '$.remote[].version.mtime'
    value: number
    index: number
  }

  export interface ConflictValueChosenFieldEvent {
    field: '$.chosen'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<ConflictValue>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ConflictValue.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ConflictValue>): ConflictValue {
    return decodeMessage(buf, ConflictValue.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ConflictValue>): Generator<ConflictValueLocalHashFieldEvent | ConflictValueLocalSizeFieldEvent | ConflictValueLocalMtimeFieldEvent | ConflictValueRemotePeerFieldEvent | ConflictValueRemoteVersionHashFieldEvent | ConflictValueRemoteVersionSizeFieldEvent | ConflictValueRemoteVersionMtimeFieldEvent | ConflictValueChosenFieldEvent> {
    return streamMessage(buf, ConflictValue.codec(), opts)
  }
}
