/**
 * The server's options (the flags of `medcolor serve`) with their defaults, and the parser of
 * human byte sizes such as `256MB`.
 */
import { MedcolorError } from '../errors.js';

/** Options of {@link createServerApp}; every field has a documented default. */
export interface ServerOptions {
  /** Bearer token the API requires (compared in constant time); none: the API is open. */
  token?: string;
  /** Largest request body in bytes (default 256 MiB); larger bodies get 413. */
  maxBodyBytes?: number;
  /** Largest image in pixels (width x height x frames; default 100 megapixels); larger ones get 413. */
  maxPixels?: number;
  /** Colorizations running at once (default 1: one per core is the most a 2-core machine gains from). */
  concurrency?: number;
  /** Requests waiting for a slot beyond `concurrency` (default 16); more get 429. */
  queue?: number;
  /** Seconds a request may wait and run before 504 (default 120). */
  timeoutSeconds?: number;
  /** Origin allowed by CORS; default none (CORS off). */
  cors?: string;
  /** Redis URL: jobs go through BullMQ on it instead of the server's own process. */
  redis?: string;
  /** Log level (pino), default 'info'; 'silent' for none. */
  logLevel?: string;
  /** Where log lines go (default stdout); tests capture them here. */
  logStream?: { write(line: string): unknown };
  /** Folder the server's in-process file jobs may read and write below (default: none, file jobs refused). */
  jobRoot?: string;
}

/** The options with every default filled in. */
export type ResolvedServerOptions = Required<Omit<ServerOptions, 'token' | 'cors' | 'redis' | 'logStream' | 'jobRoot'>> &
  Pick<ServerOptions, 'token' | 'cors' | 'redis' | 'logStream' | 'jobRoot'>;

export const SERVER_DEFAULTS = {
  maxBodyBytes: 256 * 1024 * 1024,
  maxPixels: 100_000_000,
  concurrency: 1,
  queue: 16,
  timeoutSeconds: 120,
  logLevel: 'info',
} as const;

/** Fills in the defaults and checks the ranges. */
export function resolveServerOptions(options: ServerOptions): ResolvedServerOptions {
  const r = { ...SERVER_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as ResolvedServerOptions;
  const positive = (name: string, v: number, min: number) => {
    if (!Number.isFinite(v) || v < min) throw new MedcolorError('ERR_USAGE', `${name} must be a number >= ${min}; found ${v}`);
  };
  positive('maxBodyBytes', r.maxBodyBytes, 1);
  positive('maxPixels', r.maxPixels, 1);
  positive('concurrency', r.concurrency, 1);
  positive('queue', r.queue, 0);
  positive('timeoutSeconds', r.timeoutSeconds, 0.001);
  if (r.token !== undefined && r.token.length === 0) throw new MedcolorError('ERR_USAGE', 'the token is empty; give a non-empty token or none');
  return r;
}

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3 };

/**
 * Parses a byte size: a number with an optional unit (B, KB, MB, GB; binary multiples, case-insensitive).
 *
 * @example
 * parseByteSize('256MB'); // 268435456
 */
export function parseByteSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = m ? UNITS[m[2].toLowerCase()] : undefined;
  if (!m || unit === undefined) {
    throw new MedcolorError('ERR_USAGE', `expected a size such as 256MB, 64KB or 1048576; found "${text}"`);
  }
  const n = Math.round(Number(m[1]) * unit);
  if (n < 1) throw new MedcolorError('ERR_USAGE', `the size must be at least 1 byte; found "${text}"`);
  return n;
}
