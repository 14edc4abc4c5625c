// The operator's list of allowed applications, as text: parsed with the options (config.ts), so nothing here starts a process.

/** An application the operator allowed (--desktop-app NAME=COMMAND): the only things launch_app can start. */
export interface AppSpec {
  name: string;
  /** The command split into arguments; it runs without a shell. */
  argv: string[];
}

export class AppSpecError extends Error {}

/**
 * Splits a command line into arguments the way a shell would for plain
 * words and quotes ('...', "...", backslash), and nothing more: no
 * variables, globs, pipes or `;`, since no shell ever runs it.
 */
export function splitCommand(command: string): string[] {
  const args: string[] = [];
  let current = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < command.length) current += command[++i];
      else current += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < command.length) {
      current += command[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) args.push(current);
      current = '';
      inWord = false;
    } else {
      current += c;
      inWord = true;
    }
  }
  if (quote) throw new AppSpecError(`unclosed ${quote} quote in ${JSON.stringify(command)}`);
  if (inWord) args.push(current);
  return args;
}

/** "NAME=COMMAND" entries, one a line or separated by ";" (the form CUA_DESKTOP_APPS takes). */
export function parseAppSpecs(text: string): AppSpec[] {
  const specs: AppSpec[] = [];
  for (const entry of text
    .split(/[;\n]/)
    .map((e) => e.trim())
    .filter(Boolean)) {
    const match = /^([A-Za-z0-9][\w.-]*)\s*=\s*(.+)$/.exec(entry);
    if (!match)
      throw new AppSpecError(`${JSON.stringify(entry)} is not NAME=COMMAND (e.g. xterm=xterm, or "browser=chromium --no-first-run")`);
    const name = match[1]!;
    if (specs.some((s) => s.name === name)) throw new AppSpecError(`the application ${name} is named twice`);
    const argv = splitCommand(match[2]!);
    if (argv.length === 0) throw new AppSpecError(`the application ${name} has no command`);
    specs.push({ name, argv });
  }
  return specs;
}
