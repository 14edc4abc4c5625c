/** Something that happened beside the screenshot, reported in the next result. */
export type SessionEvent =
  | { kind: 'dialog'; dialog_type: string; message: string; response: 'accepted' | 'dismissed' }
  | { kind: 'download'; url: string; filename: string; path?: string; bytes?: number; error?: string }
  | { kind: 'popup'; url: string }
  /** The action loaded a page into an already open named window (window.open(url, 'docs'), target="docs"); the session follows it. */
  | { kind: 'window_reused'; url: string }
  | { kind: 'tab_closed'; url: string }
  /** A browser shortcut the backend emulated (ctrl+L, alt+left, ctrl+T...), or the address bar's Enter. */
  | { kind: 'shortcut'; keys: string; effect: string }
  | { kind: 'blocked'; url: string; reason: string }
  | { kind: 'reset'; what: 'browser' | 'tab'; url: string; reason: string }
  /** A page did not answer in time (a script spinning the CPU, a dialog loop): its script was stopped, or its tab closed. */
  | { kind: 'not_answering'; url: string; recovery: 'script_stopped' | 'tab_closed'; detail: string }
  /** A per-call limit was reached: what was over it was dropped (tabs closed, dialogs answered but not listed). */
  | { kind: 'limit'; what: 'tabs' | 'dialogs' | 'downloads'; dropped: number; detail: string }
  | { kind: 'app_exited'; app: string; pid: number; code: number | null; signal: string | null; stderr: string }
  /** This session is a new default: the previous one expired (--idle-timeout), with its pages, cookies and tabs. */
  | { kind: 'session_replaced'; previous_session_id: string; reason: string };
