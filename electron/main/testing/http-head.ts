// Request framing for the loopback test servers (the discard server and the fault proxy): both
// read an HTTP/1.1 request head, then exactly Content-Length body bytes (Imagedrop never sends
// chunked bodies, so nothing else is needed).

export interface RequestHead {
  /** The head's text, without the blank line. */
  readonly text: string;
  /** "METHOD PATH" */
  readonly requestLine: string;
  readonly contentLength: number;
  /** Bytes of the buffer the head took, blank line included. */
  readonly length: number;
}

/** The request head at the start of `buffer`, or null while it is not complete yet. */
export function readRequestHead(buffer: Buffer): RequestHead | null {
  const end = buffer.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const text = buffer.subarray(0, end).toString('latin1');
  const [method, path] = (text.split('\r\n')[0] ?? '').split(' ');
  const m = /\r\ncontent-length:\s*(\d+)/i.exec(text);
  return { text, requestLine: `${method} ${path}`, contentLength: m ? Number(m[1]) : 0, length: end + 4 };
}
