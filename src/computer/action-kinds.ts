import { ACTION_TYPES } from './actions.js';

/**
 * Every kind of action a model may ask for, the names --confirm-actions takes:
 * the protocol actions plus the few that other providers' tools have beyond
 * them (src/agent/actions.ts types them). A list of names only, so the option
 * table can name them without importing the agent.
 */
export const AGENT_ACTION_TYPES = [...ACTION_TYPES, 'triple_click', 'mouse_down', 'mouse_up', 'hold_key', 'navigate', 'history'] as const;
