/** Runs `medcolor` as a separate process (the way users run it) and collects its output. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** The CLI's sources, run through tsx (so a stale dist/ never stands in for them). */
export const MAIN = join(import.meta.dirname, '../src/cli/main.ts');
/** The installed entry point (`bin/medcolor.js`, which runs dist/ when built). */
export const BIN = join(import.meta.dirname, '../bin/medcolor.js');

/** Arguments of `node` that run `medcolor ...args`. */
export function medcolorArgv(args: string[]): string[] {
  return ['--import', 'tsx', MAIN, ...args];
}

export interface RunOptions {
  env?: Record<string, string>;
  /** Working folder of the process (default: this one's). */
  cwd?: string;
  /** Run `bin/medcolor.js` as a user's shell would, instead of the sources through tsx. */
  bin?: boolean;
  timeoutMs?: number;
}

/** Runs `medcolor ...args`; resolves with the exit code (-1 when killed by a signal) and output. */
export function runMedcolor(args: string[], options: RunOptions = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const argv = options.bin ? [BIN, ...args] : medcolorArgv(args);
    const p = spawn(process.execPath, argv, {
      cwd: options.cwd,
      env: { ...process.env, FORCE_COLOR: '0', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '', stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => p.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(t);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}
