/**
 * What every benchmark reads from its command line, and the statistic it reports: one copy for
 * all of bench/ (a folder of its own, so that `npm run bench` does not run it as a benchmark).
 */

/** The command-line arguments after the script. */
export const benchArgs = process.argv.slice(2);

/**
 * The value after `--name` on the command line, or `fallback` when the flag is absent.
 *
 * @example
 * const reps = Number(benchArg('--reps', '8'));
 */
export function benchArg(name: string, fallback: string): string {
  const i = benchArgs.indexOf(name);
  return i >= 0 ? benchArgs[i + 1] : fallback;
}

/** The median (the upper one of an even count), the figure every benchmark reports. */
export function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[values.length >> 1];
}
