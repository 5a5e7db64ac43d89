/**
 * Writes the "Confidence" and "Out of domain" sections of each model card (models/NAME.md,
 * between `<!-- trust:begin -->` and `<!-- trust:end -->`, placed before "## Reproduce" the first
 * time) and the two tables of docs/trust.md, from the JSON files of the measuring scripts:
 *
 *   npx tsx scripts/sparsification.ts PREPARED_ROOT --json runs/sparsification.json
 *   npx tsx scripts/sparsification.ts PREPARED_ROOT --estimate flip --json runs/sparsification-flip.json
 *   npx tsx scripts/domain-matrix.ts PREPARED_ROOT --json runs/domain-matrix.json
 *   npx tsx scripts/write-trust-sections.ts runs/sparsification.json runs/sparsification-flip.json runs/domain-matrix.json
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomicSync } from '../src/io/atomic.js';
import { readOnnxMetadata } from '../src/methods/model.js';
import { META } from '../src/models/contract.js';

interface Row { images: number; split: string; confidentHalf: number; unsureHalf: number; ause: number; auseRandom: number }
const [tableJson, flipJson, matrixJson] = process.argv.slice(2);
if (!matrixJson) {
  console.error('usage: write-trust-sections SPARSIFICATION.json FLIP.json MATRIX.json');
  process.exit(2);
}
const root = resolve(import.meta.dirname, '..');
const table = JSON.parse(readFileSync(tableJson, 'utf8')) as Record<string, Row>;
const flip = JSON.parse(readFileSync(flipJson, 'utf8')) as Record<string, Row>;
const matrix = JSON.parse(readFileSync(matrixJson, 'utf8')) as Record<string, Record<string, { images: number; warned: number }>>;
const f = (v: number) => v.toFixed(2);
const pct = (c: { images: number; warned: number }) => `${Math.round((100 * c.warned) / c.images)}%`;
const HEAD = '| estimate | images | dE2000, most confident half | least confident half | AUSE | AUSE, random order |\n|---|---:|---:|---:|---:|---:|';
const row = (label: string, r: Row) => `| ${label} | ${r.images} | ${f(r.confidentHalf)} | ${f(r.unsureHalf)} | ${f(r.ause)} | ${f(r.auseRandom)} |`;

/** Replaces the text between two markers (inclusive); undefined when the markers are missing. */
function replaceBetween(text: string, begin: string, end: string, body: string): string | undefined {
  const a = text.indexOf(begin), b = text.indexOf(end);
  if (a < 0 || b < a) return undefined;
  return `${text.slice(0, a)}${begin}\n${body}\n${text.slice(b)}`;
}

/** The head a shipped model declares (metadata medcolor.head; absent = regression). */
function headOf(name: string): string {
  const file = join(root, 'models', `${name}.onnx`);
  return (existsSync(file) && readOnnxMetadata(new Uint8Array(readFileSync(file)))[META.head]) || 'regression';
}

for (const [name, r] of Object.entries(table)) {
  const card = join(root, 'models', `${name}.md`);
  if (!existsSync(card)) continue;
  const m = matrix[name];
  const cols = m ? Object.keys(m) : [];
  const section = [
    '## Confidence',
    '',
    `Per-pixel confidence (\`medcolor colorize --confidence\`, docs/trust.md) on the ${r.images} images of \`${r.split}/val\` at 256x256:`,
    'pixels ordered by confidence, mean CIEDE2000 of the more and the less confident half, and the area between the',
    'sparsification curve and the oracle (AUSE; lower is better; a random order for comparison).',
    '',
    HEAD,
    ...(headOf(name) === 'classification'
      ? [row('entropy of the predicted a*b* distribution (1 - H / ln Q; classification head)', r)]
      : [
          row('error table (shipped: L*, chroma, flip spread -> expected error on the train split)', r),
          ...(flip[name] ? [row('agreement of mirrored predictions alone (tried first)', flip[name])] : []),
        ]),
    '',
    `The most confident half has ${Math.round(100 * (1 - r.confidentHalf / r.unsureHalf))}% less error than the least confident half.`,
    '',
    '## Out of domain',
    '',
    'Share of images that warn `WARN_OUT_OF_DOMAIN` with this model (threshold: the 97th percentile of its own val split):',
    '',
    ...(m ? [`| ${cols.map((c) => `${c} (${m[c].images})`).join(' | ')} |`, `|${cols.map(() => '---:').join('|')}|`, `| ${cols.map((c) => pct(m[c])).join(' | ')} |`] : ['(not measured)']),
    '',
    'Reproduce: `npx tsx scripts/describe-domain.ts models/NAME.onnx --data PREPARED/DATASET` (writes both metadata',
    'entries), then `npx tsx scripts/sparsification.ts PREPARED_ROOT --models NAME` and',
    '`npx tsx scripts/domain-matrix.ts PREPARED_ROOT`.',
  ].join('\n').replace(/models\/NAME\.onnx/, `models/${name}.onnx`).replace(/--models NAME/, `--models ${name}`).replace('PREPARED/DATASET', `PREPARED/${r.split}`);
  let text = readFileSync(card, 'utf8');
  const BEGIN = '<!-- trust:begin -->', END = '<!-- trust:end -->';
  const replaced = replaceBetween(text, BEGIN, END, section);
  if (replaced) text = replaced;
  else {
    const at = text.indexOf('## Reproduce');
    const block = `${BEGIN}\n${section}\n${END}\n\n`;
    text = at < 0 ? `${text.trimEnd()}\n\n${block}` : text.slice(0, at) + block + text.slice(at);
  }
  writeFileAtomicSync(card, text);
  console.log(`${card}: confidence and out-of-domain sections`);
}

const doc = join(root, 'docs/trust.md');
let text = readFileSync(doc, 'utf8');
const sp = ['| model | val split | images | dE2000, most confident half | least confident half | AUSE | AUSE, random order |', '|---|---|---:|---:|---:|---:|---:|',
  ...Object.entries(table).map(([n, r]) => `| ${n} | ${r.split}/val | ${r.images} | **${f(r.confidentHalf)}** | ${f(r.unsureHalf)} | **${f(r.ause)}** | ${f(r.auseRandom)} |`)].join('\n');
text = replaceBetween(text, '<!-- sparsification:begin -->', '<!-- sparsification:end -->', sp) ?? text;
const names = Object.keys(matrix), cols = names.length ? Object.keys(matrix[names[0]]) : [];
const mt = [`| model \\ images | ${cols.map((c) => `${c} (${matrix[names[0]][c].images})`).join(' | ')} |`, `|---|${cols.map(() => '---:').join('|')}|`,
  ...names.map((n) => `| ${n} | ${cols.map((c) => pct(matrix[n][c])).join(' | ')} |`)].join('\n');
text = replaceBetween(text, '<!-- domain-matrix:begin -->', '<!-- domain-matrix:end -->', mt) ?? text;
writeFileAtomicSync(doc, text);
console.log(`${doc}: tables`);
