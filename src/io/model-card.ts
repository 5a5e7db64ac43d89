/**
 * Reads a shipped model's card (`models/NAME.md`): its title and the key/value table at its top
 * (file, architecture, training data, data license, ...), for listings such as `GET /v1/models`.
 * Node only (file system).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getModelsDir } from './model-loader.js';

/** What a model card says in its header. */
export interface ModelCardSummary {
  /** The card's file (absolute path). */
  file: string;
  /** The first heading, e.g. "Model card: `blood`". */
  title: string;
  /** The rows of the first two-column table, e.g. { 'training data': '...', 'data license': 'MIT ...' }. */
  fields: Record<string, string>;
}

/**
 * The summary of `models/NAME.md`, or undefined when the model has no card.
 *
 * @example
 * readModelCard('blood')?.fields['data license']; // 'MIT (BCCD_Dataset repository, ...)'
 */
export function readModelCard(name: string, modelsDir = getModelsDir()): ModelCardSummary | undefined {
  const file = join(modelsDir, `${name}.md`);
  if (!existsSync(file)) return undefined;
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  const title = (lines.find((l) => l.startsWith('# ')) ?? `# ${name}`).slice(2).trim();
  const fields: Record<string, string> = {};
  const start = lines.findIndex((l) => /^\|.*\|.*\|\s*$/.test(l));
  if (start >= 0) {
    for (let i = start; i < lines.length && lines[i].startsWith('|'); i++) {
      const cells = lines[i].split('|').slice(1, -1).map((c) => c.trim());
      if (cells.length !== 2 || /^-+$/.test(cells[0]) || cells[0] === '') continue;
      fields[cells[0]] = cells[1];
    }
  }
  return { file, title, fields };
}
