import fs from 'node:fs';
import path from 'node:path';
import type { StepRecord } from '../../src/recording/records.js';

/** The steps a run's recording folder holds (steps.jsonl), in order. */
export function recordedSteps(dir: string): StepRecord[] {
  return fs
    .readFileSync(path.join(dir, 'steps.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as StepRecord);
}
