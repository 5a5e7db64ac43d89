/**
 * Writes the error-code table of docs/cli.md from src/errors.ts (ERROR_CODES), between the
 * markers `<!-- error-codes:begin -->` and `<!-- error-codes:end -->`. test/errors.test.ts
 * checks that the file holds exactly this table.
 *
 *   npx tsx scripts/write-error-docs.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES } from '../src/errors.js';

export const CLI_DOC = fileURLToPath(new URL('../docs/cli.md', import.meta.url));
export const BEGIN = '<!-- error-codes:begin -->';
export const END = '<!-- error-codes:end -->';

/** The markdown table: one row per code, in the order of src/errors.ts. */
export function renderErrorTable(): string {
  const rows = Object.entries(ERROR_CODES).map(([code, { exit, meaning }]) => `| \`${code}\` | ${exit} | ${meaning.replace(/\|/g, '\\|')} |`);
  return ['| code | exit | meaning |', '|---|---|---|', ...rows].join('\n');
}

/** The table as it stands in docs/cli.md (undefined without the markers). */
export function readDocumentedTable(text = readFileSync(CLI_DOC, 'utf8')): string | undefined {
  const a = text.indexOf(BEGIN), b = text.indexOf(END);
  return a < 0 || b < a ? undefined : text.slice(a + BEGIN.length, b).trim();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = readFileSync(CLI_DOC, 'utf8');
  const a = text.indexOf(BEGIN), b = text.indexOf(END);
  if (a < 0 || b < a) throw new Error(`${CLI_DOC}: markers ${BEGIN} ... ${END} not found`);
  writeFileSync(CLI_DOC, `${text.slice(0, a + BEGIN.length)}\n${renderErrorTable()}\n${text.slice(b)}`);
  console.log(`${CLI_DOC}: ${Object.keys(ERROR_CODES).length} error codes`);
}
