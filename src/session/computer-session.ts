import type { Computer, Screenshot } from '../computer/computer.js';
import type { SessionEvent } from './events.js';

/** What a session drives: a browser (pages, tabs, URLs) or a whole desktop. */
export type Environment = 'browser' | 'desktop';

export interface Tab {
  index: number;
  url: string;
  title: string;
  active: boolean;
}

/** What every screen result reports besides the screenshot. */
export interface ScreenState {
  session_id: string;
  /** The current page's URL; empty where there is none (a desktop). */
  url: string;
  title: string;
  /** The screenshot size: the coordinate space of actions. */
  display: { width: number; height: number };
  /** The layout size the screen is rendered at (larger than display when screenshots are scaled down). */
  viewport: { width: number; height: number };
  tabs: Tab[];
  /** The HTTP status the current document was served with; null where there is none (about:blank, a desktop) or it is unknown. */
  http_status: number | null;
  /** How far the page is scrolled, in viewport (CSS) pixels; null where unknown. */
  scroll: { x: number; y: number } | null;
  /** The whole page's size in viewport (CSS) pixels; null where unknown. */
  page_size: { width: number; height: number } | null;
}

/** What opening a URL did: the page loaded, the URL was a download (saved, the page unchanged), or the domain policy stopped a redirect. */
export type NavigationOutcome = 'loaded' | 'download' | 'blocked';

/** A browser's addresses and history. */
export interface Navigation {
  /** Opens `url` (without a scheme: https://, or http:// for local addresses) in the current tab through the domain policy, once it has loaded. */
  open(url: string): Promise<NavigationOutcome>;
  /** open, for models that call goto/back/forward functions: each says what happened. */
  goto(url: string): Promise<string>;
  back(): Promise<string>;
  forward(): Promise<string>;
}

/** A browser's tabs, as listed in every ScreenState. */
export interface Tabs {
  /** Makes tab `index` (as listed in `tabs`) the one actions go to. */
  select(index: number): Promise<void>;
}

/** An application launch_app started, and whether it was ready (drawn, the screen quiet) within readyWithinMs. */
export interface AppLaunch {
  pid: number;
  ready: boolean;
  readyWithinMs: number;
}

/** Applications started on the session's screen: only those the operator allows (--desktop-app). */
export interface Apps {
  launch(name: string): Promise<AppLaunch>;
}

/** Where save_storage_state put a session's logins, and how many: never the secrets themselves. */
export interface SavedLogins {
  path: string;
  cookies: number;
  origins: number;
}

/** The session's cookies and local storage: its logins. */
export interface LoginStorage {
  /** Writes them to a private file `name` in the output directory, for --storage-state. */
  save(name: string): Promise<SavedLogins>;
}

/**
 * A session of any environment, as the agent loop and the tools see it: a
 * `Computer` to act on, a screenshot, its state, the events that happened
 * beside the screen, and the capabilities its environment has (navigation,
 * tabs, logins, applications), each absent where it has none. Backends
 * (src/browser, src/desktop) implement it; nothing outside a backend knows
 * which one it is driving: a tool asks for a capability, never a class.
 */
export interface ComputerSession {
  readonly id: string;
  /** The principal (owner) the session belongs to, see session/principal.ts. */
  readonly owner: string;
  readonly environment: Environment;
  readonly createdAt: number;
  lastUsedAt: number;
  /** Screenshot pixels: the coordinate space of every action. */
  readonly display: { width: number; height: number };
  /** Addresses and history, where the environment has them (a browser). */
  readonly navigation?: Navigation;
  /** Several pages to switch between (a browser). */
  readonly tabs?: Tabs;
  /** Cookies and local storage to save (a browser). */
  readonly logins?: LoginStorage;
  /** Allowed applications to start (a desktop). */
  readonly apps?: Apps;
  /** The protocol actions on this session; each returns once the screen has caught up. */
  readonly computer: Computer;
  /** True while a call is running on it: the idle sweeper leaves it alone. */
  readonly busy: boolean;
  readonly isClosed: boolean;
  /** Set when the session ended by itself (its remote browser host went away): the error its owner's calls get. */
  readonly endedBy?: Error;
  /** How many times the screen was replaced under this session (a crashed browser or tab); see resetSince. */
  readonly resets: number;
  /** Runs calls on this session one at a time. */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  /** Recovers a lost screen now, and says whether a reset happened since `resets` was read. */
  resetSince(resets: number): Promise<boolean>;
  /** Makes the screen usable (reopens what crashed) before it is read. */
  ready(): Promise<void>;
  screenshot(): Promise<Screenshot>;
  state(): Promise<ScreenState>;
  /** The URL the model's domain safety checks are told about; undefined where there is none. */
  currentUrl(): Promise<string | undefined>;
  /**
   * Browsers only: whether typing would go into a password field, the one at
   * `point` (screenshot pixels) when the same call clicks there first, else
   * the focused one. True when the page cannot tell (ask rather than guess).
   */
  typesIntoPassword?(point: { x: number; y: number } | undefined): Promise<boolean>;
  /** Events since the last call, oldest first. */
  takeEvents(): SessionEvent[];
  /** Adds an event the session layer saw (not the backend) to the next result. */
  report(event: SessionEvent): void;
  /** The events takeEvents would return, left in place (for observers such as the recorder). */
  peekEvents(): readonly SessionEvent[];
  close(): Promise<void>;
}

/** A tool that only makes sense in one environment was called on another. */
export class WrongEnvironmentError extends Error {}
