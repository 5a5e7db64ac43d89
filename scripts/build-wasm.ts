/**
 * Compiles the WebAssembly row kernel of the recombination and writes the module that carries it
 * (test/color/recombine-row-wasm.test.ts checks that the committed module is what this writes).
 *
 *   npm run build:wasm   (npx tsx scripts/build-wasm.ts)
 */
import { renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { compileRecombineRow, KERNEL_MODULE, kernelModuleSource } from './lib/compile-recombine-row.js';

const bytes = await compileRecombineRow();
const file = resolve(import.meta.dirname, '..', KERNEL_MODULE);
writeFileSync(`${file}.tmp`, kernelModuleSource(bytes));
renameSync(`${file}.tmp`, file);
console.log(`${KERNEL_MODULE}: ${bytes.length} bytes of WebAssembly`);
