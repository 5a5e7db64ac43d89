/**
 * Input expansion for every front door that takes paths: a file is itself, a folder is every
 * accepted file under it (recursively, sorted), a glob is matched while walking from its fixed
 * prefix. Lazy, so memory stays flat over huge folders. Node only.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';

const GLOB_CHARS = /[*?[\]{}]/;

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // `**/` matches zero or more folders.
        i++;
        if (glob[i + 1] === '/') {
          i++;
          re += '(?:.*/)?';
        } else re += '.*';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '{') {
      const end = glob.indexOf('}', i);
      if (end < 0) re += '\\{';
      else {
        re += '(?:' + glob.slice(i + 1, end).split(',').map((s) => s.replace(/[.+^$()|\\]/g, '\\$&')).join('|') + ')';
        i = end;
      }
    } else if (c === '[') {
      const end = glob.indexOf(']', i);
      if (end < 0) re += '\\[';
      else {
        re += '[' + glob.slice(i + 1, end).replace(/^!/, '^') + ']';
        i = end;
      }
    } else re += c.replace(/[.+^$()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Walks a folder lazily, sorted by name, skipping dot-files. */
export function* walkFiles(dir: string): Generator<string> {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* walkFiles(p);
    else if (e.isFile() || e.isSymbolicLink()) yield p;
  }
}

/** Options of {@link expandInputs}. */
export interface ExpandOptions {
  /** Keep only files whose name passes this test when walking folders and globs (explicit files always pass). */
  accept?: (file: string) => boolean;
}

/**
 * Expands CLI inputs lazily (memory stays flat over huge folders): a file is itself, a folder is
 * every accepted file under it (recursively, sorted), a glob (`*`, `?`, `**`, `{a,b}`, `[..]`) is
 * matched while walking from its fixed prefix. Nonexistent paths are yielded as `{missing}`.
 *
 * @example
 * for (const item of expandInputs(['scans/', 'more/*.dcm'])) ...
 */
export function* expandInputs(inputs: string[], options: ExpandOptions = {}): Generator<{ file: string; missing?: boolean }> {
  const accept = options.accept ?? (() => true);
  for (const input of inputs) {
    if (existsSync(input)) {
      const st = statSync(input);
      if (st.isDirectory()) {
        for (const f of walkFiles(input)) if (accept(f)) yield { file: f };
      } else yield { file: input };
      continue;
    }
    if (!GLOB_CHARS.test(input)) {
      yield { file: input, missing: true };
      continue;
    }
    const norm = input.split(sep).join('/');
    const parts = norm.split('/');
    const fixed: string[] = [];
    while (parts.length > 1 && !GLOB_CHARS.test(parts[0])) fixed.push(parts.shift()!);
    const base = fixed.length ? fixed.join('/') || '/' : '.';
    const re = globToRegExp(parts.join('/'));
    let any = false;
    for (const f of walkFiles(base)) {
      const rel = f.slice(base === '.' ? 0 : base.length).replace(/^[\\/]+/, '').split(sep).join('/');
      const relFromDot = base === '.' ? f.split(sep).join('/').replace(/^\.\//, '') : rel;
      if (re.test(relFromDot) && accept(f)) {
        any = true;
        yield { file: f };
      }
    }
    if (!any) yield { file: input, missing: true };
  }
}
