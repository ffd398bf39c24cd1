import type { Clock } from '../../src/domain/clock.js';

/** A clock the test moves by hand. */
export class TestClock implements Clock {
  private current: Date;

  constructor(startIso: string) {
    this.current = new Date(startIso);
  }

  now(): Date {
    return new Date(this.current);
  }

  set(iso: string): void {
    this.current = new Date(iso);
  }

  advance({
    seconds = 0,
    minutes = 0,
    hours = 0,
    days = 0,
  }: {
    seconds?: number;
    minutes?: number;
    hours?: number;
    days?: number;
  }): void {
    this.current = new Date(this.current.getTime() + (((days * 24 + hours) * 60 + minutes) * 60 + seconds) * 1000);
  }
}
