/** The pace App Homes keep to (`PublishPace`): a bucket on the injected clock. */
import { describe, expect, it } from 'vitest';
import { PublishPace } from '../../src/slack/publish-pace.js';

const at = (seconds: number) => new Date(Date.UTC(2026, 11, 7, 9, 0, seconds));

describe('PublishPace', () => {
  it('lets a burst go at once, then one call per interval of the rate, and never holds more than the burst', () => {
    const pace = new PublishPace(6, 3, at(0));
    expect(pace.available(at(0))).toBe(3);
    pace.take(3, at(0));
    expect(pace.available(at(9))).toBe(0);
    expect(pace.available(at(10))).toBe(1);
    expect(pace.available(at(59))).toBe(3);
  });

  it('keeps filling after the clock is stepped back, from the new time on', () => {
    const pace = new PublishPace(6, 3, at(50));
    pace.take(3, at(50));
    // Stepped back by 40 s: nothing is added for it, and nothing is withheld for as long either.
    expect(pace.available(at(10))).toBe(0);
    expect(pace.available(at(20))).toBe(1);
  });
});
