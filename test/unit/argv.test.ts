import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkArguments, editDistance, type ArgumentSpec } from '../../src/argv.js';

const SPEC: ArgumentSpec = {
  help: { type: 'boolean', short: 'h' },
  headless: { type: 'boolean' },
  'max-steps': { type: 'string' },
  'start-url': { type: 'string' },
};
const check = (args: string[]) => checkArguments(args, SPEC, (message) => new Error(message));

describe('argv checks', () => {
  it('editDistance counts inserts, deletes and replacements', () => {
    assert.equal(editDistance('headless', 'headless'), 0);
    assert.equal(editDistance('headles', 'headless'), 1);
    assert.equal(editDistance('dispaly', 'display'), 2);
    assert.equal(editDistance('', 'abc'), 3);
  });

  it('passes good arguments through; joins a negative number to its option', () => {
    assert.deepEqual(check(['--headless', '--max-steps', '5', 'task', '-h']), ['--headless', '--max-steps', '5', 'task', '-h']);
    assert.deepEqual(check(['--max-steps', '-3']), ['--max-steps=-3']);
    assert.deepEqual(check(['--start-url=--odd', '-']), ['--start-url=--odd', '-']);
    assert.deepEqual(check(['--', '--not-an-option']), ['--', '--not-an-option'], 'after -- nothing is an option');
  });

  it('names the mistake and what to write instead', () => {
    assert.throws(() => check(['--headles']), /^Error: unknown option --headles; did you mean --headless\?$/);
    assert.throws(() => check(['--zzz']), /^Error: unknown option --zzz\.$/);
    assert.throws(() => check(['-q']), /^Error: unknown option -q\.$/);
    assert.throws(() => check(['--max-steps']), /--max-steps needs a value: --max-steps <value>\./);
    assert.throws(() => check(['--start-url', '--']), /--start-url needs a value/);
    assert.throws(() => check(['--start-url', '-x']), /for a value that starts with a dash write --start-url=-x\./);
    assert.throws(
      () => check(['--headless=1']),
      /--headless takes no value, got "1": write --headless to turn it on or --no-headless to turn it off\./,
    );
    assert.throws(() => check(['--help=yes']), /--help takes no value, got "yes": write --help to turn it on\.$/);
  });
});
