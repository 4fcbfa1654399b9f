import { describe, expect, it } from 'vitest';
import { bar, createProgress } from '../../src/cli/progress.js';

/** A stand-in for stderr that records what is written. */
function stream(isTTY: boolean) {
  const writes: string[] = [];
  return {
    writes,
    stream: { isTTY, write: (text: string) => writes.push(text) } as unknown as NodeJS.WriteStream,
  };
}

describe('progress on a terminal and in logs', () => {
  it('draws a bar with the share, the rate and an ETA on a terminal, on one live line', async () => {
    const out = stream(true);
    const progress = createProgress('check', {
      total: 1000,
      unit: 'NIKs',
      stream: out.stream,
      intervalMs: 0,
    });
    await new Promise((r) => setTimeout(r, 20));
    progress.update(250);
    progress.finish();
    const line = out.writes[0]!;
    expect(line.startsWith('\r\x1b[2K')).toBe(true); // redraws the same line
    expect(line).toContain(`${bar(0.25)} 25.0%`);
    expect(line).toMatch(/NIKs\/s/);
    expect(line).toMatch(/ETA \d/);
    expect(out.writes.at(-1)).toBe('\r\x1b[2K'); // the live line is cleared at the end
  });

  it('writes plain lines without a bar when not on a terminal', async () => {
    const out = stream(false);
    const progress = createProgress('check', {
      total: 1000,
      unit: 'NIKs',
      stream: out.stream,
      intervalMs: 10,
    });
    await new Promise((r) => setTimeout(r, 20));
    progress.update(500);
    expect(out.writes).toHaveLength(1);
    expect(out.writes[0]).toMatch(/^check: 500 NIKs {2}50\.0% {2}/);
    expect(out.writes[0]).not.toContain('█');
    expect(out.writes[0]!.endsWith('\n')).toBe(true);
  });

  it('fills the bar in proportion, within bounds', () => {
    expect(bar(0)).toBe(`[${'░'.repeat(24)}]`);
    expect(bar(1)).toBe(`[${'█'.repeat(24)}]`);
    expect(bar(0.5)).toBe(`[${'█'.repeat(12)}${'░'.repeat(12)}]`);
    expect(bar(7)).toBe(bar(1));
  });
});
