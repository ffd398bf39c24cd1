/**
 * A statement that counts a day in someone's time zone in SQL fails when the database's time zone
 * rules lack that zone, which Node's may know (a legacy name such as `US/Pacific-New`, or a zone
 * newer than the server's rules). Its caller then counts the day in the app instead.
 */

/**
 * Where PostgreSQL (15: `timestamptz_zone`) and PGlite (`DecodeTimezoneName`) refuse a zone name.
 * The message is checked as well, but it is in the server's language (`lc_messages`).
 */
const ZONE_ROUTINES = new Set(['timestamptz_zone', 'timestamp_zone', 'DecodeTimezoneName']);

/** The statement's rows, or undefined when it failed on a time zone the database does not know. */
export async function unlessZoneUnknown<Row>(read: Promise<Row[]>): Promise<Row[] | undefined> {
  try {
    return await read;
  } catch (error) {
    const cause: unknown = error instanceof Error && error.cause !== undefined ? error.cause : error;
    const { code, message, routine } = (cause ?? {}) as { code?: unknown; message?: unknown; routine?: unknown };
    const zoneRule = ZONE_ROUTINES.has(String(routine)) || /time zone .* not recognized/.test(String(message));
    if (code === '22023' && zoneRule) return undefined;
    throw error;
  }
}
