/**
 * Word wrap for long prose lines (explain's decision reasons): a terminal breaks a line at the
 * last column, mid-word; this breaks it between words and indents the continuation lines.
 */

/** At least this many columns of text per line after the hanging indent, else indent less. */
const MIN_TEXT = 40;

/**
 * `head` (kept verbatim, e.g. a timeline's date and kind columns) then `body` wrapped to `width`
 * columns. Continuation lines start with `indent` spaces (the head's width by default; 4 when
 * that would leave fewer than 40 columns). A word longer than a line (an id, a URL) stays whole.
 */
export function wrapText(body: string, width: number, opts: { head?: string; indent?: number } = {}): string {
  const head = opts.head ?? '';
  if (head.length + body.length <= width) return head + body;
  const indent = opts.indent ?? head.length;
  const pad = ' '.repeat(width - indent >= MIN_TEXT ? indent : Math.min(indent, 4));
  const lines: string[] = [];
  let line = head;
  let start = head.length;
  for (const word of body.split(/ +/).filter(Boolean)) {
    if (line.length > start && line.length + 1 + word.length > width) {
      lines.push(line);
      line = pad + word;
      start = pad.length;
    } else {
      line += (line.length > start ? ' ' : '') + word;
    }
  }
  lines.push(line);
  return lines.join('\n');
}
