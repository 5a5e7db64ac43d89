/**
 * Fuzzes the readers with thousands of seeded mutations of real files (test/fuzz/): every case
 * must decode or fail with a MedcolorError that is not ERR_INTERNAL, within a time bound (20x the
 * seed's own read time, at least 2 s) and a memory bound (256 MiB growth). Prints per reader the
 * verdicts, the refusal codes, the slowest cases and the largest memory growth, the time per case
 * as a ratio against reading the unmutated seeds (measured in the same run), and every finding
 * (replay one with the same --seed; the case index is printed).
 *
 * Run: npx tsx bench/fuzz-readers.ts [--cases 2000] [--seed 1] [--format dicom,nifti,raster,any] [--shared]
 *   --cases is per reader (`any` is decodeGrayInput, the one reader by content, on all seeds);
 *   --shared adds seeds from ../shared/data (more DICOM transfer syntaxes and photometrics, real
 *   JPEGs). Exit code 1 when there is a finding.
 */
import { parseArgs } from 'node:util';
import type { FuzzSeed } from '../test/fuzz/mutate.js';
import { describeFinding, runFuzz } from '../test/fuzz/run-fuzz.js';
import { dicomSeeds, niftiSeeds, rasterSeeds, READERS } from '../test/fuzz/seeds.js';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '2000' },
    seed: { type: 'string', default: '1' },
    format: { type: 'string', default: 'dicom,nifti,raster,any' },
    shared: { type: 'boolean', default: false },
  },
});
const count = Number(values.cases);
const rngSeed = Number(values.seed);
const formats = values.format.split(',') as (keyof typeof READERS)[];

const seedsOf: Record<keyof typeof READERS, () => Promise<FuzzSeed[]>> = {
  dicom: () => dicomSeeds(values.shared),
  nifti: niftiSeeds,
  raster: () => rasterSeeds(values.shared),
  any: async () => [...(await dicomSeeds(values.shared)), ...(await niftiSeeds()), ...(await rasterSeeds(values.shared))],
};
const mib = (b: number) => (b / 2 ** 20).toFixed(1);

const rssStart = process.memoryUsage().rss;
let findings = 0;
for (const format of formats) {
  const seeds = await seedsOf[format]();
  const r = await runFuzz(seeds, READERS[format], { count, rngSeed });
  const tally = (key: (o: (typeof r.outcomes)[number]) => string | undefined) => {
    const m: Record<string, number> = {};
    for (const o of r.outcomes) {
      const k = key(o);
      if (k) m[k] = (m[k] ?? 0) + 1;
    }
    return Object.entries(m).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ');
  };
  const seedMean = Object.values(r.seedMs).reduce((a, b) => a + b, 0) / seeds.length;
  const caseMean = r.casesMs / count;
  console.log(`\n${format}: ${count} cases over ${seeds.length} seeds (rng seed ${rngSeed})`);
  for (const bad of r.badSeeds) console.log(`  seed does not decode unmutated: ${bad}`);
  console.log(`  verdicts: ${tally((o) => o.verdict)}`);
  console.log(`  refusal codes: ${tally((o) => o.code)}`);
  console.log(`  ${caseMean.toFixed(1)} ms per case (${(1000 / caseMean).toFixed(0)} cases/s) vs ${seedMean.toFixed(1)} ms per unmutated seed: ratio ${(caseMean / seedMean).toFixed(2)}`);
  const slowest = [...r.outcomes].sort((a, b) => b.ms - a.ms).slice(0, 3);
  console.log(`  slowest: ${slowest.map((o) => `#${o.index} ${o.seed} ${o.ms.toFixed(0)} ms (seed ${r.seedMs[o.seed].toFixed(0)} ms)`).join('; ')}`);
  const biggest = [...r.outcomes].sort((a, b) => b.memoryGrowth - a.memoryGrowth)[0];
  console.log(`  largest memory growth: ${mib(biggest.memoryGrowth)} MiB (#${biggest.index} ${biggest.seed}: ${biggest.mutations.join('; ')})`);
  console.log(`  findings: ${r.findings.length}`);
  for (const f of r.findings) console.log(`    ${describeFinding(f)}`);
  findings += r.findings.length + r.badSeeds.length;
}
console.log(`\nresident memory: ${mib(rssStart)} MiB at start, ${mib(process.memoryUsage().rss)} MiB at the end`);
process.exitCode = findings ? 1 : 0;
