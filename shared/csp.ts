// The renderer's Content-Security-Policy, one text for every way the renderer is delivered: the
// meta tag in renderer/index.html, the header the Electron shell adds to every response and its
// app:// protocol sends, and the header `imagedrop serve` sends with every page it serves.
export const RENDERER_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
  "connect-src 'self'; base-uri 'none'; form-action 'none'";
