import { ConfigError, type RawOptions } from '../config.js';
import { REPLICA_NAME } from '../session/handles.js';

/** --replica: this server's name among several behind a load balancer; undefined: a server alone. */
export function resolveReplica(raw: RawOptions): string | undefined {
  if (typeof raw.replica !== 'string' || raw.replica === '') return undefined;
  if (!REPLICA_NAME.test(raw.replica)) {
    throw new ConfigError(
      `--replica (CUA_REPLICA) must be a DNS label (lower-case letters, digits and -, at most 63, e.g. r1 or cua-mcp-0), got ${JSON.stringify(raw.replica)}`,
    );
  }
  if (raw.port === undefined) throw new ConfigError('--replica names one of several HTTP servers behind a load balancer: it needs --port.');
  return raw.replica;
}
