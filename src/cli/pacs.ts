/**
 * `medcolor pacs colorize --url URL (--study UID | --series UID | --query Q)`: colorizes
 * instances in a PACS over DICOMweb and stores the results back (src/dicomweb/colorize-pacs.ts).
 * Only parses options and prints progress and the summary.
 */
import type { Command } from 'commander';
import type { InstanceOutcome } from '../dicomweb/colorize-pacs.js';
import { EXIT, labelWarning, parseIntOption, parseWindowOption, usage } from './common.js';
import { addTrustOptions, parseTrustOptions, type TrustCliOptions } from './trust-options.js';

interface PacsCliOptions extends TrustCliOptions {
  url: string;
  study?: string;
  series?: string;
  query?: string;
  method?: string;
  model?: string;
  window?: string;
  size?: string;
  palette?: string;
  user?: string;
  password?: string;
  bearer?: string;
  dryRun?: boolean;
  json?: boolean;
}

/** Registers `medcolor pacs` and its `colorize` subcommand. */
export function registerPacs(program: Command): void {
  const pacs = program.command('pacs').description('work with a PACS over DICOMweb (QIDO-RS, WADO-RS, STOW-RS)');
  const cmd = pacs.command('colorize');
  cmd
    .description('colorize a study, series or query in a PACS and store the results there as DICOM Secondary Capture series')
    .requiredOption('--url <url>', 'DICOMweb root, e.g. http://pacs:8042/dicom-web')
    .option('--study <uid>', 'Study Instance UID')
    .option('--series <uid>', 'Series Instance UID')
    .option('--query <q>', 'QIDO-RS query of series, e.g. "PatientID=123&Modality=CT"')
    .option('-m, --method <name>', 'colorization method (default: model with the default shipped model)')
    .option('--model <name>', 'shipped model name; implies --method model')
    .option('--window <C,W>', 'VOI window center,width in the units of the data')
    .option('--size <n>', 'working size the method runs at (0 = full size)')
    .option('--palette <name>', 'palette for lut')
    .option('--user <user>', 'basic auth user for the PACS')
    .option('--password <password>', 'basic auth password (or MEDCOLOR_PACS_PASSWORD)')
    .option('--bearer <token>', 'bearer token for the PACS (or MEDCOLOR_PACS_BEARER)')
    .option('--dry-run', 'find the instances and report what would be stored; store nothing')
    .option('--json', 'one JSON line per instance and a summary line on stdout');
  addTrustOptions(cmd, 'stored as a grayscale Secondary Capture series of its own in the same study')
    .addHelpText(
      'after',
      `
Derived UIDs are functions of the source UID, the method and the model (and --min-confidence,
which changes the pixels): running the same command twice stores nothing new (those instances are
reported as "exists"). Each instance's warnings (e.g. WARN_OUT_OF_DOMAIN) are printed; with
--strict such an instance fails with ERR_OUT_OF_DOMAIN and nothing of it is stored.
Exit code 1 when any instance failed (the others still go through), 5 when all failed.

Examples:
  medcolor pacs colorize --url http://127.0.0.1:8042/dicom-web --study 1.2.840.113619... --method ct-tissue --user orthanc --password orthanc
  medcolor pacs colorize --url https://pacs/dicom-web --query "PatientID=123&Modality=CT" --bearer $TOKEN --dry-run`,
    )
    .action(async (opts: PacsCliOptions) => {
      if (!opts.study && !opts.series && !opts.query) usage('give --study, --series or --query');
      if (opts.query && (opts.study || opts.series)) usage('--query goes alone, without --study or --series');
      const password = opts.password ?? process.env.MEDCOLOR_PACS_PASSWORD;
      const bearer = opts.bearer ?? process.env.MEDCOLOR_PACS_BEARER;
      if (bearer && opts.user) usage('give --user/--password or --bearer, not both');
      const window = opts.window !== undefined ? parseWindowOption(opts.window) : undefined;
      const size = opts.size !== undefined ? parseIntOption('--size', opts.size, 0, 16384) : undefined;
      const trust = parseTrustOptions(opts);
      // Loaded here so that other commands do not pay for the pipeline at start-up.
      const { colorizePacs } = await import('../dicomweb/colorize-pacs.js');
      const { resolveRequestMethod } = await import('../server/method-cache.js');
      const { method, label, model } = await resolveRequestMethod(opts.method, opts.model);
      const out = process.stdout, err = process.stderr;
      const print = (o: InstanceOutcome, i: number, total: number) => {
        if (opts.json) {
          out.write(JSON.stringify({
            instance: o.source.sop, derived: o.derivedSop, series: o.derivedSeries, confidence: o.confidenceSop, confidenceSeries: o.confidenceSeries,
            state: o.state, code: o.code, error: o.error, warnings: o.warnings, meanConfidence: o.meanConfidence, ms: o.ms,
          }) + '\n');
        } else {
          err.write(`[${i + 1}/${total}] ${o.source.sop}: ${o.state}${o.state === 'failed' ? ` (${o.code}: ${o.error})` : ''}\n`);
          for (const w of o.warnings ?? []) err.write(`  ${labelWarning(w)}\n`);
        }
      };
      const summary = await colorizePacs(
        { url: opts.url, user: opts.user, password, bearer },
        { study: opts.study, series: opts.series, query: opts.query },
        { method, label, model, dryRun: Boolean(opts.dryRun), colorize: { window, size, methodOptions: opts.palette ? { palette: opts.palette } : {}, ...trust } },
        print,
      );
      if (opts.json) out.write(JSON.stringify({ summary }) + '\n');
      else {
        err.write(
          `medcolor pacs colorize: ${summary.total} instances: ${summary.stored} stored, ${summary.exists} already there, ` +
            `${summary.failed} failed${summary.dryRun ? `, ${summary.dryRun} would be stored (dry run)` : ''}\n`,
        );
        for (const [src, dst] of Object.entries(summary.series)) err.write(`  series ${src} -> ${dst}\n`);
        for (const [src, dst] of Object.entries(summary.confidenceSeries)) err.write(`  series ${src} -> ${dst} (confidence maps)\n`);
      }
      if (summary.total === 0 && !opts.json) err.write('medcolor pacs colorize: the selection holds no instances\n');
      process.exitCode = summary.failed === 0 ? EXIT.OK : summary.failed === summary.total ? EXIT.ALL_FAILED : EXIT.SOME_FAILED;
    });
  cmd.exitOverride();
}
