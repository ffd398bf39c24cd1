/** What the project and employee forms refuse, with the field to fix and the words to show, writing nothing. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { customers, projectConsultants } from '../../src/db/schema.js';
import { saveEmployee } from '../../src/services/employees.js';
import {
  deleteProjects,
  listProjects,
  projectDeletionImpact,
  projectDetail,
  saveProject,
  setAssignmentRates,
} from '../../src/services/projects.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { changedTables, digestTables, type TableDigest } from '../support/database-digest.js';
import {
  addConsultant,
  addCustomer,
  addManager,
  addProject,
  addUser,
  asUser,
  serviceContext,
} from '../support/fixtures.js';

let database: TestDatabase;
const admin = () => serviceContext(database.db, asUser('UADMIN'));
const clerk = () => serviceContext(database.db, asUser('UCLERK'));
let before: TableDigest[];
const unchanged = async () => expect(changedTables(before, await digestTables(database.db))).toEqual([]);

let acme: number;
let euro: number;
let web: number;
let alice: number;
let bob: number;
let maria: number;
const project = (overrides: Partial<Parameters<typeof saveProject>[1]> = {}) => ({
  code: 'ACME-NEW',
  customerId: acme,
  name: 'New work',
  description: '',
  address: '',
  notes: '',
  active: true,
  ...overrides,
});

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  await addUser(db, 'UADMIN', { rights: ['admin'] });
  await addUser(db, 'UCLERK', { rights: ['entry'] });
  for (const id of ['UALICE', 'UBOB', 'UMARIA']) await addUser(db, id);
  alice = await addConsultant(db, 'UALICE');
  bob = await addConsultant(db, 'UBOB');
  maria = await addManager(db, 'UMARIA');
  acme = await addCustomer(db, 'ACME');
  euro = (await db.insert(customers).values({ code: 'EURO', name: 'Euro GmbH', currency: 'EUR' }).returning())[0]!.id;
  web = await addProject(db, 'ACME-WEB', acme, { consultants: [alice] });
});
afterAll(async () => database.drop());
beforeEach(async () => {
  before = await digestTables(database.db);
});

describe('saving a project', () => {
  it.each([
    ['a code with a space', { code: 'AC ME' }, 'invalid_code', 'code', /2 to 20 letters, digits or dashes/],
    ['an empty name', { name: '   ' }, 'invalid_name', 'name', /at most 100 characters/],
    ['a name of 101 characters', { name: 'n'.repeat(101) }, 'invalid_name', 'name', /at most 100 characters/],
    ['a long description', { description: 'd'.repeat(2001) }, 'too_long', 'description', /description to 2000/],
    ['a long address', { address: 'a'.repeat(2001) }, 'too_long', 'address', /address to 2000/],
    ['long notes', { notes: 'n'.repeat(2001) }, 'too_long', 'notes', /notes to 2000/],
  ])('refuses %s on its field and writes nothing', async (_, overrides, code, field, message) => {
    const result = await saveProject(admin(), project(overrides));
    expect(result).toMatchObject({ ok: false, error: { code, field, message: expect.stringMatching(message) } });
    await unchanged();
  });

  it('refuses someone without the projects right, writing nothing', async () => {
    expect(await saveProject(clerk(), project())).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await unchanged();
  });

  it('refuses a customer that does not exist, on the customer field', async () => {
    expect(await saveProject(admin(), project({ customerId: 999_999 }))).toEqual({
      ok: false,
      error: { code: 'unknown_customer', message: 'Choose a customer that still exists.', field: 'customer' },
    });
    await unchanged();
  });

  it('refuses a code another project has, naming it, but lets a project keep its own code', async () => {
    expect(await saveProject(admin(), project({ code: 'acme-web' }))).toEqual({
      ok: false,
      error: { code: 'duplicate', message: 'There is already a project ACME-WEB.', field: 'code' },
    });
    await unchanged();
    expect(await saveProject(admin(), project({ id: web, code: 'ACME-WEB', name: 'Web' }))).toEqual({
      ok: true,
      project: { id: web, code: 'ACME-WEB' },
    });
  });

  it('refuses a manager who is not a manager and a consultant who is not a consultant, writing nothing', async () => {
    expect(await saveProject(admin(), project({ managerIds: [maria, alice] }))).toMatchObject({
      ok: false,
      error: { code: 'unknown_manager', field: 'managers', message: expect.stringMatching(/no longer a manager/) },
    });
    expect(await saveProject(admin(), project({ consultantIds: [alice, maria] }))).toMatchObject({
      ok: false,
      error: {
        code: 'unknown_consultant',
        field: 'consultants',
        message: expect.stringMatching(/no longer a consultant/),
      },
    });
    await unchanged();
  });

  it('refuses to change a project that no longer exists', async () => {
    expect(await saveProject(admin(), project({ id: 999_999 }))).toEqual({
      ok: false,
      error: { code: 'gone', message: 'That project no longer exists.' },
    });
    await unchanged();
  });

  it('refuses consultants without a price rate on a project billed in another currency, naming them, and rolls back the project', async () => {
    const result = await saveProject(
      admin(),
      project({ code: 'EURO-APP', customerId: euro, consultantIds: [bob, alice] }),
    );
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'price_rate_needed',
        field: 'consultants',
        message:
          "EURO is billed in EUR, but a consultant's default price rate is in USD. Add UALICE, UBOB from their employee page with Assign to project, giving a price rate in EUR.",
      },
    });
    await unchanged();
  });

  it('lets a consultant who had a price rate on a foreign-currency project come back to it', async () => {
    const { db } = database;
    const euroApp = await addProject(db, 'EURO-BACK', euro);
    await db
      .insert(projectConsultants)
      .values({ projectId: euroApp, consultantId: bob, priceRateCents: 12000, archivedAt: new Date() });
    const result = await saveProject(
      admin(),
      project({ id: euroApp, code: 'EURO-BACK', customerId: euro, consultantIds: [bob] }),
    );
    expect(result).toMatchObject({ ok: true });
    const detail = await projectDetail(admin(), euroApp);
    expect(detail).toMatchObject({ ok: true, consultants: [{ employeeId: bob, priceRateCents: 12000 }] });
  });
});

describe("setting a consultant's rates on a project", () => {
  const rates = (overrides: Partial<Parameters<typeof setAssignmentRates>[1]> = {}) => ({
    projectId: web,
    consultantId: alice,
    costRate: '80',
    priceRate: '150',
    ...overrides,
  });

  it('refuses without the right, on a project that is gone, and for a consultant not on the project', async () => {
    expect(await setAssignmentRates(clerk(), rates())).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await setAssignmentRates(admin(), rates({ projectId: 999_999 }))).toEqual({
      ok: false,
      error: { code: 'gone', message: 'That project no longer exists.' },
    });
    expect(await setAssignmentRates(admin(), rates({ consultantId: bob }))).toEqual({
      ok: false,
      error: {
        code: 'not_assigned',
        message: 'That consultant is not on this project any more; add them first.',
        field: 'consultant',
      },
    });
    await unchanged();
  });

  it('refuses a rate that is not an amount on the field it came from', async () => {
    expect(await setAssignmentRates(admin(), rates({ costRate: 'lots' }))).toMatchObject({
      ok: false,
      error: { field: 'cost' },
    });
    expect(await setAssignmentRates(admin(), rates({ priceRate: '12.345' }))).toMatchObject({
      ok: false,
      error: { field: 'price' },
    });
    await unchanged();
  });

  it('refuses an empty price rate on a project billed in another currency, saying which currency to give', async () => {
    const euroWeb = await addProject(database.db, 'EURO-WEB', euro);
    before = await digestTables(database.db);
    expect(await setAssignmentRates(admin(), rates({ projectId: euroWeb, priceRate: '' }))).toEqual({
      ok: false,
      error: {
        code: 'price_rate_needed',
        field: 'price',
        message:
          "EURO is billed in EUR, so the consultant's default price rate (in USD) cannot serve here: give a price rate in EUR.",
      },
    });
    await unchanged();
  });
});

describe('reading and removing projects', () => {
  it('refuses lists, details and impacts to someone without the right', async () => {
    expect(await listProjects(clerk())).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await projectDetail(clerk(), web)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await projectDeletionImpact(clerk(), [web])).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await deleteProjects(clerk(), [web])).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await unchanged();
  });

  it('says a project that is gone is gone', async () => {
    expect(await projectDetail(admin(), 999_999)).toEqual({
      ok: false,
      error: { code: 'gone', message: 'That project no longer exists.' },
    });
  });

  it('asks to mark projects first, and refuses a list naming a project already gone, deleting none', async () => {
    expect(await deleteProjects(admin(), [])).toEqual({
      ok: false,
      error: { code: 'nothing_marked', message: 'Mark the projects to remove first.' },
    });
    expect(await deleteProjects(admin(), [web, 999_999])).toEqual({
      ok: false,
      error: { code: 'stale', message: 'Some of those projects are already gone; look at the list again and retry.' },
    });
    await unchanged();
  });
});

describe('saving an employee', () => {
  const employee = (overrides: Partial<Parameters<typeof saveEmployee>[1]> = {}) => ({
    userId: 'UNEW',
    name: 'New Person',
    address: '',
    notes: '',
    consultant: { costRate: '70', priceRate: '140' },
    manager: false,
    ...overrides,
  });

  it.each([
    ['a user id that is not a Slack user', { userId: 'alice' }, 'invalid_user', 'user', /Choose the person in Slack/],
    ['an empty name', { name: ' ' }, 'invalid_name', 'name', /at most 100 characters/],
    ['a long address', { address: 'a'.repeat(2001) }, 'too_long', 'address', /address to 2000/],
    ['long notes', { notes: 'n'.repeat(2001) }, 'too_long', 'notes', /notes to 2000/],
    ['a cost rate that is not an amount', { consultant: { costRate: 'x', priceRate: '1' } }, undefined, 'cost', /./],
    ['a price rate that is not an amount', { consultant: { costRate: '1', priceRate: '' } }, undefined, 'price', /./],
  ])('refuses %s on its field and writes nothing', async (_, overrides, code, field, message) => {
    const result = await saveEmployee(admin(), employee(overrides));
    expect(result).toMatchObject({
      ok: false,
      error: { ...(code ? { code } : {}), field, message: expect.stringMatching(message) },
    });
    await unchanged();
  });

  it('refuses someone without the employees right', async () => {
    expect(await saveEmployee(clerk(), employee())).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await unchanged();
  });

  it('refuses a second record for a person, naming the record they have', async () => {
    expect(await saveEmployee(admin(), employee({ userId: 'UALICE' }))).toEqual({
      ok: false,
      error: { code: 'duplicate', message: "UALICE is already this person's employee record.", field: 'user' },
    });
    await unchanged();
  });

  it('refuses to change an employee who no longer exists', async () => {
    expect(await saveEmployee(admin(), employee({ id: 999_999 }))).toEqual({
      ok: false,
      error: { code: 'gone', message: 'That employee no longer exists.' },
    });
    await unchanged();
  });
});
