import type { BrowserContext, Page, Request } from 'playwright';
import { blockedPage, BLOCKED_HEADER, type DomainPolicy } from './domain-policy.js';

/**
 * Enforces the host policy on every request of a context by routing: what
 * a page loads, frames, popups, fetches. Redirect hops, service workers and
 * sockets are not routed by Playwright; the PolicyProxy covers those when
 * we launched the browser, and `onBlocked` reports them all the same.
 *
 * Blocked documents get a small page saying why (so the screenshot
 * explains itself); other blocked requests fail as if the network had.
 */
export interface BlockedRequest {
  url: string;
  reason: string;
  /** The page that asked; null for service-worker requests. */
  page: Page | null;
}

export async function guardContext(
  context: BrowserContext,
  policy: DomainPolicy,
  onBlocked: (blocked: BlockedRequest) => void,
): Promise<void> {
  if (!policy.restrictsHosts) return;
  // One place reports, whichever layer stopped the request: Playwright emits
  // `request` for routed requests and redirect hops alike, `websocket` for sockets.
  context.on('request', (request) => {
    const verdict = policy.checkRequest(request.url());
    if (verdict.allowed) return;
    const from = request.redirectedFrom();
    onBlocked({
      url: request.url(),
      reason: from ? `${verdict.reason}; redirected from ${from.url()}` : verdict.reason,
      page: pageOf(request),
    });
  });
  context.on('page', (page) =>
    page.on('websocket', (socket) => {
      const verdict = policy.checkRequest(socket.url());
      if (!verdict.allowed) onBlocked({ url: socket.url(), reason: verdict.reason, page });
    }),
  );
  await context.route('**/*', async (route, request) => {
    const verdict = policy.checkRequest(request.url());
    if (verdict.allowed) return route.fallback();
    if (request.isNavigationRequest()) {
      return route.fulfill({
        status: 403,
        contentType: 'text/html; charset=utf-8',
        headers: { [BLOCKED_HEADER]: verdict.reason },
        body: blockedPage(request.url(), verdict.reason),
      });
    }
    return route.abort('blockedbyclient');
  });
}

function pageOf(request: Request): Page | null {
  try {
    return request.frame().page();
  } catch {
    // Service-worker requests have no frame.
    return null;
  }
}
