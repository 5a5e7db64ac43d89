/**
 * Helpers shared by the CLI commands: exit codes, a progress bar on stderr, option parsing.
 * (Input expansion, files, folders and globs, is the library's: io/expand-inputs.ts.)
 */
import { resolve, sep } from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { EXIT, MedcolorError, exitCodeOf, isMedcolorError } from '../errors.js';

export { EXIT } from '../errors.js';

export const EXIT_CODES_HELP = `
Exit codes:
  0   success
  1   some inputs failed (each is reported; the others were processed)
  2   usage error (unknown option, bad value, no inputs)
  3   model or method not available (unknown name, invalid model file)
  4   output could not be written
  5   every input failed
  70  internal error`;

/** The exit code for an error that stops a whole command (the table in src/errors.ts; 70 for anything else). */
export function exitCodeFor(e: unknown): number {
  return isMedcolorError(e) ? exitCodeOf(e.code) : EXIT.INTERNAL;
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

/** Parses a number option in 0..1. */
export function parseFractionOption(name: string, v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) usage(`${name} expects a number 0..1; found "${v}"`);
  return n;
}

/** A pipeline warning as printed: 'warning: WARN_...' for a WARN_ code, else 'notice: ...'. */
export function labelWarning(w: string): string {
  return `${w.startsWith('WARN_') ? 'warning' : 'notice'}: ${w}`;
}

/** A path relative to the current folder when it is below it. */
export function displayPath(p: string): string {
  const abs = resolve(p), cwd = process.cwd() + sep;
  return abs.startsWith(cwd) ? abs.slice(cwd.length) : p;
}

/** Adds `--host` (default loopback) and `--port` (0 = any free port) to a command that listens. */
export function addListenOptions(command: Command, defaultPort = '8080'): Command {
  return command
    .option('--host <addr>', 'interface to listen on (0.0.0.0 for every interface)', '127.0.0.1')
    .option('--port <n>', 'TCP port (0 = any free port)', defaultPort);
}

/** The `--port` value of a command that listens, checked. */
export function parsePortOption(v: string): number {
  return parseIntOption('--port', v, 0, 65535);
}
