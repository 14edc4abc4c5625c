import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, defaultOutputDir, helpText, OPTIONS, parseOptions } from '../../src/config.js';
import { resolveConfig } from '../../src/mcp/server-config.js';

/** The configuration a command line and an environment give, as `cua-mcp` builds it at start. */
const config = (argv: string[], env: NodeJS.ProcessEnv = {}) => resolveConfig(parseOptions(argv, env).raw, env);
/** The message a command line is refused with, as `cua-mcp` prints it (exit status 2). */
function refusal(argv: string[], env: NodeJS.ProcessEnv = {}): string {
  try {
    config(argv, env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `not a ConfigError: ${String(error)}`);
    return error.message;
  }
  assert.fail(`${argv.join(' ')} was accepted`);
}

describe('the option table', () => {
  it("every option has a flag, an environment variable CUA_* (or a provider's own), a group and a help line; flags and variables are unique", () => {
    const specs = Object.values(OPTIONS);
    assert.equal(new Set(specs.map((s) => s.flag)).size, specs.length);
    assert.equal(new Set(specs.map((s) => s.env)).size, specs.length);
    for (const spec of specs) {
      assert.match(spec.flag, /^[a-z][a-z0-9-]+$/, spec.flag);
      assert.match(spec.env, /^[A-Z][A-Z0-9_]+$/, spec.env);
      assert.ok(spec.help.length > 10, `${spec.flag} has no help`);
    }
  });

  it('--help lists every option with its variable and default, grouped', () => {
    const help = helpText(['OPENAI_API_KEY=... (OpenAI)']);
    for (const spec of Object.values(OPTIONS)) {
      assert.ok(help.includes(`--${spec.flag}`), `--help lacks --${spec.flag}`);
      assert.ok(help.includes(`env: ${spec.env}`), `--help lacks ${spec.env}`);
    }
    assert.match(help, /--display-size <value> +Viewport size[^\n]*\(default: 1024x768\)\n +env: CUA_DISPLAY_SIZE/);
    assert.match(help, /--headless {2,}Run the browser headless/, 'a boolean option takes no <value>');
    assert.match(help, /^ {2}OPENAI_API_KEY=\.\.\. \(OpenAI\)$/m);
    for (const group of ['Browser:', 'Desktop:', 'Output:', 'Sessions:', 'Model:', 'Http:', 'Security:'])
      assert.match(help, new RegExp(`^${group}$`, 'm'));
  });
});

describe('parseOptions: flags, the environment, defaults', () => {
  it('a flag wins over its environment variable, which wins over the default', () => {
    assert.equal(parseOptions([], {}).raw.displaySize, '1024x768');
    assert.equal(parseOptions([], { CUA_DISPLAY_SIZE: '800x600' }).raw.displaySize, '800x600');
    assert.equal(parseOptions(['--display-size', '640x480'], { CUA_DISPLAY_SIZE: '800x600' }).raw.displaySize, '640x480');
    assert.equal(parseOptions(['--display-size=640x480'], {}).raw.displaySize, '640x480');
    assert.equal(parseOptions([], { CUA_DISPLAY_SIZE: '' }).raw.displaySize, '1024x768', 'an empty variable is not set');
  });

  it('booleans: the flag turns on, --no-<flag> off; the variable takes 0/false/no/off as off, anything else as on', () => {
    assert.equal(parseOptions(['--headless'], {}).raw.headless, true);
    assert.equal(parseOptions(['--no-record'], {}).raw.record, false);
    assert.equal(parseOptions([], {}).raw.record, 'true', 'the default');
    for (const off of ['0', 'false', 'No', 'OFF']) assert.equal(parseOptions([], { CUA_RECORD: off }).raw.record, false, off);
    for (const on of ['1', 'true', 'yes']) assert.equal(parseOptions([], { CUA_RECORD: on }).raw.record, true, on);
    assert.equal(parseOptions(['--no-record'], { CUA_RECORD: '1' }).raw.record, false, 'the flag wins');
  });

  it('a repeated option keeps every value; positionals, -h, --help and --version are reported apart', () => {
    assert.equal(parseOptions(['--desktop-app', 'a=x', '--desktop-app', 'b=y'], {}).raw.desktopApp, 'a=x\nb=y');
    const parsed = parseOptions(['run', 'open the page', '-h'], {});
    assert.deepEqual(parsed.positionals, ['run', 'open the page']);
    assert.equal(parsed.help, true);
    assert.equal(parseOptions(['--version'], {}).version, true);
    assert.equal(parseOptions([], {}).help, false);
  });

  it("a negative number after an option is its value, for the option's own range check", () => {
    assert.equal(parseOptions(['--max-steps', '-3'], {}).raw.maxSteps, '-3');
  });
});

