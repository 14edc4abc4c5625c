import { z } from 'zod';
import { optional } from '../strict-schema.js';
import { capability } from './capability.js';
import { defineTool, optionalSessionId } from './tool.js';

export const saveStorageStateTool = defineTool({
  name: 'save_storage_state',
  title: "Save a browser session's login",
  description:
    "Saves the session's cookies and local storage (its logins) to a private file in the server's output directory, for the operator to load " +
    "into new sessions with --storage-state. Only the path is returned: the file's secrets never are.",
  inputSchema: {
    session_id: optionalSessionId,
    name: optional(z.string()).describe(
      'File name (letters, digits, . - _); default: the session id. An existing file of that name is replaced',
    ),
  },
  outputSchema: {
    session_id: z.string(),
    path: z.string(),
    cookies: z.number(),
    origins: z.number().describe('Origins whose local storage was saved'),
  },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  handler: async ({ session_id, name }, { principal }) => {
    const session = await principal.session(session_id);
    const logins = capability(session, 'logins', 'save_storage_state');
    const saved = await session.exclusive(() => logins.save(name ?? session.id));
    const text =
      `Saved the cookies (${saved.cookies}) and local storage (${saved.origins} origin(s)) of session ${session.id} to ${saved.path}. ` +
      'The file holds login secrets and is not shown here. The operator can start the server with --storage-state pointing at it to begin every new session logged in.';
    return { content: [{ type: 'text', text }], structuredContent: { session_id: session.id, ...saved } };
  },
});
