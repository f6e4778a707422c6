import { SaxesParser } from 'saxes';

/** Where something is in an XML file: 1-based line, 1-based column. */
export interface XmlPosition {
  readonly line: number;
  readonly column: number;
}

/** One element with the position of its start tag; text is the concatenated character data. */
export interface XmlElement extends XmlPosition {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  text: string;
}

export interface XmlProblem extends XmlPosition {
  readonly message: string;
}

export type XmlParseResult = { readonly root: XmlElement } | { readonly problem: XmlProblem };

/** `"3:14: unexpected end."` → `"unexpected end."` (saxes prefixes its messages with the position). */
function bareMessage(message: string): string {
  return message.replace(/^\d+:\d+:\s*/, '');
}

/**
 * Parses a whole XML document into elements that remember their line and column. The first
 * well-formedness error ends the parse and is returned with its position. Document type
 * declarations are refused (no entity expansion of any kind beyond the five predefined ones).
 */
export function parseXml(text: string): XmlParseResult {
  const parser = new SaxesParser({ position: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let problem: XmlProblem | undefined;
  let tagLine = 1;
  let tagColumn = 1;
  const fail = (message: string, line = parser.line, column = parser.column + 1): void => {
    problem ??= { line, column, message };
  };
  parser.on('error', (error) => {
    fail(bareMessage(error.message));
  });
  parser.on('doctype', () => {
    fail('document type declarations are not allowed');
  });
  parser.on('opentagstart', (tag) => {
    // The parser stands just after the name: the tag began name length + 1 columns earlier.
    tagLine = parser.line;
    tagColumn = Math.max(1, parser.column - tag.name.length);
  });
  parser.on('opentag', (tag) => {
    const element: XmlElement = {
      name: tag.name,
      attributes: { ...(tag.attributes as Record<string, string>) },
      children: [],
      text: '',
      line: tagLine,
      column: tagColumn,
    };
    const parent = stack.at(-1);
    if (parent) parent.children.push(element);
    else root ??= element;
    stack.push(element);
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  const addText = (text: string): void => {
    const current = stack.at(-1);
    if (current) current.text += text;
  };
  parser.on('text', addText);
  parser.on('cdata', addText);
  try {
    parser.write(text.startsWith('\uFEFF') ? text.slice(1) : text).close();
  } catch (error) {
    fail(bareMessage(error instanceof Error ? error.message : String(error)));
  }
  if (problem) return { problem };
  if (!root) return { problem: { line: 1, column: 1, message: 'the document has no root element' } };
  return { root };
}
