/** Something that happened beside the screenshot, reported in the next result. */
export type SessionEvent =
  | { kind: 'dialog'; dialog_type: string; message: string; response: 'accepted' | 'dismissed' }
  | { kind: 'download'; url: string; filename: string; path?: string; bytes?: number; error?: string }
  | { kind: 'popup'; url: string }
  | { kind: 'tab_closed'; url: string }
  | { kind: 'blocked'; url: string; reason: string }
  | { kind: 'reset'; what: 'browser' | 'tab'; url: string; reason: string }
  /** This session is a new default: the previous one expired (--idle-timeout), with its pages, cookies and tabs. */
  | { kind: 'session_replaced'; previous_session_id: string; reason: string };
