import { FakeResponses, type FakeOptions } from './fake-responses.js';
import { FixtureServer, page } from './fixture-server.js';

/** Centre of the fixture's button (it fetches /clicked when clicked) and of its text field (it mirrors its value into the title). */
export const BUTTON = { x: 200, y: 140 };
export const FIELD = { x: 250, y: 270 };
export const DISPLAY = { width: 1024, height: 768 };

/** The page the fake model drives; `clicks()` counts button clicks as the server saw them. */
export async function agentFixture(onClick?: () => void | Promise<void>): Promise<FixtureServer & { clicks: () => number }> {
  const fixture = new FixtureServer({
    '/': page(`
      <button id="b" style="position:absolute;left:100px;top:100px;width:200px;height:80px" onclick="fetch('/clicked')">Send</button>
      <input id="f" style="position:absolute;left:100px;top:250px;width:300px;height:40px" oninput="document.title = this.value">`),
    '/clicked': async (_req, res) => {
      await onClick?.();
      res.writeHead(204).end();
    },
  });
  await fixture.start();
  return Object.assign(fixture, { clicks: () => fixture.requests.filter((p) => p === '/clicked').length });
}

export const click = (at: { x: number; y: number }) => ({ type: 'click', button: 'left', x: at.x, y: at.y });

/** The fake Responses API most agent tests talk to: the preview tool on the fixture's display at OpenAI's path, with `key` as the bearer token. */
export function previewFake(key: string, options: Partial<FakeOptions> = {}): Promise<FakeResponses> {
  return new FakeResponses({
    generation: 'preview',
    display: DISPLAY,
    model: 'computer-use-preview',
    path: '/v1/responses',
    auth: ['authorization', `Bearer ${key}`],
    ...options,
  }).start();
}
