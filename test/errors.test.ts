/**
 * The error-code table: docs/cli.md lists exactly the codes of src/errors.ts with their exit
 * codes, every code thrown in src/ is in the table, and the CLI maps codes to exits by it.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, EXIT, MedcolorError, exitCodeOf } from '../src/errors.js';
import { EXIT_CODES_HELP, exitCodeFor } from '../src/cli/common.js';
import { readDocumentedTable, renderErrorTable } from '../scripts/write-error-docs.js';

const src = resolve(import.meta.dirname, '../src');

function* sources(dir: string): Generator<string> {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) yield* sources(p);
    else if (p.endsWith('.ts')) yield p;
  }
}

describe('error codes', () => {
  it('docs/cli.md holds the table generated from src/errors.ts (npx tsx scripts/write-error-docs.ts)', () => {
    const documented = readDocumentedTable();
    expect(documented, 'docs/cli.md has no <!-- error-codes:begin --> ... end markers').toBeDefined();
    // Row by row, so a mismatch names the code.
    const rows = (t: string) => Object.fromEntries(t.split('\n').slice(2).map((r) => [r.split('|')[1].trim(), r]));
    expect(rows(documented!)).toEqual(rows(renderErrorTable()));
    expect(documented).toBe(renderErrorTable());
  });

  it('every code thrown in src/ is in the table, and every code in the table is used', () => {
    const used = new Set<string>(), thrown = new Set<string>();
    for (const f of sources(src)) {
      if (f === join(src, 'errors.ts')) continue;
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/'(ERR_[A-Z0-9_]+)'/g)) used.add(m[1]);
      for (const m of text.matchAll(/MedcolorError\(\s*'(ERR_[A-Z0-9_]+)'/g)) thrown.add(m[1]);
    }
    const table = new Set(Object.keys(ERROR_CODES));
    expect([...thrown].filter((c) => !table.has(c))).toEqual([]);
    // A code only in the table is never thrown: documented but unused.
    expect([...table].filter((c) => !used.has(c))).toEqual([]);
  });

  it('exit codes come from the table; the help text and docs list the same exit codes', () => {
    expect(exitCodeOf('ERR_USAGE')).toBe(EXIT.USAGE);
    expect(exitCodeOf('ERR_MODEL_NOT_FOUND')).toBe(EXIT.UNAVAILABLE);
    expect(exitCodeOf('ERR_OUTPUT')).toBe(EXIT.OUTPUT);
    expect(exitCodeOf('ERR_FILE_NOT_FOUND')).toBe(EXIT.SOME_FAILED);
    expect(exitCodeFor(new MedcolorError('ERR_IMAGE_TOO_LARGE', 'x'))).toBe(EXIT.SOME_FAILED);
    expect(exitCodeFor(new TypeError('bug'))).toBe(EXIT.INTERNAL);
    const docs = readFileSync(resolve(import.meta.dirname, '../docs/cli.md'), 'utf8');
    const docExits = [...docs.slice(docs.indexOf('## Exit codes'), docs.indexOf('## Error codes')).matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]));
    const helpExits = [...EXIT_CODES_HELP.matchAll(/^ {2}(\d+) /gm)].map((m) => Number(m[1]));
    const values = Object.values(EXIT).sort((a, b) => a - b);
    expect(docExits).toEqual(values);
    expect(helpExits).toEqual(values);
  });
});
