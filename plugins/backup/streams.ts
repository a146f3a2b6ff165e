import { Transform, Writable, type Readable, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip, createGzip } from "node:zlib";
import type { FileHandle } from "node:fs/promises";

/** Passes bytes through, keeping the first and last few KB and the count, to check a dump's shape. */
export class Tap extends Transform {
  head = Buffer.alloc(0);
  tail = Buffer.alloc(0);
  bytes = 0;
  readonly #keep: number;

  constructor(keep = 4096) {
    super();
    this.#keep = keep;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.head.length < this.#keep) this.head = Buffer.concat([this.head, chunk.subarray(0, this.#keep - this.head.length)]);
    this.tail = Buffer.concat([this.tail, chunk]).subarray(-this.#keep);
    callback(null, chunk);
  }
}

/**
 * Streams `source` into an open file (gunzip or gzip in between when asked); the
 * handle stays open for fsync. A write error (ENOSPC) rejects with node's error code.
 */
export async function streamToHandle(source: Readable, handle: FileHandle, options: { gzipLevel?: number; gunzip?: boolean; tap?: Tap } = {}): Promise<void> {
  const stages: (NodeJS.ReadableStream | NodeJS.WritableStream | NodeJS.ReadWriteStream)[] = [source];
  if (options.gunzip) stages.push(createGunzip());
  if (options.tap) stages.push(options.tap);
  if (options.gzipLevel) stages.push(createGzip({ level: options.gzipLevel }));
  // Not handle.createWriteStream(): a FileHandle's close() waits for its streams, and this
  // one must stay open for fsync.
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      writeAll(handle, chunk).then(() => callback(), callback);
    },
  });
  // The array overload's types differ between @types/node versions; the call is the same in each.
  await (pipeline as unknown as (streams: readonly (NodeJS.ReadableStream | NodeJS.WritableStream)[]) => Promise<void>)([...stages, sink]);
}

async function writeAll(handle: FileHandle, chunk: Buffer): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset);
    offset += bytesWritten;
  }
}
