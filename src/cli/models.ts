/**
 * `medcolor models`: lists the shipped models with what their metadata says.
 */
import type { Command } from 'commander';
import { getDefaultModelName, getModelsDir, listShippedModels, resolveModelPath } from '../io/model-loader.js';
import { readFileSync } from 'node:fs';
import { readOnnxMetadata } from '../methods/model.js';

/** Registers `medcolor models`. */
export function registerModels(program: Command): void {
  program
    .command('models')
    .description('list the shipped models (models/*.onnx) and their metadata')
    .option('--json', 'machine-readable output')
    .action((opts: { json?: boolean }) => {
      const dflt = getDefaultModelName();
      const models = listShippedModels().map((name) => {
        const meta = readOnnxMetadata(new Uint8Array(readFileSync(resolveModelPath(name))));
        return { name, default: name === dflt, metadata: meta };
      });
      if (opts.json) {
        process.stdout.write(JSON.stringify({ dir: getModelsDir(), models }, null, 1) + '\n');
        return;
      }
      if (models.length === 0) {
        process.stdout.write(`no shipped models in ${getModelsDir()}\n`);
        return;
      }
      for (const m of models) {
        process.stdout.write(
          `${m.name}${m.default ? ' (default)' : ''}: size ${m.metadata['medcolor.input_size'] ?? '256'}, ` +
            `${m.metadata['medcolor.hints'] === 'ab+mask' ? 'takes color hints (--hints), ' : ''}` +
            `${m.metadata['medcolor.head'] && m.metadata['medcolor.head'] !== 'regression' ? `${m.metadata['medcolor.head']} head (--decode, --temperature), ` : ''}` +
            `${m.metadata['medcolor.confidence'] || (m.metadata['medcolor.head'] ?? 'regression') !== 'regression' ? 'confidence map (--confidence), ' : ''}` +
            `${m.metadata['medcolor.domain'] ? 'warns out of domain, ' : ''}` +
            `trained on ${m.metadata['medcolor.trained_on'] ?? 'unknown'}\n`,
        );
      }
    });
}
