/**
 * A dotted day and month typed before the duration ("/log 25.12 2h ACME-WEB …", as people who
 * write 25.12.2026 do) is an ambiguous date to write as YYYY-MM-DD: a duration follows it, so it is
 * not hours missing their unit ("25.12h" would be more than a day). Without a duration after it,
 * "2.5" is hours missing their unit.
 */
import { describe, expect, it } from 'vitest';
import { parseLogRequest } from '../../src/domain/log-command.js';

describe('/log with a dotted number before its project', () => {
  it.each(['25.12 2h ACME-WEB x', '20.11 1h30m ACME-WEB workshop', '25/12 2h ACME-WEB x', '1.5 9:00-10:30 ACME-WEB x'])(
    '%j is refused as an ambiguous date',
    (text) => {
      expect(parseLogRequest(text)).toMatchObject({
        kind: 'invalid',
        error: { code: 'ambiguous_date', field: 'date' },
      });
    },
  );

  it.each(['2.5 ACME-WEB design review', '1,5 ACME-WEB review'])('%j is told to add the unit', (text) => {
    expect(parseLogRequest(text)).toMatchObject({ kind: 'invalid', error: { field: 'minutes' } });
  });
});
