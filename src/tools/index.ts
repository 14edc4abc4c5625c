import { acknowledgeSafetyCheckTool } from './acknowledge-safety-check.js';
import { cancelRunTool } from './cancel-run.js';
import { computerTool } from './computer.js';
import { getRunTool } from './get-run.js';
import { launchAppTool } from './launch-app.js';
import { navigateTool } from './navigate.js';
import { runTaskTool } from './run-task.js';
import { saveStorageStateTool } from './save-storage-state.js';
import { serverStatusTool } from './server-status.js';
import { screenshotTool } from './screenshot.js';
import { selectTabTool } from './select-tab.js';
import { closeSessionTool, listSessionsTool, newSessionTool } from './sessions.js';
import { stepTool } from './step.js';
import type { ToolDefinition } from './tool.js';

/** Tools that work on sessions directly (open, look, act, navigate, launch), for the calling assistant. */
export const sessionTools = [
  computerTool,
  navigateTool,
  screenshotTool,
  selectTabTool,
  launchAppTool,
  newSessionTool,
  listSessionsTool,
  closeSessionTool,
  saveStorageStateTool,
] as unknown as ToolDefinition[];

/** Tools that hand the screen to a computer-use model. */
export const agentTools = [runTaskTool, stepTool, acknowledgeSafetyCheckTool, getRunTool, cancelRunTool] as unknown as ToolDefinition[];

/** Tools only the server's operators (--operators) are shown and may call. */
export const operatorTools = [serverStatusTool] as unknown as ToolDefinition[];
