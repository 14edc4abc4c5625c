import fs from 'node:fs/promises';
import path from 'node:path';
import { registerAppResource, RESOURCE_MIME_TYPE } from '@modelcontextprotocol/ext-apps/server';
import { ProtocolError, ProtocolErrorCode, ResourceTemplate, type McpServer } from '@modelcontextprotocol/server';
import type { ServerConfig } from './server-config.js';
import { REPORT_FILE, STEPS_FILE, type RunRecord } from '../recording/records.js';
import { listRuns, readRun } from '../recording/run-store.js';
import type { Principal } from '../session/principal.js';
import { RUN_VIEW_HTML, RUN_VIEW_URI } from '../tools/run-view-html.js';

const runUri = (runId: string) => `cua-mcp://runs/${runId}`;

/**
 * Recorded runs as MCP resources: resources/list names the principal's
 * runs, and cua-mcp://runs/{run_id}
 * reads the run's report.html and steps.jsonl. Plus the run view for
 * hosts that render MCP Apps.
 */
export function registerRunResources(server: McpServer, principal: Principal, config: ServerConfig): void {
  const { dir } = config.recording;
  const visible = (run: RunRecord | undefined): run is RunRecord => run !== undefined && run.owner === principal.id;

  server.registerResource(
    'run',
    new ResourceTemplate(runUri('{run_id}'), {
      list: async () => ({
        resources: (await listRuns(dir))
          .filter(visible)
          .reverse()
          .map((run) => ({
            uri: runUri(run.run_id),
            name: run.run_id,
            title: run.task.slice(0, 100),
            description: `${run.status} after ${run.steps} step(s), started ${run.started}; report: ${path.join(dir, run.run_id, REPORT_FILE)}`,
            mimeType: 'text/html',
          })),
      }),
    }),
    {
      title: 'Recorded run',
      description:
        'A recorded computer-use model run: its report.html (open it in a browser from the folder for the screenshots) and steps.jsonl, one line per model turn.',
      mimeType: 'text/html',
    },
    async (uri, variables) => {
      const runId = String(variables.run_id);
      const run = await readRun(dir, runId);
      // Invalid params: MCP 2026-07-28's answer to a resource that does not exist (the SDK maps the older -32002 to it anyway).
      if (!visible(run))
        throw new ProtocolError(
          ProtocolErrorCode.InvalidParams,
          `No recorded run ${runId} for you: resources/list names the runs you can read.`,
        );
      const folder = path.join(dir, run.run_id);
      const read = (file: string) => fs.readFile(path.join(folder, file), 'utf8').catch(() => '');
      const [report, steps] = await Promise.all([read(REPORT_FILE), read(STEPS_FILE)]);
      return {
        contents: [
          { uri: `${uri.href}/${REPORT_FILE}`, mimeType: 'text/html', text: report },
          { uri: `${uri.href}/${STEPS_FILE}`, mimeType: 'application/jsonl', text: steps },
        ],
      };
    },
  );

  registerAppResource(
    server,
    'run-view',
    RUN_VIEW_URI,
    {
      title: 'Run view',
      description:
        'Interactive view of a computer-use run for hosts that render MCP Apps: the latest screenshot, the steps, and Approve/Deny for a held action.',
    },
    async (uri) => ({
      contents: [{ uri: uri.href, mimeType: RESOURCE_MIME_TYPE, text: RUN_VIEW_HTML, _meta: { ui: { prefersBorder: true } } }],
    }),
  );
}
