import type { AgentOptions } from './agent/agent-options.js';
import type { ModelProvider } from './agent/model-provider.js';
import { createProvider } from './providers/index.js';
import { recordRun } from './recording/record-run.js';
import type { RecordingConfig } from './recording/recording-config.js';
import type { ComputerSession } from './session/computer-session.js';
import { AgentRun } from './agent/run.js';
import type { RunGate } from './session/quotas.js';

/** What a new run is given besides its session and task. */
export interface RunStart {
  /** Model turns before it stops with max_steps (default: the server's --max-steps). */
  maxSteps?: number;
  instructions?: string;
  /** The principal allowed to read its recording over MCP (none for the terminal runner). */
  owner?: string;
  /** The principal's limits (runs at once, steps a minute); none for the terminal runner. */
  gate?: RunGate;
  /** The gate's admission, when the caller took it before preparing the run (opening its session). */
  admitted?: () => void;
}

/**
 * The runs of one server: the run of each browser or desktop session (it
 * goes away with the session), and the model client they share, built on
 * first use so the browser tools work without a model. Whoever serves
 * (the MCP server, the terminal runner) owns one.
 */
export class Runs {
  private readonly bySession = new WeakMap<ComputerSession, AgentRun>();
  private model: ModelProvider | undefined;

  constructor(
    private readonly config: { agent: AgentOptions; recording: RecordingConfig },
    /** Told when a run of `owner` starts being recorded: its recorded runs (resources/list) changed. */
    private readonly recorded: (owner: string | undefined) => void = () => {},
  ) {}

  /** The model client; throws ModelNotConfiguredError, saying what to configure, when no model is. */
  get provider(): ModelProvider {
    return (this.model ??= createProvider(this.config.agent));
  }

  current(session: ComputerSession): AgentRun | undefined {
    return this.bySession.get(session);
  }

  /** Refuses while a run is working in the session: another would fight it for the screen. */
  assertNoneWorking(session: ComputerSession): void {
    this.bySession.get(session)?.assertIdle();
  }

  /**
   * Starts `task` in the session, recorded (unless recording is off), in
   * the background; it replaces a finished or paused run (a held action is
   * dropped). Follow it with watch/stopped/report.
   */
  async start(session: ComputerSession, task: string, { maxSteps, instructions, owner, gate, admitted }: RunStart = {}): Promise<AgentRun> {
    const provider = this.provider;
    this.assertNoneWorking(session);
    // Admitted before the run replaces the session's last one or is recorded: a refused run leaves no trace.
    const release = admitted ?? gate?.admitRun();
    try {
      const run = new AgentRun(session, provider, this.config.agent, task, instructions, gate);
      this.bySession.set(session, run);
      if (await recordRun(run, this.config.recording, owner)) this.recorded(owner);
      run.start(maxSteps ?? this.config.agent.maxSteps, release);
      return run;
    } catch (error) {
      release?.();
      throw error;
    }
  }
}
