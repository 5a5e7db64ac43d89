/** Runs `medcolor` as a separate process (the way users run it) and collects its output. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** The CLI's sources, run through tsx (so a stale dist/ never stands in for them). */
export const MAIN = join(import.meta.dirname, '../../src/cli/main.ts');

/** Arguments of `node` that run `medcolor ...args`. */
export function medcolorArgv(args: string[]): string[] {
  return ['--import', 'tsx', MAIN, ...args];
}

/** Runs `medcolor ...args`; resolves with the exit code and output. */
export function runMedcolor(args: string[], options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, medcolorArgv(args), { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => p.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    p.on('error', reject);
    p.on('exit', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}
