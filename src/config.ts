import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { checkArguments } from './argv.js';
import { AGENT_ACTION_TYPES } from './computer/action-kinds.js';

/**
 * Every server option: one table gives the flag, the environment variable,
 * the default and the help line, so `--help`, env handling and the README
 * cannot drift apart.
 */
interface OptionSpec {
  flag: string;
  env: string;
  kind: 'string' | 'boolean';
  /** A flag that may be given several times; its values are joined by newlines. */
  multiple?: true;
  help: string;
  default?: string;
  group: 'browser' | 'desktop' | 'output' | 'sessions' | 'model' | 'http' | 'security';
}

export const OPTIONS = {
  browser: {
    flag: 'browser',
    env: 'CUA_BROWSER',
    kind: 'string',
    group: 'browser',
    default: 'chromium',
    help: 'Browser engine: chromium, firefox or webkit',
  },
  executablePath: {
    flag: 'executable-path',
    env: 'CUA_EXECUTABLE_PATH',
    kind: 'string',
    group: 'browser',
    help: "Browser executable to launch (default: Playwright's own browser, else a system Chromium/Chrome)",
  },
  headless: {
    flag: 'headless',
    env: 'CUA_HEADLESS',
    kind: 'boolean',
    group: 'browser',
    help: 'Run the browser headless (default: headless when there is no display)',
  },
  headed: { flag: 'headed', env: 'CUA_HEADED', kind: 'boolean', group: 'browser', help: 'Show the browser window (needs a display)' },
  displaySize: {
    flag: 'display-size',
    env: 'CUA_DISPLAY_SIZE',
    kind: 'string',
    group: 'browser',
    default: '1024x768',
    help: 'Viewport size the pages lay out at, WIDTHxHEIGHT; also the screenshot size unless --screenshot-size says otherwise',
  },
  screenshotSize: {
    flag: 'screenshot-size',
    env: 'CUA_SCREENSHOT_SIZE',
    kind: 'string',
    group: 'browser',
    help: 'Smaller screenshots than the display, same aspect ratio (e.g. 1280x720 for a 1920x1080 display); coordinates are always screenshot pixels (default: the display size)',
  },
  startUrl: {
    flag: 'start-url',
    env: 'CUA_START_URL',
    kind: 'string',
    group: 'browser',
    default: 'about:blank',
    help: 'Page every new session opens',
  },
  userDataDir: {
    flag: 'user-data-dir',
    env: 'CUA_USER_DATA_DIR',
    kind: 'string',
    group: 'browser',
    help: 'Persistent browser profile directory; all sessions then share it (default: isolated in-memory contexts)',
  },
  storageState: {
    flag: 'storage-state',
    env: 'CUA_STORAGE_STATE',
    kind: 'string',
    group: 'browser',
    help: 'A Playwright storage-state file (cookies and local storage, e.g. saved by save_storage_state) loaded into every new browser session: they all start logged in. It holds secrets: keep it private',
  },
  cdpEndpoint: {
    flag: 'cdp-endpoint',
    env: 'CUA_CDP_ENDPOINT',
    kind: 'string',
    group: 'browser',
    help: 'Drive a running Chromium over CDP (http://host:9222 or ws://...)',
  },
  browserEndpoint: {
    flag: 'browser-endpoint',
    env: 'CUA_BROWSER_ENDPOINT',
    kind: 'string',
    group: 'browser',
    help: 'Drive Playwright browser servers (ws://... from launchServer / run-server, or a load balancer in front of several): a connection per session',
  },
  dialogPolicy: {
    flag: 'dialog-policy',
    env: 'CUA_DIALOG_POLICY',
    kind: 'string',
    group: 'browser',
    default: 'dismiss',
    help: 'Native confirm/prompt dialogs: dismiss or accept (alerts are always closed); the text is reported',
  },
  pageAnswerTimeout: {
    flag: 'page-answer-timeout',
    env: 'CUA_PAGE_ANSWER_TIMEOUT',
    kind: 'string',
    group: 'browser',
    default: '10000',
    help: 'Longest wait in ms for one browser round trip (an input event, a frame, a screenshot) before the page counts as not answering: its script is stopped, else its tab closed, and the call says so',
  },
  desktopDisplay: {
    flag: 'desktop-display',
    env: 'CUA_DESKTOP_DISPLAY',
    kind: 'string',
    group: 'desktop',
    help: 'Existing X display desktop sessions drive (e.g. :1), one session at a time (default: each desktop session starts its own Xvfb)',
  },
  desktopSize: {
    flag: 'desktop-size',
    env: 'CUA_DESKTOP_SIZE',
    kind: 'string',
    group: 'desktop',
    help: 'Screen size of the Xvfb a desktop session starts, WIDTHxHEIGHT; screenshots are scaled down to fit --display-size (or --screenshot-size) and coordinates mapped back (default: the display size)',
  },
  desktopWindowManager: {
    flag: 'desktop-window-manager',
    env: 'CUA_DESKTOP_WINDOW_MANAGER',
    kind: 'string',
    group: 'desktop',
    default: 'auto',
    help: "Window manager started with that Xvfb: auto (openbox when installed, with a configuration of the server's that has no menus and runs no program), none, or a command",
  },
  desktopApp: {
    flag: 'desktop-app',
    env: 'CUA_DESKTOP_APPS',
    kind: 'string',
    multiple: true,
    group: 'desktop',
    help: 'An application launch_app may start, NAME=COMMAND (run without a shell); repeat the flag for more, or separate them with ; in the env variable (default: none)',
  },
  imageFormat: {
    flag: 'image-format',
    env: 'CUA_IMAGE_FORMAT',
    kind: 'string',
    group: 'output',
    default: 'png',
    help: 'Screenshot format: png or jpeg',
  },
  imageQuality: {
    flag: 'image-quality',
    env: 'CUA_IMAGE_QUALITY',
    kind: 'string',
    group: 'output',
    default: '80',
    help: 'JPEG quality 1-100',
  },
  maxImageBytes: {
    flag: 'max-image-bytes',
    env: 'CUA_MAX_IMAGE_BYTES',
    kind: 'string',
    group: 'output',
    default: '700000',
    help: 'Largest screenshot sent to the MCP client, in bytes (base64 makes it 4/3 larger in the message); a larger one is sent as JPEG, at lower quality, and only if that fails scaled down',
  },
  maxImagePixels: {
    flag: 'max-image-pixels',
    env: 'CUA_MAX_IMAGE_PIXELS',
    kind: 'string',
    group: 'output',
    help: "Longest side, in pixels, of screenshots sent to the MCP client (e.g. 1568); larger ones are scaled down, and the client's coordinates are then in the scaled pixels (the model of run_task is not affected)",
  },
  structuredOutput: {
    flag: 'structured-output',
    env: 'CUA_STRUCTURED_OUTPUT',
    kind: 'string',
    group: 'output',
    default: 'auto',
    help: 'structuredContent in tool results: on, off, or auto (off for clients known to show their model only structuredContent, dropping the screenshot: Codex)',
  },
  outputDir: {
    flag: 'output-dir',
    env: 'CUA_OUTPUT_DIR',
    kind: 'string',
    group: 'output',
    default: defaultOutputDir(),
    help: 'Where downloads (and run logs) are written',
  },
  record: {
    flag: 'record',
    env: 'CUA_RECORD',
    kind: 'boolean',
    group: 'output',
    default: 'true',
    help: 'Record every model run (screenshots, steps.jsonl, report.html) in <output-dir>/runs/<run_id>/; --no-record or CUA_RECORD=0 turns it off',
  },
  maxDownloadSize: {
    flag: 'max-download-size',
    env: 'CUA_MAX_DOWNLOAD_SIZE',
    kind: 'string',
    group: 'output',
    default: '1GB',
    help: 'Largest single download (500MB, 2GB; 0 = no limit): past it the download is cancelled as the bytes arrive',
  },
  sessionDownloadSize: {
    flag: 'session-download-size',
    env: 'CUA_SESSION_DOWNLOAD_SIZE',
    kind: 'string',
    group: 'output',
    default: '2GB',
    help: 'All downloads of one session together (0 = no limit): past it the download under way is cancelled',
  },
  maxDownloads: {
    flag: 'max-downloads',
    env: 'CUA_MAX_DOWNLOADS',
    kind: 'string',
    group: 'output',
    default: '100',
    help: 'Downloads one session may start (0 = no limit); later ones are cancelled at once',
  },
  minFreeSpace: {
    flag: 'min-free-space',
    env: 'CUA_MIN_FREE_SPACE',
    kind: 'string',
    group: 'output',
    default: '512MB',
    help: 'Free space downloads leave on the file systems of the output folder and the temp folder the browser writes to (0 = none): a download that would go below it is cancelled',
  },
  keepRuns: {
    flag: 'keep-runs',
    env: 'CUA_KEEP_RUNS',
    kind: 'string',
    group: 'output',
    default: '100',
    help: 'Recorded runs to keep: a count (100) or a total size (500MB, 2GB); the oldest are deleted first, never a run still going',
  },
  logLevel: {
    flag: 'log-level',
    env: 'CUA_LOG_LEVEL',
    kind: 'string',
    group: 'output',
    default: 'info',
    help: 'What the server logs to stderr: debug, info, warn or error',
  },
  idleTimeout: {
    flag: 'idle-timeout',
    env: 'CUA_IDLE_TIMEOUT',
    kind: 'string',
    group: 'sessions',
    default: '1800',
    help: 'Close a session (browser or desktop), and an HTTP MCP session, after this many seconds without a call (0 = never)',
  },
  settleTimeout: {
    flag: 'settle-timeout',
    env: 'CUA_SETTLE_TIMEOUT',
    kind: 'string',
    group: 'sessions',
    default: '5000',
    help: 'Longest wait in ms, after an action, for the navigation or requests it started',
  },
  provider: {
    flag: 'provider',
    env: 'CUA_PROVIDER',
    kind: 'string',
    group: 'model',
    default: 'auto',
    help: 'Model provider: azure, openai, anthropic, gemini, openai-compatible, or auto (the first whose credentials are set, in that order; the server logs which)',
  },
  model: {
    flag: 'model',
    env: 'CUA_MODEL',
    kind: 'string',
    group: 'model',
    help: 'Computer-use model, or the deployment name on Azure OpenAI (default per provider: computer-use-preview, claude-sonnet-4-6, gemini-2.5-computer-use-preview-10-2025, ByteDance-Seed/UI-TARS-1.5-7B)',
  },
  toolGeneration: {
    flag: 'tool-generation',
    env: 'CUA_TOOL_GENERATION',
    kind: 'string',
    group: 'model',
    default: 'auto',
    help: 'Computer tool: preview (computer_use_preview), ga (computer, batched actions) or auto (preview for computer-use-preview models, else ga)',
  },
  anthropicTool: {
    flag: 'anthropic-tool',
    env: 'CUA_ANTHROPIC_TOOL',
    kind: 'string',
    group: 'model',
    default: 'auto',
    help: 'Anthropic computer tool: computer_20250124, computer_20251124, or auto (computer_20251124 for the models that take it: Claude Opus 4.5, and 4.6 and later)',
  },
  geminiBaseUrl: {
    flag: 'gemini-base-url',
    env: 'GOOGLE_GEMINI_BASE_URL',
    kind: 'string',
    group: 'model',
    help: 'Gemini API endpoint (default: https://generativelanguage.googleapis.com)',
  },
  openaiCompatibleBaseUrl: {
    flag: 'openai-compatible-base-url',
    env: 'CUA_OPENAI_COMPATIBLE_BASE_URL',
    kind: 'string',
    group: 'model',
    help: 'Chat Completions endpoint of an OpenAI-compatible server (vLLM: http://host:8000/v1) serving a text-action model such as UI-TARS',
  },
  openaiCompatibleApiKey: {
    flag: 'openai-compatible-api-key',
    env: 'CUA_OPENAI_COMPATIBLE_API_KEY',
    kind: 'string',
    group: 'model',
    help: 'API key for --openai-compatible-base-url (vllm serve --api-key; default: none)',
  },
  textActionCoordinates: {
    flag: 'text-action-coordinates',
    env: 'CUA_TEXT_ACTION_COORDINATES',
    kind: 'string',
    group: 'model',
    default: 'absolute',
    help: 'How the text-action model gives points: absolute (UI-TARS 1.5: pixels of the image as its processor resized it) or relative (0-1000 on each axis: UI-TARS 1.0)',
  },
  history: {
    flag: 'history',
    env: 'CUA_HISTORY',
    kind: 'string',
    group: 'model',
    default: 'server',
    help: 'Conversation state: server (previous_response_id) or local (store:false, every item resent with encrypted reasoning)',
  },
  keepScreenshots: {
    flag: 'keep-screenshots',
    env: 'CUA_KEEP_SCREENSHOTS',
    kind: 'string',
    group: 'model',
    default: 'auto',
    help: 'Screenshots the model sees again in the resent history (Anthropic, Gemini, openai-compatible): N keeps the newest N, and older ones are dropped K at a time with N+K, so the prompt cache holds between drops; auto: 3+10 for Anthropic and Gemini, 4+4 for text-action models',
  },
  maxSteps: {
    flag: 'max-steps',
    env: 'CUA_MAX_STEPS',
    kind: 'string',
    group: 'model',
    default: '25',
    help: 'Default step budget (model turns) of run_task',
  },
  callWait: {
    flag: 'call-wait',
    env: 'CUA_CALL_WAIT',
    kind: 'string',
    group: 'model',
    default: '45',
    help: "Seconds run_task, step, acknowledge_safety_check and get_run wait for a run before answering with status running (the run goes on; get_run follows it); keep it below the client's call timeout, often 60 s",
  },
  modelPrices: {
    flag: 'model-prices',
    env: 'CUA_MODEL_PRICES',
    kind: 'string',
    group: 'model',
    help: "Your model's prices in USD per million tokens, for the estimated cost of each run: input=3,output=15 and optionally cached=0.3,cache_write=3.75 (cache prices default to the input price); without it runs report tokens, never a guessed cost",
  },
  modelRetries: {
    flag: 'model-retries',
    env: 'CUA_MODEL_RETRIES',
    kind: 'string',
    group: 'model',
    default: '4',
    help: 'Retries of a model request on 408/409/429/5xx and connection errors, with backoff honouring Retry-After',
  },
  approval: {
    flag: 'approval',
    env: 'CUA_APPROVAL',
    kind: 'string',
    group: 'security',
    default: 'safety-checks',
    help: "When a person approves the model's actions: safety-checks (the model's own checks and the --confirm-* rules), always (before every action), or sandbox:NAME (in the throw-away sandbox NAME, the model's safety checks are approved without asking; the --confirm-* rules still ask); every decision is recorded with its rule",
  },
  confirmDomains: {
    flag: 'confirm-domains',
    env: 'CUA_CONFIRM_DOMAINS',
    kind: 'string',
    group: 'security',
    help: 'Comma-separated hosts (example.com, *.example.com) where any action pauses for a person first: checkout, banking (default: none)',
  },
  confirmPasswordTyping: {
    flag: 'confirm-password-typing',
    env: 'CUA_CONFIRM_PASSWORD_TYPING',
    kind: 'boolean',
    group: 'security',
    help: 'Pause for a person before the model types into a password field (browser sessions)',
  },
  autoAcknowledgeSafetyChecks: {
    flag: 'auto-acknowledge-safety-checks',
    env: 'CUA_AUTO_ACKNOWLEDGE_SAFETY_CHECKS',
    kind: 'boolean',
    group: 'security',
    help: 'DANGER, throw-away sandboxes only: acknowledge every safety check without asking a person',
  },
  confirmActions: {
    flag: 'confirm-actions',
    env: 'CUA_CONFIRM_ACTIONS',
    kind: 'string',
    group: 'security',
    help: `Comma-separated action kinds that always pause for a person before they run, with every provider (${AGENT_ACTION_TYPES.join(', ')}; default: none)`,
  },
  allowedDomains: {
    flag: 'allowed-domains',
    env: 'CUA_ALLOWED_DOMAINS',
    kind: 'string',
    group: 'security',
    help: 'Comma-separated hosts the browser may reach (example.com, *.example.com = it and its subdomains); every other host is blocked, on every request (default: all)',
  },
  blockedDomains: {
    flag: 'blocked-domains',
    env: 'CUA_BLOCKED_DOMAINS',
    kind: 'string',
    group: 'security',
    help: 'Comma-separated hosts the browser must never reach, same patterns; wins over --allowed-domains',
  },
  allowSchemes: {
    flag: 'allow-schemes',
    env: 'CUA_ALLOW_SCHEMES',
    kind: 'string',
    group: 'security',
    help: 'Comma-separated schemes pages may also be opened at: file, data, view-source, chrome (default: none; only http, https, about, blob)',
  },
  maxSessions: {
    flag: 'max-sessions',
    env: 'CUA_MAX_SESSIONS',
    kind: 'string',
    group: 'sessions',
    default: '10',
    help: 'Most sessions (browser and desktop) open at once, all clients together (0 = no limit)',
  },
  maxSessionsPerPrincipal: {
    flag: 'max-sessions-per-principal',
    env: 'CUA_MAX_SESSIONS_PER_PRINCIPAL',
    kind: 'string',
    group: 'sessions',
    default: '0',
    help: "Most sessions one principal (a token's holder) may have open at once; past it that principal is refused until it closes one (0 = only --max-sessions applies)",
  },
  maxRunsPerPrincipal: {
    flag: 'max-runs-per-principal',
    env: 'CUA_MAX_RUNS_PER_PRINCIPAL',
    kind: 'string',
    group: 'sessions',
    default: '0',
    help: 'Most model runs one principal may have working at once (a run paused on a safety check does not count; 0 = no limit)',
  },
  maxStepsPerMinute: {
    flag: 'max-steps-per-minute',
    env: 'CUA_MAX_STEPS_PER_MINUTE',
    kind: 'string',
    group: 'sessions',
    default: '0',
    help: "Most model steps (turns) one principal's runs may take together in any 60 s; past it a run stops (failed, resumable with step) and new ones are refused, saying how long to wait (0 = no limit)",
  },
  operators: {
    flag: 'operators',
    env: 'CUA_OPERATORS',
    kind: 'string',
    group: 'security',
    help: "Comma-separated principal ids (names in the --auth-tokens file) who get the server_status tool: every principal's sessions, runs and recent model steps (default: nobody)",
  },
  shareSessions: {
    flag: 'share-sessions',
    env: 'CUA_SHARE_SESSIONS',
    kind: 'boolean',
    group: 'sessions',
    help: 'Make every HTTP client one principal, whatever its token (sessions already outlive reconnects: they belong to the token, not the MCP session)',
  },
  port: {
    flag: 'port',
    env: 'CUA_PORT',
    kind: 'string',
    group: 'http',
    help: 'Serve Streamable HTTP at http://HOST:PORT/mcp instead of stdio',
  },
  host: {
    flag: 'host',
    env: 'CUA_HOST',
    kind: 'string',
    group: 'http',
    default: '127.0.0.1',
    help: 'Address to listen on; anything but loopback needs --auth-token, --auth-tokens or --oauth-issuer',
  },
  authToken: {
    flag: 'auth-token',
    env: 'CUA_AUTH_TOKEN',
    kind: 'string',
    group: 'security',
    help: 'Bearer token every HTTP request must carry (Authorization: Bearer TOKEN)',
  },
  authTokens: {
    flag: 'auth-tokens',
    env: 'CUA_AUTH_TOKENS',
    kind: 'string',
    group: 'security',
    help: 'File of bearer tokens, one "NAME TOKEN" line per principal: each sees only its own sessions, runs and recordings',
  },
  oauthIssuer: {
    flag: 'oauth-issuer',
    env: 'CUA_OAUTH_ISSUER',
    kind: 'string',
    group: 'security',
    help: "Accept OAuth access tokens (JWT) of this authorization server (its issuer URL: Keycloak realm, Entra ID tenant, Auth0 tenant...); each token's subject is a principal of its own",
  },
  oauthResource: {
    flag: 'oauth-resource',
    env: 'CUA_OAUTH_RESOURCE',
    kind: 'string',
    group: 'security',
    help: "This server's /mcp URL as clients reach it, published in /.well-known/oauth-protected-resource (default: http://HOST:PORT/mcp; required beyond loopback)",
  },
  oauthAudience: {
    flag: 'oauth-audience',
    env: 'CUA_OAUTH_AUDIENCE',
    kind: 'string',
    group: 'security',
    help: 'The aud every access token must carry (Entra ID: api://APP-ID, Auth0: the API identifier) (default: --oauth-resource)',
  },
  oauthScopes: {
    flag: 'oauth-scopes',
    env: 'CUA_OAUTH_SCOPES',
    kind: 'string',
    group: 'security',
    help: 'Comma-separated scopes every access token must carry; a token without one gets 403 insufficient_scope (default: none)',
  },
  allowedHosts: {
    flag: 'allowed-hosts',
    env: 'CUA_ALLOWED_HOSTS',
    kind: 'string',
    group: 'security',
    help: 'Comma-separated Host names accepted besides localhost, 127.0.0.1 and [::1] (* = any)',
  },
  allowedOrigins: {
    flag: 'allowed-origins',
    env: 'CUA_ALLOWED_ORIGINS',
    kind: 'string',
    group: 'security',
    help: 'Comma-separated browser Origins accepted besides the allowed hosts (e.g. https://app.example.com; * = any)',
  },
  maxClients: {
    flag: 'max-clients',
    env: 'CUA_MAX_CLIENTS',
    kind: 'string',
    group: 'http',
    default: '100',
    help: 'Most MCP sessions (clients) open at once over HTTP; past it initialize gets 503 (0 = no limit)',
  },
  replica: {
    flag: 'replica',
    env: 'CUA_REPLICA',
    kind: 'string',
    group: 'http',
    help: "This server's name among several behind a load balancer (r1, cua-mcp-0: lower-case letters, digits, -): every handle it mints starts with NAME. so requests reach it, and all replicas must share --output-dir, where each records its sessions so the others can answer for the ones it lost (docs/deployment.md)",
  },
  maxBody: {
    flag: 'max-body',
    env: 'CUA_MAX_BODY',
    kind: 'string',
    group: 'http',
    default: '4194304',
    help: 'Largest HTTP request body in bytes (larger: 413)',
  },
} as const satisfies Record<string, OptionSpec>;

