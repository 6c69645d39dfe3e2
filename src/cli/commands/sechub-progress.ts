import type { SechubProgress } from '../../app/sechub/types.js';

/**
 * One self-redrawing progress line on stderr for long exports (TTY only). Lines printed meanwhile go
 * through `above()`, which clears the bar first so it never tears text.
 */
export interface ProgressLine {
  update(p: SechubProgress): void;
  above(write: () => void): void;
  clear(): void;
}

const WIDTH = 24;
const n = (x: number) => x.toLocaleString('en-US');

export function renderProgress(p: SechubProgress): string {
  const bar = (done: number, total: number | undefined) => {
    if (!total) return `[chunk ${done}]`;
    const filled = Math.round((WIDTH * Math.min(done, total)) / total);
    return `[${'█'.repeat(filled)}${'░'.repeat(WIDTH - filled)}] ${done}/${total} chunks`;
  };
  if (p.phase === 'assets') return `Exporting assets   ${bar(p.chunksDone, p.chunksTotal)} · ${n(p.assets)} assets`;
  return `Exporting findings ${bar(p.chunksDone, p.chunksTotal)} · ${n(p.exported)} exported · ${n(p.imported)} imported · ${n(p.failed)} failed`;
}

export function createProgressLine(stream: NodeJS.WriteStream): ProgressLine {
  let last = '';
  let lastDraw = 0;
  let shown = false;
  const draw = (text: string) => {
    const cols = stream.columns || 100;
    stream.write(`\r\u001b[2K${text.slice(0, cols - 1)}`);
    shown = true;
  };
  const clear = () => {
    if (shown) stream.write('\r\u001b[2K');
    shown = false;
  };
  return {
    update(p) {
      last = renderProgress(p);
      const now = Date.now();
      if (now - lastDraw < 100) return;
      lastDraw = now;
      draw(last);
    },
    above(write) {
      const wasShown = shown;
      clear();
      write();
      if (wasShown && last) draw(last);
    },
    clear,
  };
}
