import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export enum BlobQueueName {
  WORKING = 'WORKING',
  PROTECTED = 'PROTECTED',
  PENDING = 'PENDING'
}

enum __BlobQueueNameValues {
  WORKING = 0,
  PROTECTED = 1,
  PENDING = 2
}

export namespace BlobQueueName {
  export const codec = (): Codec<BlobQueueName> => {
    return enumeration<BlobQueueName>(__BlobQueueNameValues)
  }
}

export interface BlobValue {
  hash: Uint8Array<ArrayBuffer>
  size: number
  written: number[]
  verified: boolean
  queue: BlobQueueName
  prev: number
  next: number
  lastAccess: number
  allocated: number
  keep: boolean
  reads: number
  countedAt: number
}

export namespace BlobValue {
  let _codec: Codec<BlobValue>

  export const codec = (): Codec<BlobValue> => {
    if (_codec == null) {
      _codec = message<BlobValue>((obj, w, opts = {}) => {
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

        if (obj.written != null && obj.written.length > 0) {
          for (const value of obj.written) {
            w.uint32(24)
            w.uint64Number(value)
          }
        }

        if ((obj.verified != null && obj.verified !== false)) {
          w.uint32(32)
          w.bool(obj.verified)
        }

        if (obj.queue != null && __BlobQueueNameValues[obj.queue] !== 0) {
          w.uint32(40)
          BlobQueueName.codec().encode(obj.queue, w)
        }

        if ((obj.prev != null && obj.prev !== 0)) {
          w.uint32(48)
          w.uint64Number(obj.prev)
        }

        if ((obj.next != null && obj.next !== 0)) {
          w.uint32(56)
          w.uint64Number(obj.next)
        }

        if ((obj.lastAccess != null && obj.lastAccess !== 0)) {
          w.uint32(65)
          w.double(obj.lastAccess)
        }

        if ((obj.allocated != null && obj.allocated !== 0)) {
          w.uint32(72)
          w.uint64Number(obj.allocated)
        }

        if ((obj.keep != null && obj.keep !== false)) {
          w.uint32(80)
          w.bool(obj.keep)
        }

        if ((obj.reads != null && obj.reads !== 0)) {
          w.uint32(88)
          w.uint32(obj.reads)
        }

        if ((obj.countedAt != null && obj.countedAt !== 0)) {
          w.uint32(97)
          w.double(obj.countedAt)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          hash: uint8ArrayAlloc(0),
          size: 0,
          written: [],
          verified: false,
          queue: BlobQueueName.WORKING,
          prev: 0,
          next: 0,
          lastAccess: 0,
          allocated: 0,
          keep: false,
          reads: 0,
          countedAt: 0
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
              if (opts.limits?.written != null && obj.written.length === opts.limits.written) {
                throw new MaxLengthError('Decode error - repeated field "written" had too many elements')
              }

              obj.written.push(reader.uint64Number())
              break
            }
            case 4: {
              obj.verified = reader.bool()
              break
            }
            case 5: {
              obj.queue = BlobQueueName.codec().decode(reader)
              break
            }
            case 6: {
              obj.prev = reader.uint64Number()
              break
            }
            case 7: {
              obj.next = reader.uint64Number()
              break
            }
            case 8: {
              obj.lastAccess = reader.double()
              break
            }
            case 9: {
              obj.allocated = reader.uint64Number()
              break
            }
            case 10: {
              obj.keep = reader.bool()
              break
            }
            case 11: {
              obj.reads = reader.uint32()
              break
            }
            case 12: {
              obj.countedAt = reader.double()
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
          written: 0
        }

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
              if (opts.limits?.written != null && obj.written === opts.limits.written) {
                throw new MaxLengthError('Streaming decode error - repeated field "written" had too many elements')
              }

              yield {
                field: `${prefix}.written[]`,
                index: obj.written,
                value: reader.uint64Number()
              }

              obj.written++

              break
            }
            case 4: {
              yield {
                field: `${prefix}.verified`,
                value: reader.bool()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.queue`,
                value: BlobQueueName.codec().decode(reader)
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.prev`,
                value: reader.uint64Number()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.next`,
                value: reader.uint64Number()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.lastAccess`,
                value: reader.double()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.allocated`,
                value: reader.uint64Number()
              }
              break
            }
            case 10: {
              yield {
                field: `${prefix}.keep`,
                value: reader.bool()
              }
              break
            }
            case 11: {
              yield {
                field: `${prefix}.reads`,
                value: reader.uint32()
              }
              break
            }
            case 12: {
              yield {
                field: `${prefix}.countedAt`,
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

  export interface BlobValueHashFieldEvent {
    field: '$.hash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BlobValueSizeFieldEvent {
    field: '$.size'
    value: number
  }

  export interface BlobValueWrittenFieldEvent {
    field: '$.written[]'
    index: number
    value: number
  }

  export interface BlobValueVerifiedFieldEvent {
    field: '$.verified'
    value: boolean
  }

  export interface BlobValueQueueFieldEvent {
    field: '$.queue'
    value: BlobQueueName
  }

  export interface BlobValuePrevFieldEvent {
    field: '$.prev'
    value: number
  }

  export interface BlobValueNextFieldEvent {
    field: '$.next'
    value: number
  }

  export interface BlobValueLastAccessFieldEvent {
    field: '$.lastAccess'
    value: number
  }

  export interface BlobValueAllocatedFieldEvent {
    field: '$.allocated'
    value: number
  }

  export interface BlobValueKeepFieldEvent {
    field: '$.keep'
    value: boolean
  }

  export interface BlobValueReadsFieldEvent {
    field: '$.reads'
    value: number
  }

  export interface BlobValueCountedAtFieldEvent {
    field: '$.countedAt'
    value: number
  }

  export function encode (obj: Partial<BlobValue>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, BlobValue.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BlobValue>): BlobValue {
    return decodeMessage(buf, BlobValue.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BlobValue>): Generator<BlobValueHashFieldEvent | BlobValueSizeFieldEvent | BlobValueWrittenFieldEvent | BlobValueVerifiedFieldEvent | BlobValueQueueFieldEvent | BlobValuePrevFieldEvent | BlobValueNextFieldEvent | BlobValueLastAccessFieldEvent | BlobValueAllocatedFieldEvent | BlobValueKeepFieldEvent | BlobValueReadsFieldEvent | BlobValueCountedAtFieldEvent> {
    return streamMessage(buf, BlobValue.codec(), opts)
  }
}

export interface BlobQueueValue {
  head: number
  tail: number
  count: number
  bytes: number
}

export namespace BlobQueueValue {
  let _codec: Codec<BlobQueueValue>

  export const codec = (): Codec<BlobQueueValue> => {
    if (_codec == null) {
      _codec = message<BlobQueueValue>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.head != null && obj.head !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.head)
        }

        if ((obj.tail != null && obj.tail !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.tail)
        }

        if ((obj.count != null && obj.count !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.count)
        }

        if ((obj.bytes != null && obj.bytes !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.bytes)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          head: 0,
          tail: 0,
          count: 0,
          bytes: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.head = reader.uint64Number()
              break
            }
            case 2: {
              obj.tail = reader.uint64Number()
              break
            }
            case 3: {
              obj.count = reader.uint64Number()
              break
            }
            case 4: {
              obj.bytes = reader.uint64Number()
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
                field: `${prefix}.head`,
                value: reader.uint64Number()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.tail`,
                value: reader.uint64Number()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.count`,
                value: reader.uint64Number()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.bytes`,
                value: reader.uint64Number()
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

  export interface BlobQueueValueHeadFieldEvent {
    field: '$.head'
    value: number
  }

  export interface BlobQueueValueTailFieldEvent {
    field: '$.tail'
    value: number
  }

  export interface BlobQueueValueCountFieldEvent {
    field: '$.count'
    value: number
  }

  export interface BlobQueueValueBytesFieldEvent {
    field: '$.bytes'
    value: number
  }

  export function encode (obj: Partial<BlobQueueValue>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, BlobQueueValue.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BlobQueueValue>): BlobQueueValue {
    return decodeMessage(buf, BlobQueueValue.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BlobQueueValue>): Generator<BlobQueueValueHeadFieldEvent | BlobQueueValueTailFieldEvent | BlobQueueValueCountFieldEvent | BlobQueueValueBytesFieldEvent> {
    return streamMessage(buf, BlobQueueValue.codec(), opts)
  }
}
