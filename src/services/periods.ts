import { and, asc, eq, inArray, isNull, ne, sql } from 'drizzle-orm';
import { type Queryable, sqlList } from '../db/client.js';
import { reportingPeriods, timeEntries, timesheets } from '../db/schema.js';
import { formatDay, isIsoDate } from '../domain/dates.js';
import { generatePeriods, type PeriodCadence, type PeriodRange, periodsOverlap } from '../domain/periods.js';
import { fail, type Result } from '../domain/result.js';
import { recordAudit, recordRemovedEntries, recordRemovedSheets } from './audit.js';
import { authorize } from './authorization.js';
import type { ServiceContext } from './context.js';
import { OPERATIONS } from './operations.js';
import { serviceTransaction } from './transaction.js';

export type PeriodRow = { id: number; startsOn: string; endsOn: string; openSheets: number; keptSheets: number };

/** Every live reporting period, oldest first, with how many sheets it holds. */
export async function listPeriods(ctx: ServiceContext): Promise<Result<{ periods: PeriodRow[] }>> {
  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.managePeriods.right);
    if (!access.ok) return access;
    const rows = await tx
      .select({
        id: reportingPeriods.id,
        startsOn: reportingPeriods.startsOn,
        endsOn: reportingPeriods.endsOn,
        // Named in full: inside the subquery a bare "id" would be the sheet's.
        openSheets: sql<number>`(select count(*)::int from ${timesheets} t where t.period_id = reporting_periods.id and t.status = 'open')`,
        keptSheets: sql<number>`(select count(*)::int from ${timesheets} t where t.period_id = reporting_periods.id and t.status <> 'open')`,
      })
      .from(reportingPeriods)
      .where(isNull(reportingPeriods.archivedAt))
      .orderBy(asc(reportingPeriods.startsOn));
    return {
      ok: true as const,
      periods: rows.map((r) => ({ ...r, openSheets: Number(r.openSheets), keptSheets: Number(r.keptSheets) })),
    };
  });
}

/**
 * Adds periods (one, or a generated series); none may overlap another. The exact dates of a deleted
 * period (archived because it kept timesheets) restore it, with those sheets; other dates that
 * overlap it are refused, naming it.
 */
export async function addPeriods(
  ctx: ServiceContext,
  input: { startsOn: string; endsOn: string } | { cadence: PeriodCadence; from: string; to: string },
): Promise<Result<{ created: PeriodRange[]; restored: PeriodRange[] }>> {
  let ranges: PeriodRange[];
  if ('cadence' in input) {
    const generated = generatePeriods(input.cadence, input.from, input.to);
    if (!generated.ok) return generated;
    ranges = generated.periods;
  } else {
    if (!isIsoDate(input.startsOn) || !isIsoDate(input.endsOn))
      return fail('invalid_date', 'Dates must be real dates written as YYYY-MM-DD.', 'starts');
    if (input.startsOn > input.endsOn)
      return fail(
        'period_order',
        `The period must begin on or before its end (${formatDay(input.startsOn)} is after ${formatDay(input.endsOn)}).`,
        'ends',
      );
    ranges = [{ startsOn: input.startsOn, endsOn: input.endsOn }];
  }
  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.managePeriods.right);
    if (!access.ok) return access;
    // Archived periods too: the database keeps every period, live or not, from overlapping.
    const existing = await tx.select().from(reportingPeriods);
    const restored: (typeof existing)[number][] = [];
    const created: PeriodRange[] = [];
    for (const range of ranges) {
      const same = existing.find((p) => p.startsOn === range.startsOn && p.endsOn === range.endsOn);
      if (same?.archivedAt) {
        restored.push(same);
        continue;
      }
      const clash = existing.find((p) => periodsOverlap(range, p));
      if (clash) {
        const span = `${formatDay(clash.startsOn)} – ${formatDay(clash.endsOn)}`;
        return fail(
          'overlap',
          clash.archivedAt
            ? `${formatDay(range.startsOn)} – ${formatDay(range.endsOn)} overlaps the deleted period ${span}, kept for the timesheets it holds. Add exactly ${span} to restore it, or choose dates outside it.`
            : `${formatDay(range.startsOn)} – ${formatDay(range.endsOn)} overlaps the period ${span}.`,
          'starts',
        );
      }
      created.push(range);
    }
    for (const period of restored) {
      const [row] = await tx
        .update(reportingPeriods)
        .set({ archivedAt: null })
        .where(eq(reportingPeriods.id, period.id))
        .returning();
      await recordAudit(tx, ctx, {
        action: 'period.restore',
        entity: 'reporting_period',
        entityId: period.id,
        before: period,
        after: row,
      });
    }
    for (const range of created) {
      const [row] = await tx.insert(reportingPeriods).values(range).returning();
      await recordAudit(tx, ctx, {
        action: 'period.create',
        entity: 'reporting_period',
        entityId: row!.id,
        after: row,
      });
    }
    return {
      ok: true as const,
      created,
      restored: restored.map(({ startsOn, endsOn }) => ({ startsOn, endsOn })),
    };
  });
}

