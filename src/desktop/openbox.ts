import fs from 'node:fs';
import path from 'node:path';

/**
 * openbox's own configuration (Debian's /etc/xdg/openbox, or the user's
 * ~/.config/openbox) opens a menu on a right click on the desktop whose
 * items run a terminal, a browser or any command, and binds keys to
 * programs (W-e a file manager): a way around the --desktop-app allowlist
 * for anyone who can click. This configuration has no menu and no binding
 * that runs anything:
 * - the menu file is an empty one of ours (openbox falls back to the
 *   system's menu.xml when none is named, or when a named one cannot be
 *   read), so no menu exists for anything to show;
 * - the keyboard: window switching and closing only (openbox's built-in
 *   defaults); every other key reaches the applications;
 * - the mouse section is left out, which keeps openbox's built-in mouse
 *   bindings: focus, raise, move and resize, the title-bar buttons. None
 *   shows a menu or runs a program;
 * - one desktop: no window is lost on another.
 */
function rcXml(menuFile: string): string {
  const escaped = menuFile.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return `<?xml version="1.0" encoding="UTF-8"?>
<openbox_config xmlns="http://openbox.org/3.4/rc">
  <theme><name>Clearlooks</name></theme>
  <desktops><number>1</number></desktops>
  <menu><file>${escaped}</file></menu>
  <keyboard>
    <keybind key="A-Tab"><action name="NextWindow"/></keybind>
    <keybind key="A-S-Tab"><action name="PreviousWindow"/></keybind>
    <keybind key="A-F4"><action name="Close"/></keybind>
  </keyboard>
</openbox_config>
`;
}

const EMPTY_MENU = `<?xml version="1.0" encoding="UTF-8"?>
<openbox_menu xmlns="http://openbox.org/3.4/menu"></openbox_menu>
`;

/**
 * The window manager command with openbox locked down: when the command is
 * openbox without a --config-file of the operator's, the configuration
 * above is written into `folder` (which must outlive the window manager:
 * openbox reads it again on a reconfigure) and named. Other window managers
 * run as given.
 */
export function lockedDown(command: string[], folder: string): string[] {
  if (path.basename(command[0] ?? '') !== 'openbox' || command.some((arg) => arg.startsWith('--config-file'))) return command;
  const menu = path.join(folder, 'openbox-menu.xml');
  const rc = path.join(folder, 'openbox-rc.xml');
  fs.writeFileSync(menu, EMPTY_MENU, { mode: 0o600, flag: 'wx' });
  fs.writeFileSync(rc, rcXml(menu), { mode: 0o600, flag: 'wx' });
  // No session manager either: the server's environment may name the user's own.
  return [...command, '--config-file', rc, '--sm-disable'];
}
