import { createClient, eventMask, type XClient } from 'x11';
import { commandLine, descendants } from './processes.js';

/** A program the server started, found among its descendants by the name it runs as. */
export function startedBy(serverPid: number, program: string): { pid: number; argv: string[] }[] {
  return descendants(serverPid)
    .map((pid) => ({ pid, argv: commandLine(pid) }))
    .filter(({ argv }) => argv[0]?.split('/').pop() === program);
}

/** The `-auth` file the server's Xvfb reads its cookie from (undefined when it runs without one). */
export function xvfbAuthFile(serverPid: number): string | undefined {
  const argv = startedBy(serverPid, 'Xvfb')[0]?.argv ?? [];
  const at = argv.indexOf('-auth');
  return at >= 0 ? argv[at + 1] : undefined;
}

/**
 * Connects to `display` as any X client would: with the cookie found in the
 * file XAUTHORITY names (none, when `xauthority` is undefined).
 */
export function connectX(display: string, xauthority: string | undefined): Promise<{ client: XClient; root: number }> {
  const saved = process.env.XAUTHORITY;
  process.env.XAUTHORITY = xauthority ?? '/nonexistent/Xauthority';
  return new Promise<{ client: XClient; root: number }>((resolve, reject) => {
    const client = createClient({ display }, (error, info) => (error ? reject(error) : resolve({ client, root: info.screen[0]!.root })));
    client.on('error', reject);
  }).finally(() => {
    if (saved === undefined) delete process.env.XAUTHORITY;
    else process.env.XAUTHORITY = saved;
  });
}

/** The parts of npm `x11` the barrier below uses beyond src/desktop/x11.d.ts. */
interface BarrierClient {
  AllocID(): number;
  CreateWindow(
    id: number,
    parent: number,
    x: number,
    y: number,
    width: number,
    height: number,
    border: number,
    depth: number,
    cls: number,
    visual: number,
    values: { eventMask: number },
  ): void;
  DestroyWindow(id: number): void;
  SendClientMessage(destination: number, window: number, type: number, format: number, data: number[]): void;
}

/**
 * Resolves once the window manager has handled every event it was sent
 * before this call: it answers an EWMH _NET_REQUEST_FRAME_EXTENTS by setting
 * _NET_FRAME_EXTENTS on our window, and a window manager handles its events
 * in order. So whatever a click or a key did to it (a menu shown, a program
 * started) has happened by then, with no sleep.
 */
export async function windowManagerCaughtUp({ client, root }: { client: XClient; root: number }, ms = 10_000): Promise<void> {
  const x = client as unknown as XClient & BarrierClient;
  const atom = (name: string) =>
    new Promise<number>((resolve, reject) => client.InternAtom(false, name, (error, value) => (error ? reject(error) : resolve(value))));
  const [request, extents] = [await atom('_NET_REQUEST_FRAME_EXTENTS'), await atom('_NET_FRAME_EXTENTS')];
  const window = x.AllocID();
  x.CreateWindow(window, root, 0, 0, 1, 1, 0, 0, 0, 0, { eventMask: eventMask.PropertyChange! });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the window manager did not answer _NET_REQUEST_FRAME_EXTENTS within ${ms} ms`)), ms);
      const onEvent = (event: { name: string; wid?: number; atom?: number }) => {
        if (event.name !== 'PropertyNotify' || event.wid !== window || event.atom !== extents) return;
        clearTimeout(timer);
        client.removeListener('event', onEvent);
        resolve();
      };
      client.on('event', onEvent);
      x.SendClientMessage(root, window, request, 32, [0, 0, 0, 0, 0]);
    });
  } finally {
    x.DestroyWindow(window);
  }
}