describe('resolveConfig: what each option becomes', () => {
  it('the defaults', () => {
    const c = config(['--headless']);
    assert.equal(c.browser, 'chromium');
    assert.equal(c.headless, true);
    assert.deepEqual(c.display, { width: 1024, height: 768 });
    assert.deepEqual(c.screenshot, { width: 1024, height: 768, scale: 1 });
    assert.equal(c.startUrl, 'about:blank');
    assert.equal(c.imageFormat, 'png');
    assert.equal(c.outputDir, path.resolve(defaultOutputDir()));
    assert.deepEqual(c.recording, { enabled: true, dir: path.join(c.outputDir, 'runs'), keep: { runs: 100 } });
    assert.equal(c.idleTimeoutMs, 1_800_000);
    assert.equal(c.pageAnswerMs, 10_000);
    assert.equal(c.http, undefined, 'stdio unless --port');
    assert.equal(c.agent.provider, 'auto');
    assert.equal(c.agent.maxSteps, 25);
    assert.deepEqual(c.agent.approval, { mode: 'safety-checks' });
    assert.deepEqual(c.desktop, { display: undefined, size: { width: 1024, height: 768 }, windowManager: 'auto', apps: [] });
  });

  it('headless unless --headed, or when there is no display; --headed needs one (unless the browser is remote)', () => {
    assert.equal(config([], { DISPLAY: ':0' }).headless, false);
    assert.equal(config([], {}).headless, true);
    assert.equal(config(['--headed'], { DISPLAY: ':0' }).headless, false);
    assert.equal(config(['--headless'], { DISPLAY: ':0' }).headless, true);
    assert.match(refusal(['--headed'], {}), /--headed needs a display.*xvfb-run cua-mcp --headed/);
    assert.equal(config(['--headed', '--cdp-endpoint', 'http://127.0.0.1:9222'], {}).headless, false);
    assert.match(refusal(['--headed', '--headless'], { DISPLAY: ':0' }), /contradict each other/);
  });

  it('--screenshot-size scales down, keeping the aspect ratio, at most 10x', () => {
    assert.deepEqual(config(['--display-size', '1920x1080', '--screenshot-size', '1280x720']).screenshot, {
      width: 1280,
      height: 720,
      scale: 1280 / 1920,
    });
    assert.match(refusal(['--display-size', '1920x1080', '--screenshot-size', '1280x1024']), /keeping its aspect ratio: e\.g\. 960x540/);
    assert.match(refusal(['--screenshot-size', '2048x1536']), /scaled down by at most 10x/);
    assert.match(refusal(['--screenshot-size', 'half']), /--screenshot-size \(CUA_SCREENSHOT_SIZE\) must be WIDTHxHEIGHT/);
  });

  it('sizes and counts take units, and 0 where it means no limit', () => {
    const c = config(['--max-download-size', '500MB', '--session-download-size', '0', '--min-free-space', '1.5GB', '--max-downloads', '7']);
    assert.deepEqual(c.downloads, { maxBytes: 500 * 1024 ** 2, sessionBytes: 0, maxCount: 7, minFreeBytes: Math.round(1.5 * 1024 ** 3) });
    assert.deepEqual(config(['--keep-runs', '500MB']).recording.keep, { bytes: 500 * 1024 ** 2 });
    assert.deepEqual(config(['--keep-runs', '3']).recording.keep, { runs: 3 });
    assert.match(refusal(['--keep-runs', '0']), /--keep-runs \(CUA_KEEP_RUNS\) must be a number of runs \(100\) or a size/);
    assert.match(refusal(['--max-download-size', 'lots']), /--max-download-size \(CUA_MAX_DOWNLOAD_SIZE\) must be a size in bytes/);
  });

  it('--start-url is read as navigate reads an address, and checked against the domain policy', () => {
    assert.equal(config(['--start-url', 'example.com']).startUrl, 'https://example.com/');
    assert.equal(config(['--start-url', '127.0.0.1:8765']).startUrl, 'http://127.0.0.1:8765/');
    assert.match(
      refusal(['--start-url', 'https://other.example', '--allowed-domains', 'example.com']),
      /--start-url https:\/\/other\.example\/ is not allowed/,
    );
    assert.match(refusal(['--allowed-domains', 'exa mple.com']), /^--allowed-domains \(CUA_ALLOWED_DOMAINS\): /);
  });

  it("--confirm-actions takes the agent's action kinds only", () => {
    assert.deepEqual(config(['--confirm-actions', 'type, click']).agent.confirmActions, ['type', 'click']);
    assert.match(refusal(['--confirm-actions', 'type,launch']), /unknown action kind\(s\) launch; use /);
  });

  it('HTTP: loopback by default; any other address needs a token; allowed hosts compare names without ports', () => {
    const http = config(['--port', '0']).http!;
    assert.equal(http.host, '127.0.0.1');
    assert.deepEqual(http.tokens, []);
    assert.deepEqual(http.allowedHosts, ['localhost', '127.0.0.1', '[::1]']);
    assert.match(
      refusal(['--port', '8931', '--host', '0.0.0.0']),
      /Refusing to listen on 0\.0\.0\.0 without a token.*--auth-token \(CUA_AUTH_TOKEN\)/,
    );
    const open = config([
      '--port',
      '8931',
      '--host',
      '0.0.0.0',
      '--auth-token',
      's3cret',
      '--allowed-hosts',
      'MyBox.lan:8931',
      '--allowed-origins',
      'https://App.example.com/',
    ]).http!;
    assert.equal(open.tokens.length, 1);
    assert.deepEqual(open.allowedHosts, ['localhost', '127.0.0.1', '[::1]', 'mybox.lan'], 'a wildcard bind address is no name clients use');
    assert.deepEqual(open.allowedOrigins, ['https://app.example.com']);
    assert.deepEqual(config(['--port', '0', '--host', '::1']).http!.allowedHosts, ['localhost', '127.0.0.1', '[::1]']);
    assert.match(refusal(['--port', '70000']), /--port \(CUA_PORT\) must be a whole number from 0 to 65535, got "70000"/);
  });
});

