/** `scheme://user:password@`: the credentials part of a URL. */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]+@/gi;

/** `text` with the credentials in any URL replaced by `***` (OPENAI_BASE_URL=https://user:key@proxy/v1 must not reach a result, a log or a recording). */
export function redactCredentials(text: string): string {
  return text.replace(URL_CREDENTIALS, '$1***@');
}
