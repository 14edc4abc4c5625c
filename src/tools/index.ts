import { computerTool } from './computer.js';
import { navigateTool } from './navigate.js';
import { screenshotTool } from './screenshot.js';
import { closeSessionTool, listSessionsTool, newSessionTool } from './sessions.js';
import type { ToolDefinition } from './tool.js';

/** Tools that act on the screen directly, for the calling assistant. */
export const browserTools = [computerTool, navigateTool, screenshotTool, newSessionTool, listSessionsTool, closeSessionTool] as unknown as ToolDefinition[];
