import { expect } from 'vitest';

/**
 * What a resilience file checked, printed as one line so CI logs carry the suite's counts (issue 21:
 * cases run, faults injected, entries checked, lost, doubled). Lost and doubled must be 0.
 */
export class ResilienceTally {
  cases = 0;
  faults = 0;
  checked = 0;
  lost = 0;
  doubled = 0;

  constructor(readonly name: string) {}

  /** Counts one thing that must exist exactly once, found `times` times. */
  once(times: number): void {
    this.checked++;
    if (times === 0) this.lost++;
    if (times > 1) this.doubled += times - 1;
  }

  report(): void {
    console.log(
      `resilience ${this.name}: cases ${this.cases}, faults injected ${this.faults}, ` +
        `checked ${this.checked}, lost ${this.lost}, doubled ${this.doubled}`,
    );
    expect({ lost: this.lost, doubled: this.doubled }).toEqual({ lost: 0, doubled: 0 });
  }
}
