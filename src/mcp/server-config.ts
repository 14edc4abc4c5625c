import path from 'node:path';
import { resolveAgentOptions, type AgentOptions } from '../agent/agent-options.js';
import { resolveBrowser, type BrowserConfig } from '../browser/browser-config.js';
import { defaultOutputDir, integer, list, oneOf, optionString, type RawOptions } from '../config.js';
import { resolveDesktop, type DesktopConfig } from '../desktop/desktop-config.js';
import { LOG_LEVELS, type LogLevel } from '../log.js';
import { resolveHttp, type HttpConfig } from './http-config.js';
import { resolveKeepScreenshots } from '../providers/provider-options.js';
import { resolveRecording, type RecordingConfig } from '../recording/recording-config.js';
import { resolveReplica } from '../replica/replica-config.js';
import type { PrincipalLimits } from '../session/quotas.js';

/**
 * The configuration the programs (serve, cua-mcp run) use: each area's
 * slice, resolved by that area from the parsed option table. Deep layers take
 * their own slice type, not this.
 */
export interface ServerConfig extends BrowserConfig {
  structuredOutput: 'auto' | 'on' | 'off';
  /** Recordings of model runs: on/off, the runs folder, how many to keep. */
  recording: RecordingConfig;
  logLevel: LogLevel;
  idleTimeoutMs: number;
  /** How long a run tool call waits for the run by default before answering `running`. */
  callWaitSeconds: number;
  agent: AgentOptions;
  maxSessions: number;
  /** Limits per principal (session/quotas.ts); 0 = no limit. */
  principalLimits: PrincipalLimits;
  /** Principal ids that get the operator's view (server_status). */
  operators: string[];
  shareSessions: boolean;
  /** This server's name among replicas (--replica); undefined: a server alone. */
  replica?: string;
  http?: HttpConfig;
  desktop: DesktopConfig;
}

export function resolveConfig(raw: RawOptions, env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const outputDir = path.resolve(optionString(raw.outputDir) ?? defaultOutputDir());
  const browser = resolveBrowser(raw, env, outputDir);
  return {
    ...browser,
    structuredOutput: oneOf('structuredOutput', raw.structuredOutput, ['auto', 'on', 'off'] as const),
    recording: resolveRecording(raw, outputDir),
    logLevel: oneOf('logLevel', raw.logLevel, LOG_LEVELS),
    idleTimeoutMs: integer('idleTimeout', raw.idleTimeout, 0, 7 * 24 * 3600) * 1000,
    callWaitSeconds: integer('callWait', raw.callWait, 0, 3600),
    agent: resolveAgentOptions(raw, resolveKeepScreenshots(raw.keepScreenshots)),
    maxSessions: integer('maxSessions', raw.maxSessions, 0, 1000),
    principalLimits: {
      sessions: integer('maxSessionsPerPrincipal', raw.maxSessionsPerPrincipal, 0, 1000),
      runs: integer('maxRunsPerPrincipal', raw.maxRunsPerPrincipal, 0, 1000),
      stepsPerMinute: integer('maxStepsPerMinute', raw.maxStepsPerMinute, 0, 1_000_000),
    },
    operators: list(raw.operators),
    shareSessions: Boolean(raw.shareSessions),
    replica: resolveReplica(raw),
    http: raw.port === undefined ? undefined : resolveHttp(raw),
    desktop: resolveDesktop(raw, browser.display),
  };
}
