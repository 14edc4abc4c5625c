/** "example.com" means https://example.com; anything with a scheme is taken as given. */
export function normalizeUrl(input: string): string {
  const trimmed = input.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:/i.test(trimmed) && !/^[^:/]+:\d+(\/|$)/.test(trimmed) ? trimmed : `https://${trimmed}`;
  try {
    return new URL(withScheme).href;
  } catch {
    throw new Error(`Not a valid URL: ${JSON.stringify(input)}. Give a full address such as https://example.com/page`);
  }
}
