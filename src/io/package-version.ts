/** The package's version (from package.json): `medcolor --version`, the server's OpenAPI document. Node only. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getPackageRoot } from './model-loader.js';

let cached: string | undefined;

/** The version in the package's package.json ('0.0.0' when unreadable). */
export function packageVersion(): string {
  if (cached === undefined) {
    try {
      cached = (JSON.parse(readFileSync(join(getPackageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      cached = '0.0.0';
    }
  }
  return cached;
}
