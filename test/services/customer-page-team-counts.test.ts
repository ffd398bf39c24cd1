/** A customer's page counts each project's team as the project's own page shows it: live managers and consultants only. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerDetail } from '../../src/services/customers.js';
import { saveEmployee } from '../../src/services/employees.js';
import { projectDetail } from '../../src/services/projects.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
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
const ids: Record<string, number> = {};

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  await addUser(db, 'UADMIN', { rights: ['admin'] });
  await addUser(db, 'UALI', { name: 'Ali', rights: ['entry'] });
  await addUser(db, 'UBOB', { name: 'Bob', rights: ['approval'] });
  ids.ali = await addConsultant(db, 'UALI');
  ids.bob = await addManager(db, 'UBOB');
  ids.acme = await addCustomer(db, 'ACME');
  ids.web = await addProject(db, 'WEB', ids.acme, { consultants: [ids.ali], managers: [ids.bob] });
});
afterAll(async () => database.drop());

describe('a customer’s page', () => {
  it('does not count someone whose consultant or manager role was dropped in a project’s team', async () => {
    const person = { address: '', notes: '' };
    // Ali stops consulting (no time anywhere), Bob stops managing: Edit details, roles unticked.
    expect(
      await saveEmployee(admin(), {
        id: ids.ali!,
        userId: 'UALI',
        name: 'Ali',
        ...person,
        consultant: null,
        manager: false,
      }),
    ).toMatchObject({ ok: true });
    expect(
      await saveEmployee(admin(), {
        id: ids.bob!,
        userId: 'UBOB',
        name: 'Bob',
        ...person,
        consultant: null,
        manager: false,
      }),
    ).toMatchObject({ ok: true });

    // The project's page shows nobody on the team...
    const project = await projectDetail(admin(), ids.web!);
    expect(project.ok && { managers: project.managers.length, consultants: project.consultants.length }).toEqual({
      managers: 0,
      consultants: 0,
    });
    // ...and the customer's page should say the same of that project ("WEB · 0 managers · 0 consultants").
    const customer = await customerDetail(admin(), ids.acme!);
    expect(customer.ok && customer.projects).toEqual([
      expect.objectContaining({ code: 'WEB', managers: 0, consultants: 0 }),
    ]);
  });
});
