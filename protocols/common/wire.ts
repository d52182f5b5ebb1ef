import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface WireCause {
  code: string
  message: string
}

export namespace WireCause {
  let _codec: Codec<WireCause>

  export const codec = (): Codec<WireCause> => {
    if (_codec == null) {
      _codec = message<WireCause>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.code != null && obj.code !== '')) {
          w.uint32(10)
          w.string(obj.code)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(18)
          w.string(obj.message)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          code: '',
          message: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.code = reader.string()
              break
            }
            case 2: {
              obj.message = reader.string()
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
                field: `${prefix}.code`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.message`,
                value: reader.string()
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

  export interface WireCauseCodeFieldEvent {
    field: '$.code'
    value: string
  }

  export interface WireCauseMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export function encode (obj: Partial<WireCause>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, WireCause.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<WireCause>): WireCause {
    return decodeMessage(buf, WireCause.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<WireCause>): Generator<WireCauseCodeFieldEvent | WireCauseMessageFieldEvent> {
    return streamMessage(buf, WireCause.codec(), opts)
  }
}

export interface WireError {
  code: string
  message: string
  causes: WireCause[]
}

export namespace WireError {
  let _codec: Codec<WireError>

  export const codec = (): Codec<WireError> => {
    if (_codec == null) {
      _codec = message<WireError>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.code != null && obj.code !== '')) {
          w.uint32(10)
          w.string(obj.code)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(18)
          w.string(obj.message)
        }

        if (obj.causes != null && obj.causes.length > 0) {
          for (const value of obj.causes) {
            w.uint32(26)
            WireCause.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          code: '',
          message: '',
          causes: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.code = reader.string()
              break
            }
            case 2: {
              obj.message = reader.string()
              break
            }
            case 3: {
              if (opts.limits?.causes != null && obj.causes.length === opts.limits.causes) {
                throw new MaxLengthError('Decode error - repeated field "causes" had too many elements')
              }

              obj.causes.push(WireCause.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.causes$
              }))
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
          causes: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.code`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.message`,
                value: reader.string()
              }
              break
            }
            case 3: {
              if (opts.limits?.causes != null && obj.causes === opts.limits.causes) {
                throw new MaxLengthError('Streaming decode error - repeated field "causes" had too many elements')
              }

              for (const evt of WireCause.codec().stream(reader, reader.uint32(), `${prefix}.causes[]`, {
                limits: opts.limits?.causes$
              })) {
                yield {
                  ...evt,
                  index: obj.causes
                }
              }

              obj.causes++

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

  export interface WireErrorCodeFieldEvent {
    field: '$.code'
    value: string
  }

  export interface WireErrorMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export interface WireErrorCausesCodeFieldEvent {
    field: '$.causes[].code'
    value: string
    index: number
  }

  export interface WireErrorCausesMessageFieldEvent {
    field: '$.causes[].message'
    value: string
    index: number
  }

  export function encode (obj: Partial<WireError>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, WireError.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<WireError>): WireError {
    return decodeMessage(buf, WireError.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<WireError>): Generator<WireErrorCodeFieldEvent | WireErrorMessageFieldEvent | WireErrorCausesCodeFieldEvent | WireErrorCausesMessageFieldEvent> {
    return streamMessage(buf, WireError.codec(), opts)
  }
}

export interface ErrorFrame {
  error?: WireError
}

export namespace ErrorFrame {
  let _codec: Codec<ErrorFrame>

  export const codec = (): Codec<ErrorFrame> => {
    if (_codec == null) {
      _codec = message<ErrorFrame>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.error != null) {
          w.uint32(122)
          WireError.codec().encode(obj.error, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 15: {
              obj.error = WireError.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.error
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
            case 15: {
              yield * WireError.codec().stream(reader, reader.uint32(), `${prefix}.error`, {
                limits: opts.limits?.error
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

  export interface ErrorFrameErrorCodeFieldEvent {
    field: '$.error.code'
    value: string
  }

  export interface ErrorFrameErrorMessageFieldEvent {
    field: '$.error.message'
    value: string
  }

  export interface ErrorFrameErrorCausesCodeFieldEvent {
    field: '$.error.causes[].code'
    value: string
    index: number
  }

  export interface ErrorFrameErrorCausesMessageFieldEvent {
    field: '$.error.causes[].message'
    value: string
    index: number
  }

  export function encode (obj: Partial<ErrorFrame>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ErrorFrame.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ErrorFrame>): ErrorFrame {
    return decodeMessage(buf, ErrorFrame.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ErrorFrame>): Generator<ErrorFrameErrorCodeFieldEvent | ErrorFrameErrorMessageFieldEvent | ErrorFrameErrorCausesCodeFieldEvent | ErrorFrameErrorCausesMessageFieldEvent> {
    return streamMessage(buf, ErrorFrame.codec(), opts)
  }
}
