import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { terminalSafe, writeJson, writeLine } from './terminal.ts';

describe('terminalSafe', () => {
  it.each([
    ['plain text', 'ubuntu-24.04 (server) é ü 中文 ✓', 'ubuntu-24.04 (server) é ü 中文 ✓'],
    ['ESC sequences (clear screen, colour, cursor up)', 'a\x1b[2J\x1b[31mb\x1b[1A', 'a\\x1b[2J\\x1b[31mb\\x1b[1A'],
    ['an OSC title change ended by BEL', '\x1b]0;pwned\x07x', '\\x1b]0;pwned\\x07x'],
    ['newline, carriage return and tab (one line stays one line)', 'a\nb\rc\td', 'a\\x0ab\\x0dc\\x09d'],
    ['NUL and backspace', '\x00\x08', '\\x00\\x08'],
    ['DEL', 'a\x7fb', 'a\\x7fb'],
    ['C1 controls: CSI, OSC, NEL', '\x9b31m\x9d0;t\x85', '\\x9b31m\\x9d0;t\\x85'],
    ['the first printable characters around the ranges', ' ~\xa0', ' ~\xa0'],
  ])('%s', (_what, input, output) => {
    expect(terminalSafe(input)).toBe(output);
  });

  it('leaves no C0, DEL or C1 character in any of the 65,536 first code points', () => {
    const all = Array.from({ length: 0x10000 }, (_, i) => String.fromCharCode(i)).join('');
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    expect(terminalSafe(all)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });
});

describe('writeLine and writeJson', () => {
  const collect = (write: (s: NodeJS.WritableStream) => void) => {
    const stream = new PassThrough();
    write(stream);
    return stream.read()?.toString() as string;
  };

  it('a human line is made safe and ends in one newline', () => {
    expect(collect((s) => writeLine(s, 'name\x1b[2J\n'))).toBe('name\\x1b[2J\\x0a\n');
  });

  it('JSON stays exact: a parser gets the very characters back', () => {
    const name = 'n\x1b[2J\x9b\x7f';
    const text = collect((s) => writeJson(s, { name }));
    expect(JSON.parse(text)).toEqual({ name });
  });
});
