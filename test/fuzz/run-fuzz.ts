/**
 * One fuzz campaign over one reader: time each unmutated seed (the reference for the time bound),
 * then generate and judge `count` seeded cases. Used by test/fuzz/fuzz-readers.test.ts (a few
 * hundred cases) and bench/fuzz-readers.ts (thousands).
 */
import { checkCase, isFinding, type CaseOutcome } from './check-case.js';
import { generateCases, type FuzzCase, type FuzzSeed } from './mutate.js';

export interface FuzzOptions {
  count: number;
  rngSeed: number;
  /** A case may take this many times its seed's own read time ... */
  timeFactor?: number;
  /** ... but at least this many ms (default 2000: the machine may be shared). */
  minTimeMs?: number;
  /** Memory growth allowed over one case (default 256 MiB; no seed decodes to more than ~100 MiB). */
  maxMemoryGrowth?: number;
}

export interface FuzzReport {
  outcomes: CaseOutcome[];
  findings: CaseOutcome[];
  /** Read time of each unmutated seed, ms. */
  seedMs: Record<string, number>;
  /** Seeds that did not decode unmutated (a broken seed makes the campaign meaningless). */
  badSeeds: string[];
  /** Wall time of the cases alone, ms. */
  casesMs: number;
}

/**
 * Runs a campaign.
 *
 * @example
 * const r = await runFuzz(await dicomSeeds(), READERS.dicom, { count: 200, rngSeed: 1 });
 * expect(r.findings).toEqual([]);
 */
export async function runFuzz(
  seeds: FuzzSeed[],
  read: (bytes: Uint8Array, c: FuzzCase) => Promise<unknown>,
  options: FuzzOptions,
): Promise<FuzzReport> {
  const timeFactor = options.timeFactor ?? 20;
  const minTimeMs = options.minTimeMs ?? 2000;
  const maxMemoryGrowth = options.maxMemoryGrowth ?? 2 ** 28;
  const seedMs: Record<string, number> = {};
  const badSeeds: string[] = [];
  for (const seed of seeds) {
    // Index 0: the reader's most expensive mode (every frame of a multi-frame DICOM). One cold read
    // (codecs may load in it): a generous reference, which is what a bound for hangs needs.
    const plain: FuzzCase = { index: 0, seed, bytes: seed.bytes, mutations: [], gzip: false };
    const o = await checkCase(plain, read, { timeMs: Infinity, maxMemoryGrowth: Infinity });
    seedMs[seed.name] = o.ms;
    if (o.verdict !== 'decoded') badSeeds.push(`${seed.name}: ${o.verdict} ${o.message ?? ''}`);
  }
  const outcomes: CaseOutcome[] = [];
  const t0 = performance.now();
  for (const c of generateCases(seeds, options.count, options.rngSeed)) {
    const timeMs = Math.max(minTimeMs, timeFactor * seedMs[c.seed.name]);
    outcomes.push(await checkCase(c, read, { timeMs, maxMemoryGrowth }));
  }
  const casesMs = performance.now() - t0;
  return { outcomes, findings: outcomes.filter(isFinding), seedMs, badSeeds, casesMs };
}

/** One line per finding: replayable by rng seed and case index. */
export function describeFinding(o: CaseOutcome): string {
  return `#${o.index} ${o.seed} [${o.mutations.join('; ')}] -> ${o.verdict}: ${o.message ?? ''}`;
}
