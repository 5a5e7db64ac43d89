/**
 * The browser boundary is checked, not promised: tsconfig.browser.json type-checks the
 * browser-safe files (and all that src/browser.ts imports) with no Node types, and eslint bans
 * Node-only imports there. A planted `import 'node:fs'` must make both fail, naming the file.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ESLint } from 'eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
const browserConfig = JSON.parse(readFileSync(path.join(root, 'tsconfig.browser.json'), 'utf8')) as {
  include: string[];
  exclude?: string[];
};

/** A copy of the sources and configs in a temp dir (node_modules linked), to plant files in. */
function copyTree(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'medcolor-boundary-'));
  cpSync(path.join(root, 'src'), path.join(dir, 'src'), { recursive: true });
  for (const f of ['package.json', 'tsconfig.json', 'tsconfig.browser.json', 'eslint.config.js']) {
    cpSync(path.join(root, f), path.join(dir, f));
  }
  symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

function plant(dir: string, file: string, line: string): number {
  const p = path.join(dir, file);
  const text = readFileSync(p, 'utf8');
  writeFileSync(p, `${text}${text.endsWith('\n') ? '' : '\n'}${line}\n`);
  return text.split('\n').length + (text.endsWith('\n') ? 0 : 1);
}

describe('the browser-safe list (tsconfig.browser.json)', () => {
  it('names files and folders that exist', () => {
    for (const entry of [...browserConfig.include, ...(browserConfig.exclude ?? [])]) {
      expect(existsSync(path.join(root, entry)), entry).toBe(true);
    }
    expect(browserConfig.include).toContain('src/browser.ts');
  });

  it('gives every source file the browser type-check reaches the lint rule too', async () => {
    const listed = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.browser.json', '--listFilesOnly'], { cwd: root, encoding: 'utf8' });
    expect(listed.status).toBe(0);
    const files = listed.stdout
      .split('\n')
      .map((f) => path.relative(root, f.trim()))
      .filter((f) => f.startsWith('src/') && !f.endsWith('.d.ts'));
    expect(files).toContain('src/browser.ts');
    expect(files).toContain('src/pipeline/colorize.ts');
    expect(files).not.toContain('src/io/dicom/read.ts');
    const eslint = new ESLint({ cwd: root });
    const missing: string[] = [];
    for (const f of files) {
      const config = await eslint.calculateConfigForFile(path.join(root, f));
      if (!config?.rules?.['no-restricted-imports']) missing.push(f);
    }
    expect(missing).toEqual([]);
    // and a Node-side file does not get it
    const cli = await eslint.calculateConfigForFile(path.join(root, 'src/cli/main.ts'));
    expect(cli?.rules?.['no-restricted-imports']).toBeUndefined();
  });
});

describe('a planted Node import in browser-safe code', () => {
  let dir: string;
  let resizeLine: number;
  let errorsLine: number;
  beforeAll(() => {
    dir = copyTree();
    // one in a browser-safe folder, one in a shared file reached only through imports
    resizeLine = plant(dir, 'src/image/resize.ts', "import 'node:fs';");
    errorsLine = plant(dir, 'src/errors.ts', "export { readFileSync as plantedRead } from 'node:fs';");
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('fails the browser type-check, naming the file and line', () => {
    const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.browser.json'], { cwd: dir, encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    const errors = r.stdout.split('\n').filter((l) => /error TS\d+/.test(l));
    expect(errors.some((l) => l.startsWith(`src/image/resize.ts(${resizeLine},`) && l.includes("'node:fs'"))).toBe(true);
    expect(errors.some((l) => l.startsWith(`src/errors.ts(${errorsLine},`) && l.includes("'node:fs'"))).toBe(true);
    // nothing else fails: the planted lines are the cause
    expect(errors.length).toBe(2);
  });

  it('fails the lint, naming the file and the rule', async () => {
    const eslint = new ESLint({ cwd: dir });
    const results = await eslint.lintFiles(['src/image/resize.ts', 'src/errors.ts', 'src/cli/main.ts']);
    const byFile = Object.fromEntries(results.map((r) => [path.relative(dir, r.filePath), r.messages]));
    expect(byFile['src/image/resize.ts'].map((m) => [m.ruleId, m.line])).toEqual([['no-restricted-imports', resizeLine]]);
    expect(byFile['src/errors.ts'].map((m) => [m.ruleId, m.line])).toEqual([['no-restricted-imports', errorsLine]]);
    expect(byFile['src/image/resize.ts'][0].message).toContain('browser-safe');
    // the CLI imports node:fs legitimately
    expect(byFile['src/cli/main.ts']).toEqual([]);
  });
});
