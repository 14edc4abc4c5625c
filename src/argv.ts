/** How parseArgs declares an option: the shape checkArguments reads. */
export type ArgumentSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;

/** Edits (insert, delete, replace) that turn `a` into `b`. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length]!;
}

/** The known name closest to `name`, when it is close enough to be a typo of it. */
function closest(name: string, known: string[]): string | undefined {
  const ranked = known.map((k) => ({ k, d: editDistance(name, k) })).sort((x, y) => x.d - y.d);
  const best = ranked[0];
  return best && best.d <= Math.max(2, Math.floor(name.length / 4)) ? best.k : undefined;
}

/**
 * Checks argv before parseArgs sees it, so that each mistake is reported
 * with the option, the value and what to write instead (parseArgs' own
 * messages name neither a fix nor a near match). Returns the arguments
 * with a negative number after a string option joined to it
 * (`--max-steps -3` → `--max-steps=-3`), for the option's own range check
 * to judge. `problem` turns a sentence (its own full stop included) into the error to throw.
 */
export function checkArguments(args: string[], spec: ArgumentSpec, problem: (message: string) => Error): string[] {
  const known = Object.keys(spec);
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    out.push(arg);
    if (arg === '--') {
      out.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') continue;
    if (!arg.startsWith('--')) {
      const short = Object.entries(spec).find(([, s]) => s.short === arg.slice(1));
      if (!short) throw problem(`unknown option ${arg}.`);
      continue;
    }
    const [name, inline] = [arg.slice(2).split('=')[0]!, arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : undefined];
    const option = spec[name];
    if (!option) {
      const near = closest(name, known);
      throw problem(`unknown option --${name}${near ? `; did you mean --${near}?` : '.'}`);
    }
    if (option.type === 'boolean') {
      if (inline !== undefined)
        throw problem(
          `--${name} takes no value, got ${JSON.stringify(inline)}: write --${name} to turn it on${name === 'help' || name === 'version' ? '' : ` or --no-${name} to turn it off`}.`,
        );
      continue;
    }
    if (inline !== undefined) continue;
    const value = args[i + 1];
    if (value === undefined || value === '--') throw problem(`--${name} needs a value: --${name} <value>.`);
    if (/^-\d/.test(value)) {
      out[out.length - 1] = `${arg}=${value}`;
      i++;
    } else if (value.startsWith('-')) {
      throw problem(
        `--${name} needs a value, but ${JSON.stringify(value)} follows it; for a value that starts with a dash write --${name}=${value}.`,
      );
    }
  }
  return out;
}
