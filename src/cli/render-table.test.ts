import { describe, expect, it } from 'vitest';
import { cell, renderTable } from './render-table.js';

describe('renderTable', () => {
  it('pads columns to the widest plain text, two spaces apart, with no trailing blanks', () => {
    const out = renderTable(['NAME', 'ID', 'STATE'], [
      [cell('scanner-a'), cell('1'), cell('on')],
      [cell('b'), cell('12345'), cell('')],
    ]);
    expect(out).toBe(['NAME       ID     STATE', 'scanner-a  1      on', 'b          12345'].join('\n'));
  });

  it('measures coloured cells by their plain text so columns still line up', () => {
    const red = (s: string) => `\u001b[31m${s}\u001b[39m`;
    const out = renderTable(['A', 'B'], [[cell('no', red('no')), cell('x')], [cell('yes'), cell('y')]]);
    expect(out.split('\n')).toEqual(['A    B', `${red('no')}   x`, 'yes  y']);
  });
});
