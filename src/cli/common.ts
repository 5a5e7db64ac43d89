/**
 * Helpers shared by the CLI commands: exit codes, input expansion (files, folders, globs),
 * a progress bar on stderr, option parsing.
 */
import { closeSync, existsSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import cliProgress from 'cli-progress';
import { MedcolorError, isMedcolorError } from '../errors.js';

/** Exit codes of every medcolor command (also printed by `medcolor --help` and in docs/cli.md). */
export const EXIT = {
  /** Everything succeeded. */
  OK: 0,
  /** Some inputs failed (each was reported); the others were processed. */
  SOME_FAILED: 1,
  /** Usage error: unknown option or command, bad option value, no inputs. */
  USAGE: 2,
  /** The requested model or method is not available (unknown name, bad model file). */
  UNAVAILABLE: 3,
  /** Output could not be written (folder not writable, disk full). */
  OUTPUT: 4,
  /** Every input failed. */
  ALL_FAILED: 5,
  /** Internal error (a bug: please report it with the message). */
  INTERNAL: 70,
} as const;

export const EXIT_CODES_HELP = `
Exit codes:
  0   success
  1   some inputs failed (each is reported; the others were processed)
  2   usage error (unknown option, bad value, no inputs)
  3   model or method not available (unknown name, invalid model file)
  4   output could not be written
  5   every input failed
  70  internal error`;

/** Error codes that mean "the model or method is not available". */
const UNAVAILABLE_CODES = new Set([
  'ERR_MODEL_NOT_FOUND',
  'ERR_MODEL_FORMAT',
  'ERR_MODEL_CONTRACT',
  'ERR_METHOD_NOT_FOUND',
  'ERR_UNKNOWN_METHOD',
]);

/** The exit code for an error that stops a whole command. */
export function exitCodeFor(e: unknown): number {
  if (isMedcolorError(e)) {
    if (e.code === 'ERR_USAGE' || e.code === 'ERR_INPUT_NOT_FOUND') return EXIT.USAGE;
    if (UNAVAILABLE_CODES.has(e.code) || /^ERR_(MODEL|METHOD)_/.test(e.code)) return EXIT.UNAVAILABLE;
    if (e.code === 'ERR_OUTPUT' || e.code === 'ERR_WRITE') return EXIT.OUTPUT;
    return EXIT.SOME_FAILED;
  }
  return EXIT.INTERNAL;
}

/** One line for stderr: `code: message`. */
export function describeError(e: unknown): string {
  if (isMedcolorError(e)) return `${e.code}: ${e.message}`;
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

/** Throws a usage error. */
export function usage(message: string): never {
  throw new MedcolorError('ERR_USAGE', message);
}

const GLOB_CHARS = /[*?[\]{}]/;

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // `**/` matches zero or more folders.
        i++;
        if (glob[i + 1] === '/') {
          i++;
          re += '(?:.*/)?';
        } else re += '.*';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '{') {
      const end = glob.indexOf('}', i);
      if (end < 0) re += '\\{';
      else {
        re += '(?:' + glob.slice(i + 1, end).split(',').map((s) => s.replace(/[.+^$()|\\]/g, '\\$&')).join('|') + ')';
        i = end;
      }
    } else if (c === '[') {
      const end = glob.indexOf(']', i);
      if (end < 0) re += '\\[';
      else {
        re += '[' + glob.slice(i + 1, end).replace(/^!/, '^') + ']';
        i = end;
      }
    } else re += c.replace(/[.+^$()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Walks a folder lazily, sorted by name, skipping dot-files. */
export function* walkFiles(dir: string): Generator<string> {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* walkFiles(p);
    else if (e.isFile() || e.isSymbolicLink()) yield p;
  }
}

/** Options of {@link expandInputs}. */
export interface ExpandOptions {
  /** Keep only files whose name passes this test when walking folders and globs (explicit files always pass). */
  accept?: (file: string) => boolean;
}

/**
 * Expands CLI inputs lazily (memory stays flat over huge folders): a file is itself, a folder is
 * every accepted file under it (recursively, sorted), a glob (`*`, `?`, `**`, `{a,b}`, `[..]`) is
 * matched while walking from its fixed prefix. Nonexistent paths are yielded as `{missing}`.
 *
 * @example
 * for (const item of expandInputs(['scans/', 'more/*.dcm'])) ...
 */
export function* expandInputs(inputs: string[], options: ExpandOptions = {}): Generator<{ file: string; missing?: boolean }> {
  const accept = options.accept ?? (() => true);
  for (const input of inputs) {
    if (existsSync(input)) {
      const st = statSync(input);
      if (st.isDirectory()) {
        for (const f of walkFiles(input)) if (accept(f)) yield { file: f };
      } else yield { file: input };
      continue;
    }
    if (!GLOB_CHARS.test(input)) {
      yield { file: input, missing: true };
      continue;
    }
    const norm = input.split(sep).join('/');
    const parts = norm.split('/');
    const fixed: string[] = [];
    while (parts.length > 1 && !GLOB_CHARS.test(parts[0])) fixed.push(parts.shift()!);
    const base = fixed.length ? fixed.join('/') || '/' : '.';
    const re = globToRegExp(parts.join('/'));
    let any = false;
    for (const f of walkFiles(base)) {
      const rel = f.slice(base === '.' ? 0 : base.length).replace(/^[\\/]+/, '').split(sep).join('/');
      const relFromDot = base === '.' ? f.split(sep).join('/').replace(/^\.\//, '') : rel;
      if (re.test(relFromDot) && accept(f)) {
        any = true;
        yield { file: f };
      }
    }
    if (!any) yield { file: input, missing: true };
  }
}

/**
 * Writes a file atomically and synchronously (temporary name in the same folder, fsync, rename);
 * the synchronous twin of io/atomic.ts for code that cannot await (e.g. a SIGINT handler).
 *
 * @example
 * writeFileAtomic('out/summary.json', json);
 */
export function writeFileAtomic(file: string, data: Uint8Array | string): void {
  const tmp = join(dirname(file), `.${basename(file)}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  try {
    const fd = openSync(tmp, 'w');
    try {
      const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new MedcolorError('ERR_OUTPUT', `cannot write ${file}: ${(e as Error).message}`, { file, cause: e });
  }
}

/** A progress display on stderr that is silent when quiet or when stderr is not a terminal. */
export interface Progress {
  /** Whether a bar is shown (false when quiet or stderr is not a terminal). */
  readonly enabled: boolean;
  start(total: number): void;
  tick(label?: string): void;
  /** Prints a line without breaking the bar. */
  log(line: string): void;
  stop(): void;
}

/** Creates the progress bar (cli-progress) unless `quiet` or stderr is not a TTY. */
export function createProgress(quiet: boolean): Progress {
  const enabled = !quiet && process.stderr.isTTY === true;
  if (!enabled) {
    return {
      enabled: false,
      start() {},
      tick() {},
      log(line) {
        process.stderr.write(line + '\n');
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: ' {bar} {value}/{total} {label}', hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let total = 0, value = 0;
  return {
    enabled: true,
    start(t) {
      total = t;
      bar.start(Math.max(t, 1), 0, { label: '' });
    },
    tick(label = '') {
      value++;
      if (value > total) bar.setTotal((total = value));
      bar.update(value, { label: label.length > 40 ? '…' + label.slice(-39) : label });
    },
    log(line) {
      process.stderr.write('\r\x1b[K' + line + '\n');
    },
    stop() {
      bar.stop();
    },
  };
}

/** Parses `C,W` (window center, width). */
export function parseWindowOption(v: string): { center: number; width: number } {
  const m = v.split(',').map((s) => Number(s.trim()));
  if (m.length !== 2 || !m.every(Number.isFinite) || m[1] <= 0) {
    usage(`--window expects CENTER,WIDTH with WIDTH > 0 (e.g. 40,400); found "${v}"`);
  }
  return { center: m[0], width: m[1] };
}

/** Parses a positive integer option. */
export function parseIntOption(name: string, v: string, min = 1, max = 1 << 20): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) usage(`${name} expects an integer ${min}..${max}; found "${v}"`);
  return n;
}

/** A path relative to the current folder when it is below it. */
export function displayPath(p: string): string {
  const abs = resolve(p), cwd = process.cwd() + sep;
  return abs.startsWith(cwd) ? abs.slice(cwd.length) : p;
}