describe('option errors: each names the option, what was given and what is valid', () => {
  const cases: Array<[string[], RegExp]> = [
    [['--headles'], /unknown option --headles; did you mean --headless\? Run cua-mcp --help for the options\./],
    [['--dispaly-size', '800x600'], /unknown option --dispaly-size; did you mean --display-size\?/],
    [['--no-such-flag'], /^unknown option --no-such-flag\. Run cua-mcp --help for the options\.$/],
    [['-x'], /^unknown option -x\. Run cua-mcp --help/],
    [['--max-steps', '-3'], /--max-steps \(CUA_MAX_STEPS\) must be a whole number from 1 to 1000, got "-3"/],
    [
      ['--display-size', 'huge'],
      /--display-size \(CUA_DISPLAY_SIZE\) must be WIDTHxHEIGHT in pixels, from 200x200 to 7680x4320 \(e\.g\. 1024x768\), got "huge"/,
    ],
    [
      ['--display-size', '99999x1'],
      /--display-size \(CUA_DISPLAY_SIZE\) must be WIDTHxHEIGHT in pixels, from 200x200 to 7680x4320 \(e\.g\. 1024x768\), got "99999x1"/,
    ],
    [['--port'], /--port needs a value: --port <value>\./],
    [
      ['--start-url', '--headless'],
      /--start-url needs a value, but "--headless" follows it; for a value that starts with a dash write --start-url=--headless\./,
    ],
    [['--headless=yes'], /--headless takes no value, got "yes": write --headless to turn it on or --no-headless to turn it off\./],
    [['--version=1'], /--version takes no value, got "1": write --version to turn it on\./],
    [['--start-url', 'http://[bad'], /--start-url \(CUA_START_URL\): Not a valid URL: "http:\/\/\[bad"/],
    [['--log-level', 'verbose'], /--log-level \(CUA_LOG_LEVEL\) must be one of debug, info, warn, error, got "verbose"/],
    [['--image-format', 'gif'], /--image-format \(CUA_IMAGE_FORMAT\) must be one of png, jpeg, got "gif"/],
    [
      ['--page-answer-timeout', '0'],
      /--page-answer-timeout \(CUA_PAGE_ANSWER_TIMEOUT\) must be a whole number from 1000 to 600000, got "0"/,
    ],
    [['--approval', 'sometimes'], /--approval \(CUA_APPROVAL\) must be safety-checks, always, or sandbox:NAME/],
  ];
  for (const [args, expected] of cases) {
    it(args.join(' '), () => {
      const message = refusal(args);
      assert.match(message, expected);
      assert.doesNotMatch(message, /ambiguous|'--/, "none of parseArgs' own wording");
    });
  }

  it('a bad value from the environment is named by its variable too', () => {
    assert.match(refusal([], { CUA_DISPLAY_SIZE: 'huge' }), /--display-size \(CUA_DISPLAY_SIZE\) must be WIDTHxHEIGHT/);
    assert.match(
      refusal([], { CUA_IMAGE_QUALITY: '0' }),
      /--image-quality \(CUA_IMAGE_QUALITY\) must be a whole number from 1 to 100, got "0"/,
    );
  });
});
