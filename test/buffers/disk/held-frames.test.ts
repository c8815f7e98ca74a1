/** Frames held for the reader, and the pacing of the intake to a reader that keeps up. */
import { describe, expect, it } from 'vitest';
import { HeldFrames } from '../../../src/buffers/disk/held-frames.js';
import { waitFor } from '../../support/wait.js';

const frame = (offset: number, events: number) => ({
  start: { segment: 1, offset },
  end: { segment: 1, offset: offset + 10 },
  events,
  held: `frame@${offset}`,
});

describe('HeldFrames', () => {
  it('hands over only the frame at the reader position, dropping those it passed', () => {
    const h = new HeldFrames(100, 1000);
    h.hold(frame(8, 5));
    h.hold(frame(18, 5));
    h.hold(frame(28, 5));
    expect(h.take({ segment: 1, offset: 3 })).toBeUndefined();
    expect(h.take({ segment: 1, offset: 18 })?.held).toBe('frame@18');
    expect(h.take({ segment: 1, offset: 28 })?.held).toBe('frame@28');
    expect(h.take({ segment: 1, offset: 38 })).toBeUndefined();
  });

  it('lets the oldest frames go past the limit (the reader reads those from disk)', () => {
    const h = new HeldFrames(10, 1000);
    for (let i = 0; i < 4; i++) h.hold(frame(8 + i * 10, 4));
    expect(h.take({ segment: 1, offset: 8 })).toBeUndefined();
    expect(h.take({ segment: 1, offset: 28 })?.held).toBe('frame@28');
  });

  it('makes the intake wait while full until the reader takes frames', async () => {
    const h = new HeldFrames(10, 60_000);
    h.readerProgressed();
    h.hold(frame(8, 10));
    let waited = false;
    const wait = h.waitForRoom(5);
    expect(wait).toBeInstanceOf(Promise);
    void wait?.then(() => (waited = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(waited).toBe(false);
    h.take({ segment: 1, offset: 8 });
    h.readerProgressed();
    await waitFor(() => waited);
  });

  it('stops pacing once the reader made no progress for stallMs, until it moves again', async () => {
    const h = new HeldFrames(10, 50);
    h.hold(frame(8, 10));
    const wait = h.waitForRoom(5);
    expect(wait).toBeInstanceOf(Promise);
    await wait; // released by the stall timer: nobody is reading
    expect(h.waitForRoom(5)).toBeUndefined();
    h.readerProgressed();
    expect(h.waitForRoom(5)).toBeInstanceOf(Promise);
    h.releaseAll();
  });
});
