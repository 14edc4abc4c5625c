import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { README, ROOT } from '../helpers/readme.js';

/**
 * The README's Architecture section draws src/ as layers, top to bottom, and
 * says each imports only from the layers below it and the shared modules. This
 * holds the code to that picture, and the picture to the code: a new folder or
 * top-level module must be placed in it.
 */
const section = README.slice(README.indexOf('## Architecture'), README.indexOf('\n## ', README.indexOf('## Architecture') + 1));
const block = /```\n([\s\S]*?)\n```/.exec(section)![1]!;
/** Each line's entries: folders end with '/', modules are file names. */
const layers = block.split('\n').map((line) =>
  line
    .split(/\s{2,}/)[0]!
    .split(',')
    .map((entry) => entry.trim().replace('<name>/', '')),
);
const prose = section.slice(0, section.indexOf('```'));
const sharedNamed = new Set([...prose.matchAll(/`([a-z-]+\.ts)`/g)].map((match) => match[1]!));

const SRC = path.join(ROOT, 'src');
const sources = fs
  .readdirSync(SRC, { recursive: true })
  .map((file) => String(file).split(path.sep).join('/'))
  .filter((file) => file.endsWith('.ts'));

/** The layer a file of src/ is drawn in; the shared modules sit at the bottom, beside the last line. */
function layerOf(file: string): number {
  const index = layers.findIndex((entries) => entries.some((entry) => (entry.endsWith('/') ? file.startsWith(entry) : file === entry)));
  return index === -1 ? layers.length - 1 : index;
}

function importsOf(file: string): string[] {
  const text = fs.readFileSync(path.join(SRC, file), 'utf8');
  return [...text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((match) =>
    path.posix.normalize(path.posix.join(path.posix.dirname(file), match[1]!)).replace(/\.js$/, '.ts'),
  );
}

describe("the README's Architecture section", () => {
  it('draws every folder of src/, and names every top-level module it does not draw as shared', () => {
    const folders = new Set(sources.filter((file) => file.includes('/')).map((file) => `${file.split('/')[0]}/`));
    for (const folder of folders) assert.ok(layers.flat().includes(folder), `src/${folder} is in no line of the README's Architecture`);
    const modules = sources.filter((file) => !file.includes('/') && !layers.flat().includes(file));
    for (const file of modules)
      assert.ok(sharedNamed.has(file), `src/${file} is neither drawn nor named as a shared module in the README's Architecture`);
  });

  it('holds: no file imports from a layer above its own', () => {
    const upward = sources.flatMap((file) =>
      importsOf(file)
        .filter((target) => layerOf(target) < layerOf(file))
        .map((target) => `src/${file} imports src/${target}`),
    );
    assert.deepEqual(upward, [], 'imports against the layers the README draws');
  });
});
