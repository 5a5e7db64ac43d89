/**
 * Checkpoints: parameters, non-trainable state, optimizer state, step and RNG state in one
 * file, written atomically (temporary name, then rename).
 *
 * Format: 8 bytes magic "MCCKPT01", uint32 header length, JSON header
 * ({ entries: [{ name, shape, offset, length }], meta }), then float32 data (little-endian).
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { MedcolorError } from '../errors.js';

const MAGIC = 'MCCKPT01';

export interface CheckpointData {
  /** Every tensor by name (parameters, state, optimizer slots). */
  tensors: Map<string, Float32Array>;
  /** Anything JSON: step, epoch, rng state, options, best metric, ... */
  meta: Record<string, unknown>;
}

/**
 * Writes a checkpoint atomically.
 *
 * @example
 * saveCheckpoint('run/last.ckpt', { tensors: store.values, meta: { step: 100 } });
 */
export function saveCheckpoint(file: string, data: CheckpointData, shapes?: Map<string, number[]>): void {
  const entries: { name: string; shape: number[]; offset: number; length: number }[] = [];
  let offset = 0;
  for (const [name, v] of data.tensors) {
    entries.push({ name, shape: shapes?.get(name) ?? [v.length], offset, length: v.length });
    offset += v.length;
  }
  const header = new TextEncoder().encode(JSON.stringify({ entries, meta: data.meta }));
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    const head = Buffer.alloc(12);
    head.write(MAGIC, 0, 'latin1');
    head.writeUInt32LE(header.length, 8);
    writeSync(fd, head);
    writeSync(fd, header);
    for (const v of data.tensors.values()) writeSync(fd, new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, file);
}

/** Reads a checkpoint written by saveCheckpoint. */
export function loadCheckpoint(file: string): CheckpointData & { shapes: Map<string, number[]> } {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (e) {
    throw new MedcolorError('ERR_CHECKPOINT', `cannot read checkpoint: ${(e as Error).message}`, { file });
  }
  if (buf.length < 12 || buf.toString('latin1', 0, 8) !== MAGIC) {
    throw new MedcolorError('ERR_CHECKPOINT', `not a medcolor checkpoint (expected magic ${MAGIC})`, { file });
  }
  const hlen = buf.readUInt32LE(8);
  const header = JSON.parse(buf.toString('utf8', 12, 12 + hlen)) as {
    entries: { name: string; shape: number[]; offset: number; length: number }[];
    meta: Record<string, unknown>;
  };
  const dataStart = 12 + hlen;
  const tensors = new Map<string, Float32Array>();
  const shapes = new Map<string, number[]>();
  for (const e of header.entries) {
    const start = dataStart + e.offset * 4;
    if (start + e.length * 4 > buf.length) throw new MedcolorError('ERR_CHECKPOINT', `checkpoint is truncated at tensor '${e.name}'`, { file });
    const copy = new Float32Array(e.length);
    new Uint8Array(copy.buffer).set(buf.subarray(start, start + e.length * 4));
    tensors.set(e.name, copy);
    shapes.set(e.name, e.shape);
  }
  return { tensors, meta: header.meta, shapes };
}
