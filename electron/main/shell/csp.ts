// The renderer's Content-Security-Policy: the same text as renderer/index.html's meta tag, sent as
// a header by the session (window.ts) and by the app:// protocol (app-protocol.ts).
export const RENDERER_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
  "connect-src 'self'; base-uri 'none'; form-action 'none'";
