import { decodeMessage, encodeMessage, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface HoldRequest {
  arena: string
  path: string
  hash: Uint8Array<ArrayBuffer>
}

export namespace HoldRequest {
  let _codec: Codec<HoldRequest>

  export const codec = (): Codec<HoldRequest> => {
    if (_codec == null) {
      _codec = message<HoldRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.arena != null && obj.arena !== '')) {
          w.uint32(10)
          w.string(obj.arena)
        }

        if ((obj.path != null && obj.path !== '')) {
          w.uint32(18)
          w.string(obj.path)
        }

        if ((obj.hash != null && obj.hash.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.hash)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          arena: '',
          path: '',
          hash: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.arena = reader.string()
              break
            }
            case 2: {
              obj.path = reader.string()
              break
            }
            case 3: {
              obj.hash = reader.bytes()
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
                field: `${prefix}.arena`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.path`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.hash`,
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

  export interface HoldRequestArenaFieldEvent {
    field: '$.arena'
    value: string
  }

  export interface HoldRequestPathFieldEvent {
    field: '$.path'
    value: string
  }

  export interface HoldRequestHashFieldEvent {
    field: '$.hash'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<HoldRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, HoldRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HoldRequest>): HoldRequest {
    return decodeMessage(buf, HoldRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HoldRequest>): Generator<HoldRequestArenaFieldEvent | HoldRequestPathFieldEvent | HoldRequestHashFieldEvent> {
    return streamMessage(buf, HoldRequest.codec(), opts)
  }
}

export interface HoldGrant {
  leaseMs: number
}

export namespace HoldGrant {
  let _codec: Codec<HoldGrant>

  export const codec = (): Codec<HoldGrant> => {
    if (_codec == null) {
      _codec = message<HoldGrant>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.leaseMs != null && obj.leaseMs !== 0)) {
          w.uint32(8)
          w.uint32(obj.leaseMs)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          leaseMs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.leaseMs = reader.uint32()
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
                field: `${prefix}.leaseMs`,
                value: reader.uint32()
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

  export interface HoldGrantLeaseMsFieldEvent {
    field: '$.leaseMs'
    value: number
  }

  export function encode (obj: Partial<HoldGrant>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, HoldGrant.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HoldGrant>): HoldGrant {
    return decodeMessage(buf, HoldGrant.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HoldGrant>): Generator<HoldGrantLeaseMsFieldEvent> {
    return streamMessage(buf, HoldGrant.codec(), opts)
  }
}
