import { describe, expect, it } from 'vitest';
import { parseYamlSource } from './yaml-source.js';

/** `line:col path: message` of each problem, as the CLI prints them. */
function problems(text: string): string[] {
  return parseYamlSource('fleet.yaml', text).problems.map((p) => `${p.line}:${p.col} ${p.path}: ${p.message}`);
}

describe('unclosed brackets and quotes point where they opened, under their key', () => {
  it.each([
    ['"[" before the next key', 'version: 1\nregion: [us-east-1\nfleet: x\nscanners:\n  count: 2\n', '2:9 region: unclosed "["'],
    ['"[" on the last line', 'version: 1\nfleet: x\nregion: [us-east-1\n', '3:9 region: unclosed "["'],
    ['"[" at the end of the file without a newline', 'region: [us-east-1', '1:9 region: unclosed "["'],
    ['"[" with CRLF line ends', 'version: 1\r\nregion: [us-east-1\r\nfleet: x\r\n', '2:9 region: unclosed "["'],
    ['nested "[" closed, outer open', 'version: 1\nlink:\n  groups: [a, [b, c]\nfleet: x\n', '3:11 link.groups: unclosed "["'],
    ['"{"', 'version: 1\ntags: { Owner: x\nfleet: x\n', '2:7 tags: unclosed "{"'],
    ['"{" in a list item', 'version: 1\nscanners:\n  - { name: a\n  - b\n', '3:5 scanners.0: unclosed "{"'],
    ['double quote', 'version: 1\nfleet: "abc\nregion: us-east-1\n', `2:8 fleet: unclosed '"'`],
    ['double quote before a quoted value', 'version: 1\nfleet: "abc\nregion: "us-east-1"\n', `2:8 fleet: unclosed '"'`],
    ['double quote ending in an escaped quote', 'version: 1\nfleet: "abc\\"\nregion: x\n', `2:8 fleet: unclosed '"'`],
    ['single quote', "version: 1\nfleet: 'abc\nregion: us-east-1\n", `2:8 fleet: unclosed "'"`],
    ["single quote ending in a doubled ''", "version: 1\nfleet: 'it''\nregion: x\n", `2:8 fleet: unclosed "'"`],
    ['a quote inside "{" is the culprit, not the "{"', 'version: 1\ntags: { Owner: "x, y: z }\nfleet: x\n', `2:16 tags.Owner: unclosed '"'`],
  ])('%s', (_name, text, expected) => {
    const found = problems(text);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(expected);
    expect(found[0]).toContain('YAML syntax error');
  });

  it('closed brackets, escaped and doubled quotes are fine', () => {
    expect(problems('a: [1,\n  2]\nb: "x\\"y"\nc: \'it\'\'s\'\nd: { e: [1, 2] }\ne: "x\\\\"\n')).toEqual([]);
  });

  it('the hint names the key and the closing character', () => {
    const [p] = parseYamlSource('fleet.yaml', 'version: 1\nregion: [us-east-1\nfleet: x\n').problems;
    expect(p?.hint).toContain('region');
    expect(p?.hint).toContain('"]"');
  });

  it('other syntax errors keep their own position', () => {
    expect(problems('version: 1\nscanners:\n  count: 2\n   name: x\n')).toEqual([expect.stringMatching(/^4:1 /)]);
  });
});
