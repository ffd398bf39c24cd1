import { describe, expect, it } from 'vitest';
import {
  creditAlertMessage,
  creditsMessage,
  creditSettingsModal,
  deductionLine,
  hoursText,
} from '../../blocks/credit-messages.js';
import { ids } from '../../blocks/ids.js';
import { logTimeModal } from '../../blocks/log-modal.js';
import { creditForecast, creditAlertChanges, parseCreditHours } from '../../src/domain/prepaid.js';
import type { CustomerCredit } from '../../src/services/credits.js';
import { expectWithinSlackLimits } from '../support/slack-limits.js';

const globex = (overrides: Partial<CustomerCredit> = {}): CustomerCredit => ({
  customerId: 1,
  code: 'GLOBEX',
  name: 'Globex <3',
  currency: 'USD',
  remainingMinutes: 2310,
  pendingMinutes: 120,
  forecast: { kind: 'runs_out', days: 12 },
  settings: {
    thresholdMinutes: 600,
    alertChannel: null,
    autoTopup: false,
    topupMinutes: null,
    topupPriceCents: null,
    creditOnIssue: true,
  },
  movements: [],
  ...overrides,
});

describe('credit messages', () => {
  it('the approval line says what approving deducts and what is left, or the overrun in red words', () => {
    expect(deductionLine({ customerName: 'Globex', deductMinutes: 360, remainingAfterMinutes: 750 })).toBe(
      'Approving deducts 6h from Globex: 12h 30m left after',
    );
    expect(deductionLine({ customerName: 'Globex', deductMinutes: 360, remainingAfterMinutes: -270 })).toBe(
      'Approving deducts 6h from Globex: :red_circle: *4h 30m over the prepaid credit* after',
    );
    expect(deductionLine({ customerName: 'Globex', deductMinutes: 600, remainingAfterMinutes: 600, once: true })).toBe(
      'Once everyone has approved, this timesheet deducts 10h from Globex: 10h left after',
    );
  });

  it('/credits shows balance and forecast, escapes names, and offers the admin buttons only to administrators', () => {
    const forAll = JSON.stringify(creditsMessage({ customers: [globex()], canManage: false }));
    expect(forAll).toContain('Globex &lt;3: 38h 30m of prepaid time left (2h pending approval)');
    expect(forAll).toContain('runs out in about 12 days');
    expect(forAll).not.toContain(ids.credits.add);
    const forAdmin = creditsMessage({ customers: [globex({ remainingMinutes: -90 })], canManage: true });
    expect(JSON.stringify(forAdmin)).toContain('1h 30m over the prepaid credit');
    expect(JSON.stringify(forAdmin)).toContain(ids.credits.export);
    expectWithinSlackLimits('message', forAdmin);
  });

  it('the settings form shows the current values as hours people write', () => {
    expect(hoursText(750)).toBe('12.5');
    expect(hoursText(600)).toBe('10');
    expect(hoursText(-180)).toBe('-3');
    expect(hoursText(45)).toBe('0.75');
    for (const minutes of [20, 45, 750, 6001])
      expect(parseCreditHours(hoursText(minutes), { signed: false })).toEqual({ ok: true, minutes });
    const modal = creditSettingsModal({ code: 'GLOBEX', name: 'Globex', currency: 'USD' }, globex().settings);
    expect(JSON.stringify(modal)).toContain('"initial_value":"10"');
    expectWithinSlackLimits('modal', modal);
  });

  it('an alert names the customer, the balance and the forecast', () => {
    const alert = creditAlertMessage({
      kind: 'low_credit',
      customerCode: 'GLOBEX',
      customerName: 'Globex',
      remainingMinutes: 240,
      pendingMinutes: 0,
      thresholdMinutes: 600,
      forecast: { kind: 'runs_out', days: 3 },
    });
    expect(alert.text).toContain('Globex (GLOBEX) fell below its low-credit threshold of 10h');
    expect(alert.text).toContain('runs out in about 3 days');
  });

  it('the log modal shows the credit left of prepaid customers', () => {
    const modal = logTimeModal({
      projects: [{ code: 'GLOBEX-OPS', name: 'Ops', customerName: 'Globex' }],
      logFor: [],
      forUserId: 'U1',
      values: { date: '2026-11-20', billable: true },
      metadata: { source: 'modal' },
      prepaid: [{ customerName: 'Globex', remainingMinutes: 600, pendingMinutes: 0 }],
    });
    expect(JSON.stringify(modal)).toContain('Globex: 10h of prepaid time left');
  });
});

