/** One cell: its plain text (used for widths) and, optionally, the same text with colour codes. */
export interface Cell {
  text: string;
  styled?: string;
}

/** A cell from plain text, coloured when a style is given. */
export const cell = (text: string, styled?: string): Cell => (styled === undefined ? { text } : { text, styled });

/**
 * The CLI's one table layout (status, audit keys): columns padded to the widest cell with two spaces
 * between them; widths use the plain text, so coloured cells line up too.
 */
export function renderTable(headers: readonly string[], rows: ReadonlyArray<readonly Cell[]>): string {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]?.text.length ?? 0)));
  const line = (cells: readonly Cell[]) =>
    cells
      .map((cell, c) => (cell.styled ?? cell.text) + ' '.repeat(c === cells.length - 1 ? 0 : widths[c]! - cell.text.length + 2))
      .join('')
      .trimEnd();
  return [line(headers.map((h) => ({ text: h }))), ...rows.map(line)].join('\n');
}
