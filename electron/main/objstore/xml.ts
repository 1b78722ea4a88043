// The few XML documents the S3 API answers with, read by fast-xml-parser into plain objects. Tags
// that may repeat (Part, Upload) are always arrays; text stays text (an ETag is not a number).
import { XMLParser } from 'fast-xml-parser';

const REPEATED = new Set(['Part', 'Upload', 'CommonPrefixes']);

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  removeNSPrefix: true,
  isArray: (tagName) => REPEATED.has(tagName),
});

export type XmlNode = { readonly [name: string]: XmlValue };
export type XmlValue = string | XmlNode | readonly XmlValue[];

/** The document's root element by name, or undefined when the text is not that document. */
export function parseXml(text: string, root: string): XmlNode | undefined {
  if (!text.includes(`<${root}`)) return undefined;
  let doc: unknown;
  try {
    doc = parser.parse(text);
  } catch {
    return undefined;
  }
  const node = (doc as Record<string, unknown> | null)?.[root];
  if (node === '' || node === undefined) return node === '' ? {} : undefined;
  return typeof node === 'object' && node !== null ? (node as XmlNode) : { '#text': String(node) };
}

/** A child element's text ('' when it is empty, undefined when absent). */
export function text(node: XmlNode | undefined, name: string): string | undefined {
  const v = node?.[name];
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return typeof v[0] === 'string' ? v[0] : undefined;
  const inner = (v as XmlNode)['#text'];
  return typeof inner === 'string' ? inner : '';
}

/** Child elements that may repeat, always as an array of nodes. */
export function children(node: XmlNode | undefined, name: string): XmlNode[] {
  const v = node?.[name];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).filter((x): x is XmlNode => typeof x === 'object' && x !== null);
}

/** Escapes text for an XML element. */
export function escapeXml(value: string): string {
  return value.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!,
  );
}