describe('credit arithmetic', () => {
  it('reads hours as people write them, to the minute, and says what to write otherwise', () => {
    expect(parseCreditHours('12.5', { signed: false })).toEqual({ ok: true, minutes: 750 });
    expect(parseCreditHours('40h', { signed: false })).toEqual({ ok: true, minutes: 2400 });
    expect(parseCreditHours('2h 30m', { signed: false })).toEqual({ ok: true, minutes: 150 });
    expect(parseCreditHours('-3h', { signed: true })).toEqual({ ok: true, minutes: -180 });
    expect(parseCreditHours('-3h', { signed: false }).ok).toBe(false);
    expect(parseCreditHours('0.01', { signed: false })).toMatchObject({ ok: false });
    expect(parseCreditHours('0', { signed: false })).toMatchObject({ ok: false });
    expect(parseCreditHours('100001', { signed: false })).toMatchObject({ ok: false });
  });

  it('forecasts days left as remaining x 28 / used, rounded down', () => {
    expect(creditForecast(600, 840)).toEqual({ kind: 'runs_out', days: 20 });
    expect(creditForecast(10, 2400)).toEqual({ kind: 'runs_out', days: 0 });
    expect(creditForecast(600, 0)).toEqual({ kind: 'no_recent_use' });
    expect(creditForecast(0, 600)).toEqual({ kind: 'ran_out' });
  });

  it('fires each alert once while live, and re-arms only on a movement that lifts the balance', () => {
    const below = {
      remainingMinutes: 100,
      thresholdMinutes: 300,
      forecast: creditForecast(100, 600),
      usedInWindowMinutes: 600,
    };
    expect(creditAlertChanges({ ...below, live: [], lifting: false })).toEqual({ fire: ['low_credit'], rearm: [] });
    expect(creditAlertChanges({ ...below, live: ['low_credit'], lifting: true })).toEqual({ fire: [], rearm: [] });
    const above = {
      remainingMinutes: 400,
      thresholdMinutes: 300,
      forecast: creditForecast(400, 28 * 100),
      usedInWindowMinutes: 28 * 100,
    };
    expect(creditAlertChanges({ ...above, live: ['low_credit'], lifting: false })).toEqual({
      fire: ['forecast'],
      rearm: [],
    });
    expect(creditAlertChanges({ ...above, live: ['low_credit', 'forecast'], lifting: true })).toEqual({
      fire: [],
      rearm: ['low_credit'],
    });
  });

  it('tells a credit used up by recent use, exactly (threshold 0) or overrun (no threshold), once, as surely as one about to run out', () => {
    for (const [remainingMinutes, thresholdMinutes] of [
      [0, 0],
      [-120, null],
    ] as const) {
      const usedUp = {
        remainingMinutes,
        thresholdMinutes,
        forecast: creditForecast(remainingMinutes, 600),
        usedInWindowMinutes: 600,
      };
      expect(creditAlertChanges({ ...usedUp, live: [], lifting: false })).toEqual({ fire: ['forecast'], rearm: [] });
      expect(creditAlertChanges({ ...usedUp, live: ['forecast'], lifting: false })).toEqual({ fire: [], rearm: [] });
      // A purchase that lifts it re-arms the alert.
      const lifted = {
        remainingMinutes: 6000,
        thresholdMinutes,
        forecast: creditForecast(6000, 600),
        usedInWindowMinutes: 600,
      };
      expect(creditAlertChanges({ ...lifted, live: ['forecast'], lifting: true })).toEqual({
        fire: [],
        rearm: ['forecast'],
      });
    }
    // A prepaid customer that never used any credit has none left, and nothing to tell.
    const never = {
      remainingMinutes: 0,
      thresholdMinutes: null,
      forecast: creditForecast(0, 0),
      usedInWindowMinutes: 0,
    };
    expect(creditAlertChanges({ ...never, live: [], lifting: false })).toEqual({ fire: [], rearm: [] });
    const message = creditAlertMessage({
      kind: 'forecast',
      customerName: 'Globex',
      customerCode: 'GLOBEX',
      remainingMinutes: 0,
      pendingMinutes: 0,
      thresholdMinutes: 0,
      forecast: { kind: 'ran_out' },
    });
    expect(JSON.stringify(message.blocks)).toContain(':hourglass: *Globex* (GLOBEX): the prepaid credit is used up.');
  });
});
