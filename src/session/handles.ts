import { randomUUID } from 'node:crypto';

/**
 * A replica's name: a DNS label (what a Kubernetes StatefulSet names its
 * pods, cua-mcp-0), so it can never contain the '.' that ends it in a handle.
 */
export const REPLICA_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * A new handle (session id, MCP session id): a random UUID (122 random
 * bits, so nobody finds one by guessing), prefixed `NAME.` on a replica so
 * the load balancer can send each request to the replica that owns it.
 */
export function mintHandle(replica?: string): string {
  return replica ? `${replica}.${randomUUID()}` : randomUUID();
}

const REPLICA_HANDLE = /^([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The replica a handle was minted by, if it is a replica's handle at all (anything else a client sends: undefined). */
export function replicaOf(handle: string): string | undefined {
  return REPLICA_HANDLE.exec(handle)?.[1];
}

/** A handle another replica minted (never true outside a replica deployment). */
export function isOtherReplicas(handle: string, self: string | undefined): boolean {
  const owner = replicaOf(handle);
  return self !== undefined && owner !== undefined && owner !== self;
}
