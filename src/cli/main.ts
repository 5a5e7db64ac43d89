/**
 * The `medcolor` command line: one file per command, registered here.
 * Exit codes are listed in EXIT_CODES_HELP (src/cli/common.ts) and docs/cli.md.
 */
import { Command, CommanderError } from 'commander';
import { packageVersion } from '../io/package-version.js';
import { describeError, EXIT, EXIT_CODES_HELP, exitCodeFor } from './common.js';
import { registerColorize } from './colorize.js';
import { registerEval } from './eval.js';
import { registerInfo } from './info.js';
import { registerModels } from './models.js';
import { registerBatch } from './batch.js';
import { registerPacs } from './pacs.js';
import { registerPrepare } from './prepare.js';
import { registerServe } from './serve.js';
import { registerTrain } from './train.js';
import { registerWeb } from './web.js';
import { registerWorker } from './worker.js';

/**
 * Builds the `medcolor` program with every command registered.
 *
 * @example
 * const program = await createProgram();
 * await program.parseAsync(['node', 'medcolor', 'colorize', 'in.dcm', '-o', 'out']);
 */
export async function createProgram(): Promise<Command> {
  const program = new Command('medcolor')
    .description('Colorize grayscale medical images (X-ray, CT, MRI, specimens) with deep learning and classical methods')
    .version(packageVersion(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', EXIT_CODES_HELP);
  registerColorize(program);
  registerEval(program);
  registerPrepare(program);
  registerModels(program);
  registerInfo(program);
  registerTrain(program);
  registerWeb(program);
  registerServe(program);
  registerPacs(program);
  registerBatch(program);
  registerWorker(program);
  // Usage errors exit with 2 (commander's default is 1); every subcommand inherits this.
  program.exitOverride();
  for (const c of program.commands) c.exitOverride();
  return program;
}

/** Runs the CLI with `argv` and returns the exit code (does not call process.exit). */
export async function runCli(argv: string[]): Promise<number> {
  const program = await createProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.OK;
      return EXIT.USAGE;
    }
    process.stderr.write(`medcolor: ${describeError(e)}\n`);
    return exitCodeFor(e);
  }
}

const isMain = process.argv[1] !== undefined && /[\\/](medcolor(\.js)?|main\.(ts|js))$/.test(process.argv[1]);
if (isMain) {
  const code = await runCli(process.argv);
  process.exitCode = code;
}