export type PeriodDeletion = { periods: number; openSheets: number; openEntries: number; keptSheets: number };

/** What deleting these periods would do, for the confirm dialog. */
export async function periodDeletionImpact(
  ctx: ServiceContext,
  periodIds: number[],
): Promise<Result<{ impact: PeriodDeletion }>> {
  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.managePeriods.right);
    if (!access.ok) return access;
    return { ok: true as const, impact: await impactOf(tx, periodIds) };
  });
}

/**
 * Deletes periods: their open timesheets (and entries) go; submitted, approved and cancelled sheets
 * stay, so a period holding any is archived instead (gone from lists, kept for reports).
 */
export async function deletePeriods(
  ctx: ServiceContext,
  periodIds: number[],
): Promise<Result<{ deleted: PeriodDeletion }>> {
  if (periodIds.length === 0) return fail('nothing_marked', 'Mark the periods to delete first.');
  return serviceTransaction(ctx.db, async (tx) => {
    const access = await authorize(tx, ctx, OPERATIONS.managePeriods.right);
    if (!access.ok) return access;
    const impact = await impactOf(tx, periodIds);
    const targets = await tx
      .select()
      .from(reportingPeriods)
      .where(and(inArray(reportingPeriods.id, periodIds), isNull(reportingPeriods.archivedAt)));
    if (targets.length !== periodIds.length)
      return fail('stale', 'Some of those periods are already gone; refresh the list and try again.');
    const openSheets = sql`t.period_id in (${sqlList(periodIds)}) and t.status = 'open'`;
    await recordRemovedEntries(tx, ctx, openSheets, 'period.remove');
    await recordRemovedSheets(tx, ctx, openSheets, 'period.remove');
    await tx.delete(timesheets).where(and(inArray(timesheets.periodId, periodIds), eq(timesheets.status, 'open')));
    for (const period of targets) {
      const kept = await tx
        .select({ id: timesheets.id })
        .from(timesheets)
        .where(eq(timesheets.periodId, period.id))
        .limit(1);
      if (kept.length > 0)
        await tx
          .update(reportingPeriods)
          .set({ archivedAt: ctx.clock.now() })
          .where(eq(reportingPeriods.id, period.id));
      else await tx.delete(reportingPeriods).where(eq(reportingPeriods.id, period.id));
      await recordAudit(tx, ctx, {
        action: kept.length ? 'period.archive' : 'period.delete',
        entity: 'reporting_period',
        entityId: period.id,
        before: period,
      });
    }
    return { ok: true as const, deleted: impact };
  });
}

async function impactOf(q: Queryable, periodIds: number[]): Promise<PeriodDeletion> {
  if (periodIds.length === 0) return { periods: 0, openSheets: 0, openEntries: 0, keptSheets: 0 };
  const [open] = await q
    .select({
      sheets: sql<number>`count(distinct ${timesheets.id})::int`,
      entries: sql<number>`count(${timeEntries.id})::int`,
    })
    .from(timesheets)
    .leftJoin(timeEntries, eq(timeEntries.timesheetId, timesheets.id))
    .where(and(inArray(timesheets.periodId, periodIds), eq(timesheets.status, 'open')));
  const [kept] = await q
    .select({ n: sql<number>`count(*)::int` })
    .from(timesheets)
    .where(and(inArray(timesheets.periodId, periodIds), ne(timesheets.status, 'open')));
  return {
    periods: periodIds.length,
    openSheets: Number(open?.sheets ?? 0),
    openEntries: Number(open?.entries ?? 0),
    keptSheets: Number(kept?.n ?? 0),
  };
}
