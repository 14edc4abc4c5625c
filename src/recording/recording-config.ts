import path from 'node:path';
import { ConfigError, SIZE_UNITS, type RawOptions } from '../config.js';

/** How many recorded runs to keep: the newest `runs`, or the newest that fit in `bytes` together. */
export type Retention = { runs: number } | { bytes: number };

/** Recordings of model runs: on/off, the runs folder, how many to keep. */
export interface RecordingConfig {
  enabled: boolean;
  dir: string;
  keep: Retention;
}

/** The recording slice of the options; runs go to a folder of the output directory. */
export function resolveRecording(raw: RawOptions, outputDir: string): RecordingConfig {
  return { enabled: raw.record !== false, dir: path.join(outputDir, 'runs'), keep: retention(raw.keepRuns) };
}

/** "100" keeps the newest 100 runs; "500MB" keeps the newest runs that fit in 500 MiB together. */
function retention(value: string | boolean | undefined): Retention {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(KB|MB|GB)?\s*$/i.exec(String(value));
  const amount = Number(match?.[1]);
  if (match?.[2] && amount > 0) return { bytes: Math.round(amount * SIZE_UNITS[match[2].toUpperCase()]!) };
  if (match && !match[2] && Number.isInteger(amount) && amount >= 1) return { runs: amount };
  throw new ConfigError(`--keep-runs (CUA_KEEP_RUNS) must be a number of runs (100) or a size (500MB, 2GB), got ${JSON.stringify(value)}`);
}
