/** A code held by an archived customer or project: the refusal says where it is, since no list shows it. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { timeEntries } from '../../src/db/schema.js';
import { deleteCustomers, listCustomers, saveCustomer } from '../../src/services/customers.js';
import { deleteProjects, listProjects, saveProject } from '../../src/services/projects.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import {
  addConsultant,
  addCustomer,
  addPeriod,
  addProject,
  addTimesheet,
  addUser,
  asUser,
  serviceContext,
} from '../support/fixtures.js';

let database: TestDatabase;
const admin = () => serviceContext(database.db, asUser('UADMIN'));
const ids: Record<string, number> = {};

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  await addUser(db, 'UADMIN', { rights: ['admin'] });
  await addUser(db, 'UALI', { rights: ['entry'] });
  const ali = await addConsultant(db, 'UALI');
  ids.old = await addCustomer(db, 'OLD');
  ids.live = await addCustomer(db, 'LIVE');
  ids.oldWeb = await addProject(db, 'OLD-WEB', ids.old, { consultants: [ali] });
  ids.liveApp = await addProject(db, 'LIVE-APP', ids.live, { consultants: [ali] });
  // Both projects have approved time, so removing them archives them.
  const sheet = await addTimesheet(db, ali, await addPeriod(db, '2026-11-01', '2026-11-30'), 'approved');
  for (const projectId of [ids.oldWeb, ids.liveApp])
    await db.insert(timeEntries).values({
      timesheetId: sheet,
      projectId: projectId,
      workDate: '2026-11-10',
      minutes: 60,
      description: 'x',
      billable: true,
      source: 'command',
      createdBy: 'UALI',
    });
  expect(await deleteCustomers(admin(), [ids.old])).toMatchObject({ ok: true, deleted: { archived: ['OLD'] } });
  expect(await deleteProjects(admin(), [ids.liveApp])).toMatchObject({
    ok: true,
    deleted: { archived: ['LIVE-APP'] },
  });
});
afterAll(async () => database.drop());

describe('a new record with the code of an archived one', () => {
  it('a customer: the refusal says the code belongs to an archived customer, which no list shows', async () => {
    const customers = await listCustomers(admin());
    expect(customers.ok && customers.customers.map((c) => c.code)).toEqual(['LIVE']);
    const saved = await saveCustomer(admin(), {
      code: 'OLD',
      name: 'Old Corp again',
      currency: 'USD',
      billingMode: 'hourly',
      address: '',
      notes: '',
    });
    expect(saved).toMatchObject({ ok: false, error: { field: 'code' } });
    // "There is already a customer OLD." sends the administrator looking for a customer that is nowhere.
    expect(saved.ok ? '' : saved.error.message).toMatch(/archived|deleted/i);
  });

  it('a project: likewise', async () => {
    const projects = await listProjects(admin());
    expect(projects.ok && projects.projects.map((p) => p.code)).toEqual([]);
    const saved = await saveProject(admin(), {
      code: 'LIVE-APP',
      customerId: ids.live!,
      name: 'App, phase 2',
      description: '',
      address: '',
      notes: '',
      active: true,
    });
    expect(saved).toMatchObject({ ok: false, error: { field: 'code' } });
    expect(saved.ok ? '' : saved.error.message).toMatch(/archived|deleted/i);
  });
});
