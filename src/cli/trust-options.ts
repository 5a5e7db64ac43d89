/**
 * The trust options every colorizing command shares (docs/trust.md): --strict, --confidence and
 * --min-confidence, declared and parsed once for `colorize`, `pacs colorize` and `batch`.
 */
import type { Command } from 'commander';
import { parseFractionOption } from './common.js';

/** The raw trust options as commander gives them. */
export interface TrustCliOptions {
  strict?: boolean;
  confidence?: boolean;
  minConfidence?: string;
}

/** The trust options as the pipeline takes them. */
export interface TrustOptions {
  strict: boolean;
  confidence: boolean;
  minConfidence?: number;
}

/** Declares --confidence, --min-confidence and --strict; `confidenceHelp` says where the maps go. */
export function addTrustOptions(cmd: Command, confidenceHelp: string): Command {
  return cmd
    .option('--confidence', `also make each output's per-pixel confidence map (255 = sure): ${confidenceHelp}`)
    .option('--min-confidence <C>', 'fade chroma to gray where the confidence is below C (0..1): full color at C and above, none at C/2 and below; L* never changes')
    .option('--strict', "refuse inputs outside the model's domain (error ERR_OUT_OF_DOMAIN) instead of colorizing them with the warning WARN_OUT_OF_DOMAIN");
}

/** Parses the trust options (a usage error for a --min-confidence outside 0..1). */
export function parseTrustOptions(opts: TrustCliOptions): TrustOptions {
  return {
    strict: Boolean(opts.strict),
    confidence: Boolean(opts.confidence),
    ...(opts.minConfidence !== undefined ? { minConfidence: parseFractionOption('--min-confidence', opts.minConfidence) } : {}),
  };
}