export type OptionName = keyof typeof OPTIONS;
export type RawOptions = Partial<Record<OptionName, string | boolean>>;

export class ConfigError extends Error {}

/** Where downloads and recordings go unless --output-dir says otherwise. */
export function defaultOutputDir(): string {
  return path.join(os.tmpdir(), 'cua-mcp');
}

function envValue(spec: OptionSpec, env: NodeJS.ProcessEnv): string | boolean | undefined {
  const value = env[spec.env];
  if (value === undefined || value === '') return undefined;
  if (spec.kind === 'boolean') return !['0', 'false', 'no', 'off'].includes(value.toLowerCase());
  return value;
}

/** Parses argv (without node and script) and the environment; flags win over env. */
export function parseOptions(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
): { raw: RawOptions; positionals: string[]; help: boolean; version: boolean } {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean' },
  };
  for (const spec of Object.values(OPTIONS) as OptionSpec[])
    options[spec.flag] = spec.multiple ? { type: spec.kind, multiple: true } : { type: spec.kind };
  // --no-<flag> turns a boolean option off (parseArgs' allowNegative needs Node 22).
  const negated = new Set<string>();
  const booleans = new Set((Object.values(OPTIONS) as OptionSpec[]).filter((s) => s.kind === 'boolean').map((s) => s.flag));
  const args = argv.filter((arg) => {
    const flag = /^--no-(.+)$/.exec(arg)?.[1];
    if (!flag || !booleans.has(flag)) return true;
    negated.add(flag);
    return false;
  });
  const checked = checkArguments(args, options, (message) => new ConfigError(`${message} Run cua-mcp --help for the options.`));
  let parsed;
  try {
    parsed = parseArgs({ args: checked, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}. Run cua-mcp --help for the options.`);
  }
  const raw: RawOptions = {};
  for (const [name, spec] of Object.entries(OPTIONS) as [OptionName, OptionSpec][]) {
    const given = negated.has(spec.flag) ? false : (parsed.values as Record<string, string | boolean | string[] | undefined>)[spec.flag];
    const value = (Array.isArray(given) ? given.join('\n') : given) ?? envValue(spec, env) ?? spec.default;
    if (value !== undefined) raw[name] = value;
  }
  return { raw, positionals: parsed.positionals, help: Boolean(parsed.values.help), version: Boolean(parsed.values.version) };
}

/** The value of a string option, or undefined when it is not set or empty. */
export function optionString(value: string | boolean | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A whole number option from min to max. */
export function integer(name: OptionName, value: string | boolean | undefined, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(
      `--${OPTIONS[name].flag} (${OPTIONS[name].env}) must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`,
    );
  }
  return n;
}

/** A string option that must be one of `allowed`. */
export function oneOf<T extends string>(name: OptionName, value: string | boolean | undefined, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new ConfigError(
    `--${OPTIONS[name].flag} (${OPTIONS[name].env}) must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`,
  );
}

/** A WIDTHxHEIGHT option from 200x200 to 7680x4320. */
export function screenSize(name: 'displaySize' | 'desktopSize', value: string | boolean | undefined): { width: number; height: number } {
  const { flag, env } = OPTIONS[name];
  const size = /^(\d{1,6})x(\d{1,6})$/.exec(String(value));
  const result = size ? { width: Number(size[1]), height: Number(size[2]) } : undefined;
  if (!result || result.width < 200 || result.height < 200 || result.width > 7680 || result.height > 4320) {
    throw new ConfigError(
      `--${flag} (${env}) must be WIDTHxHEIGHT in pixels, from 200x200 to 7680x4320 (e.g. 1024x768), got ${JSON.stringify(value)}`,
    );
  }
  return result;
}

/** Multipliers of the size units options accept. */
export const SIZE_UNITS: Record<string, number> = { KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };

/** A size in bytes: 1048576, 500KB, 500MB, 2GB; 0 = no limit. */
export function size(name: OptionName, value: string | boolean | undefined): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(KB|MB|GB)?\s*$/i.exec(String(value));
  if (!match)
    throw new ConfigError(
      `--${OPTIONS[name].flag} (${OPTIONS[name].env}) must be a size in bytes (1048576) or with a unit (500MB, 2GB), or 0 for no limit; got ${JSON.stringify(value)}`,
    );
  return Math.round(Number(match[1]) * (match[2] ? SIZE_UNITS[match[2].toUpperCase()]! : 1));
}

/** A comma-separated list option: its trimmed, non-empty items. */
export function list(value: string | boolean | undefined): string[] {
  return typeof value === 'string'
    ? value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean)
    : [];
}

/** `--help`: usage, every option with its variable, and `providerSetup` (what each model provider needs, from its spec). */
export function helpText(providerSetup: string[]): string {
  const groups = new Map<string, string[]>();
  for (const spec of Object.values(OPTIONS) as OptionSpec[]) {
    const flag = spec.kind === 'boolean' ? `--${spec.flag}` : `--${spec.flag} <value>`;
    const def = spec.default !== undefined ? ` (default: ${spec.default})` : '';
    const line = `  ${flag.padEnd(28)} ${spec.help}${def}\n  ${''.padEnd(28)} env: ${spec.env}`;
    groups.set(spec.group, [...(groups.get(spec.group) ?? []), line]);
  }
  const sections = [...groups].map(([group, lines]) => `${group[0]!.toUpperCase()}${group.slice(1)}:\n${lines.join('\n')}`);
  return [
    'cua-mcp: a computer-use MCP server. It drives a real browser, or a Linux X desktop, through its screen.',
    '',
    'Usage:',
    '  cua-mcp [options]                 serve MCP over stdio',
    '  cua-mcp run ["task"] [options]    run the computer-use model loop in this terminal (asks for the task when none is given)',
    '  cua-mcp --port 8931 [options]     serve MCP over Streamable HTTP at http://127.0.0.1:8931/mcp',
    '',
    'Model credentials (run_task, step and cua-mcp run need one provider; the first one set is used, --provider picks another):',
    ...providerSetup.map((line) => `  ${line}`),
    '',
    ...sections.flatMap((s) => [s, '']),
    '  -h, --help                   this text',
    '  --version                    the version of cua-mcp-server',
  ].join('\n');
}
