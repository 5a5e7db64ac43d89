/**
 * docs/architecture.md and the README's Layout section name real files: every `path.ts` (or .md,
 * .json) they mention exists in the repository, so a moved or renamed file shows up here.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../fixtures.js';

function listFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) listFiles(p, out);
    else out.push(path.relative(ROOT, p));
  }
  return out;
}

/** Backticked file names of a text (templates such as NAME.md and URL paths left out). */
function mentionedFiles(text: string): string[] {
  return [...text.matchAll(/`([A-Za-z0-9_./-]+\.(?:ts|md|json|js))`/g)]
    .map((m) => m[1])
    .filter((f) => !f.startsWith('/') && !/[A-Z]{3,}/.test(f));
}

describe('the map names real files', () => {
  const files = listFiles(ROOT);
  // A mention is found when some file's path is it or ends with it (the table names files within their folder).
  const exists = (f: string) => files.some((p) => p === f || p.endsWith(`/${f}`));

  it('docs/architecture.md', () => {
    const names = mentionedFiles(readFileSync(path.join(ROOT, 'docs/architecture.md'), 'utf8'));
    expect(names.length).toBeGreaterThan(40);
    expect(names.filter((f) => !exists(f))).toEqual([]);
  });

  it("the README's Layout section", () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const layout = readme.slice(readme.indexOf('## Layout'), readme.indexOf('\n## ', readme.indexOf('## Layout') + 1));
    const inBlock = [...layout.matchAll(/([a-z][a-z0-9-]*(?:\/[a-z0-9-]+)*\.(?:ts|md))/g)].map((m) => m[1]);
    expect(inBlock.length).toBeGreaterThan(8);
    expect(inBlock.filter((f) => !exists(f))).toEqual([]);
  });
});
