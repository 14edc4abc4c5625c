#!/usr/bin/env node
import { log, setLogLevel } from './log.js';
import { SERVER_VERSION } from './version.js';

/**
 * The command's entry: light on purpose. --version answers before anything
 * else is loaded, --help with the option table and the providers' setup
 * only; the server's modules (Playwright, the MCP SDK, the model SDKs),
 * which take seconds to load on a busy machine, are imported once needed.
 */
async function main(argv: string[]): Promise<number> {
  const options = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv;
  if (options.includes('--version')) {
    process.stdout.write(`${SERVER_VERSION}\n`);
    return 0;
  }
  if (options[0] === 'haproxy-config') {
    const { haproxyConfigCommand } = await import('./replica/haproxy-config.js');
    return haproxyConfigCommand(options.slice(1));
  }
  const { ConfigError, helpText, parseOptions } = await import('./config.js');
  const { resolveConfig } = await import('./mcp/server-config.js');
  let parsed;
  let config;
  try {
    parsed = parseOptions(argv);
    if (parsed.help) {
      // --help serves no protocol: stdout is the terminal's.
      const { providerSetup } = await import('./providers/index.js');
      process.stdout.write(helpText(providerSetup()) + '\n');
      return 0;
    }
    config = resolveConfig(parsed.raw);
    setLogLevel(config.logLevel);
  } catch (error) {
    if (error instanceof ConfigError) {
      log.error(error.message);
      return 2;
    }
    throw error;
  }
  if (parsed.positionals[0] === 'run') {
    const { runInTerminal } = await import('./run-command.js');
    return runInTerminal(config, parsed.positionals.slice(1).join(' '));
  }
  if (parsed.positionals.length > 0) {
    log.error(`unknown command ${JSON.stringify(parsed.positionals[0])}. Run cua-mcp --help.`);
    return 2;
  }
  const { serve } = await import('./serve.js');
  return serve(config);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    log.error('fatal', error);
    process.exit(1);
  },
);
