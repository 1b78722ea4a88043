// The one gate between text and the user's terminal. Image names come from Glance (any image the
// user can see, another project's public one included), file names from the disk, messages from
// servers: any of them may hold control characters that move the cursor, rewrite lines, change
// the window title or worse. Every human-readable CLI line goes through writeLine(); --json output
// goes through writeJson(), exact (JSON.stringify already escapes C0, and a parser gets the bytes).

/** C0 controls (U+0000–U+001F), DEL (U+007F) and C1 controls (U+0080–U+009F). */
function isControl(code: number): boolean {
  return code <= 0x1f || (code >= 0x7f && code <= 0x9f);
}

/**
 * The text with every C0/C1 control character and DEL replaced by its visible escape (ESC reads
 * `\x1b`, a newline `\x0a`), so that nothing in it acts on the terminal and one line stays one line.
 */
export function terminalSafe(text: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (!isControl(code)) continue;
    out += `${text.slice(from, i)}\\x${code.toString(16).padStart(2, '0')}`;
    from = i + 1;
  }
  return from === 0 ? text : out + text.slice(from);
}

/** Writes one human-readable line, made terminal-safe. */
export function writeLine(stream: NodeJS.WritableStream, text: string): void {
  stream.write(`${terminalSafe(text)}\n`);
}

/** Writes one JSON value on its own line, exactly (the --json contract). */
export function writeJson(stream: NodeJS.WritableStream, value: unknown): void {
  stream.write(`${JSON.stringify(value)}\n`);
}
