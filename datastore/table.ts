import { Key } from 'interface-datastore'

/** Turns a table's typed key into the ASCII part after `/<table>/` and back (see keys.ts). */
export interface KeyCodec<K> {
  encode: (key: K) => string
  decode: (encoded: string) => K
}

/** Turns a table's typed value into compact bytes and back (protobuf or a documented layout). */
export interface ValueCodec<V> {
  encode: (value: V) => Uint8Array
  decode: (bytes: Uint8Array) => V
}

/**
 * A typed table: one key prefix `/<name>/` inside a store. Tables hold no
 * state; they are read through a `Store` and written through a `Batch`, so
 * writes to several tables commit together.
 */
export class Table<K, V> {
  readonly prefix: string

  constructor (readonly name: string, readonly keys: KeyCodec<K>, readonly values: ValueCodec<V>) {
    if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`bad table name ${name}`)
    this.prefix = `/${name}/`
  }

  key (key: K): Key {
    return new Key(this.prefix + this.keys.encode(key), false)
  }

  /** The encoded key of a raw datastore key of this table. */
  decodeKey (raw: string): K {
    return this.keys.decode(raw.slice(this.prefix.length))
  }
}
