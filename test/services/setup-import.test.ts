import { readFileSync } from 'node:fs';
import { asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import * as schema from '../../src/db/schema.js';
import { exportSetup } from '../../src/services/setup-export.js';
import { importSetup } from '../../src/services/setup-import.js';
import { readSettings } from '../../src/services/settings.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { addUser, asUser, serviceContext } from '../support/fixtures.js';

const example = readFileSync(new URL('../../examples/setup.yaml', import.meta.url), 'utf8');
const system = (db: Database) => serviceContext(db, { kind: 'system', name: 'cli' });

// One database for the file (opening PGlite costs most of a second); every test starts empty.
let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.drop());
beforeEach(async () => {
  await database.db.execute(sql.raw(`truncate ${SETUP_TABLES.join(', ')} restart identity cascade`));
});

const SETUP_TABLES = [
  'customers',
  'credit_ledger',
  'users',
  'employees',
  'consultants',
  'managers',
  'projects',
  'project_consultants',
  'project_managers',
  'roles',
  'user_roles',
  'delegates',
  'reporting_periods',
  'settings',
];

const TABLES = [
  'customers',
  'creditLedger',
  'users',
  'employees',
  'consultants',
  'managers',
  'projects',
  'projectConsultants',
  'projectManagers',
  'roles',
  'userRoles',
  'delegates',
  'reportingPeriods',
] as const;

/** Every setup table's rows without timestamps, for comparing states. */
async function snapshot(db: Database) {
  const out: Record<string, unknown[]> = {};
  for (const name of TABLES) {
    const rows = (await db.select().from(schema[name])) as Record<string, unknown>[];
    out[name] = rows
      .map((row) => Object.fromEntries(Object.entries(row).filter(([key]) => !/At$/.test(key) || key === 'archivedAt')))
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }
  return out;
}

describe('importing a setup file', () => {
  it('creates every kind of row the file describes, amounts in exact cents', async () => {
    const result = await importSetup(system(database.db), example);
    expect(result).toMatchObject({
      ok: true,
      summary: {
        customers: { created: 2 },
        credits: { created: 1 },
        employees: { created: 4 },
        projects: { created: 2 },
        periods: { created: 8 },
      },
    });
    const { db } = database;

    const globex = await db.query.customers.findFirst({ where: eq(schema.customers.code, 'GLOBEX') });
    expect(globex).toMatchObject({
      billingMode: 'prepaid',
      lowCreditThresholdMinutes: 300,
      autoInvoice: true,
      topupMinutes: 1200,
      topupPriceCents: 200000,
      currency: 'USD',
    });
    expect(await db.select().from(schema.creditLedger)).toMatchObject([
      { customerId: globex!.id, minutes: 2400, kind: 'purchase', occurredOn: '2026-11-01', note: 'PO 4711' },
    ]);

    const carl = await db.query.employees.findFirst({ where: eq(schema.employees.userId, 'U03CARL') });
    expect(await db.query.consultants.findFirst({ where: eq(schema.consultants.employeeId, carl!.id) })).toMatchObject({
      defaultCostRateCents: 6550,
      defaultPriceRateCents: 13000,
    });
    const web = await db.query.projects.findFirst({ where: eq(schema.projects.code, 'ACME-WEB') });
    const assignments = await db
      .select()
      .from(schema.projectConsultants)
      .where(eq(schema.projectConsultants.projectId, web!.id));
    expect(assignments.map((a) => a.priceRateCents).sort()).toEqual([15000, null].sort());

    const finance = await db.query.roles.findFirst({ where: eq(schema.roles.name, 'Finance') });
    expect(finance!.rights.sort()).toEqual(['payable', 'receivable']);
    expect(await db.select().from(schema.delegates)).toMatchObject([{ principalId: 'U01ALICE', delegateId: 'U02BOB' }]);
    expect(await db.query.users.findFirst({ where: eq(schema.users.id, 'U05ERIN') })).toMatchObject({
      displayName: 'Erin Finance',
    });
    const periods = await db.select().from(schema.reportingPeriods).orderBy(asc(schema.reportingPeriods.startsOn));
    expect(periods.map((p) => `${p.startsOn}/${p.endsOn}`)).toEqual([
      '2026-11-01/2026-11-30',
      '2026-12-01/2026-12-31',
      '2027-01-01/2027-01-31',
      '2027-02-01/2027-02-28',
      '2027-03-01/2027-03-31',
      '2027-04-01/2027-04-30',
      '2027-05-01/2027-05-31',
      '2027-06-01/2027-06-30',
    ]);
  });

  it('keeps "140.10" and 140.10 exactly 14010 cents', async () => {
    const file = `employees:
  - { user: U01A, name: A, consultant: { cost_rate: "140.10", price_rate: 140.10 } }
  - { user: U01B, name: B, consultant: { cost_rate: 0.29, price_rate: "99999.99" } }`;
    expect((await importSetup(system(database.db), file)).ok).toBe(true);
    const rates = await database.db.select().from(schema.consultants).orderBy(asc(schema.consultants.employeeId));
    expect(rates.map((r) => [r.defaultCostRateCents, r.defaultPriceRateCents])).toEqual([
      [14010, 14010],
      [29, 9999999],
    ]);
  });

  it('is idempotent: a second import changes nothing and doubles no credit', async () => {
    await importSetup(system(database.db), example);
    const first = await snapshot(database.db);
    const again = await importSetup(system(database.db), example);
    expect(again.ok && Object.values(again.summary).every((kind) => kind.created === 0 && kind.updated === 0)).toBe(
      true,
    );
    expect(await snapshot(database.db)).toEqual(first);
  });

  it('makes each listed project’s and user’s lists exactly what the file says', async () => {
    await importSetup(system(database.db), example);
    const edited = example
      .replace('      - { user: U03CARL }\n', '')
      .replace(
        '{ user: U01ALICE, roles: [Consultant], delegates: [U02BOB] }',
        '{ user: U01ALICE, roles: [Consultant], delegates: [] }',
      );
    const result = await importSetup(system(database.db), edited);
    expect(result).toMatchObject({ ok: true, summary: { assignments: { updated: 1 } } });
    expect(await database.db.select().from(schema.delegates)).toEqual([]);
  });

  it.each([
    [
      'an unknown customer',
      'projects:\n  - { code: X-1, customer: NOPE, name: X }',
      ['projects[0].customer: unknown customer NOPE'],
    ],
    [
      'an unknown consultant and a non-consultant',
      'employees:\n  - { user: U02BOB, name: Bob, manager: true }\ncustomers:\n  - { code: AC, name: A }\nprojects:\n  - { code: AC-1, customer: AC, name: X, consultants: [ { user: U09X }, { user: U02BOB } ] }',
      [
        'projects[0].consultants[0].user: unknown employee U09X',
        'projects[0].consultants[1].user: U02BOB is not a consultant (give the employee consultant rates)',
      ],
    ],
    [
      'a manager who is not one',
      'employees:\n  - { user: U01A, name: A, consultant: { cost_rate: 1, price_rate: 2 } }\ncustomers:\n  - { code: AC, name: A }\nprojects:\n  - { code: AC-1, customer: AC, name: X, managers: [U01A, U0NOBODY] }',
      [
        'projects[0].managers[0]: U01A is not a manager (set manager: true on the employee)',
        'projects[0].managers[1]: unknown employee U0NOBODY',
      ],
    ],
    [
      'an unknown role and delegate',
      'users:\n  - { user: U01A, roles: [Wizard], delegates: [U0GHOST, U01A] }',
      [
        'users[0].roles[0]: unknown role Wizard',
        'users[0].delegates[0]: unknown user U0GHOST',
        'users[0].delegates[1]: a user cannot be their own delegate',
      ],
    ],
    [
      'an unknown right',
      'roles:\n  - { name: R, rights: [entry, fly] }',
      ['roles[0].rights[1]: must be one of admin, entry, approval, payable, receivable, security'],
    ],
    [
      'a bad amount',
      'employees:\n  - { user: U01A, name: A, consultant: { cost_rate: "1,5", price_rate: 1.234 } }',
      [
        'employees[0].consultant.cost_rate: "1,5" is not an amount in USD: write a number with at most 2 decimals, like 140.50.',
        'employees[0].consultant.price_rate: "1.234" is not an amount in USD: write a number with at most 2 decimals, like 140.50.',
      ],
    ],
    [
      'duplicates and overlapping periods',
      'customers:\n  - { code: AC, name: A }\n  - { code: ac, name: B }\nperiods:\n  - { starts: 2026-11-01, ends: 2026-11-30 }\n  - { starts: 2026-11-15, ends: 2026-12-15 }',
      [
        'customers[1].code: duplicate customer AC (first at customers[0].code)',
        'periods[1]: 2026-11-15 – 2026-12-15 overlaps 2026-11-01 – 2026-11-30 (periods[0])',
      ],
    ],
    [
      'unknown keys and missing fields',
      'customers:\n  - { code: AC, nmae: A }\nfoo: 1',
      ['file: unknown key foo', 'customers[0].name: is required', 'customers[0]: unknown key nmae'],
    ],
    [
      'credits on an hourly customer',
      'customers:\n  - { code: AC, name: A, credits: [ { hours: 1, on: 2026-11-01 } ] }',
      ['customers[0].credits: only a customer with billing: prepaid buys credits'],
    ],
  ])('refuses %s, naming each place, and writes nothing', async (_case, file, errors) => {
    const before = await snapshot(database.db);
    const result = await importSetup(system(database.db), file);
    expect(result.ok).toBe(false);
    expect(!result.ok && [...result.errors].sort()).toEqual([...errors].sort());
    expect(await snapshot(database.db)).toEqual(before);
  });

  it('refuses broken YAML with the line and column of each problem', async () => {
    const result = await importSetup(system(database.db), 'customers: [ { code: AC');
    expect(result.ok).toBe(false);
    expect(
      !result.ok && result.errors.length > 0 && result.errors.every((error) => /^line 1, column \d+: \S/.test(error)),
    ).toBe(true);
  });

  it('writes nothing when one part of a valid-looking file clashes with the database', async () => {
    await database.db.insert(schema.reportingPeriods).values({ startsOn: '2026-11-10', endsOn: '2026-11-20' });
    const before = await snapshot(database.db);
    const result = await importSetup(system(database.db), example);
    expect(result).toEqual({
      ok: false,
      errors: ['periods[0]: 2026-11-01 – 2026-11-30 overlaps the existing period 2026-11-10 – 2026-11-20'],
    });
    expect(await snapshot(database.db)).toEqual(before);
  });

  it('refuses control characters with where each is, keeps newlines in multi-line fields, and writes nothing', async () => {
    const file = example
      .replace('name: Globex Corporation', 'name: "Globex\\u0000 Corporation"')
      .replace("address: '1 Globex Way, Cypress Creek'", 'address: "1 Globex Way\\nCypress Creek\\u001b[31m"');
    const result = await importSetup(system(database.db), file);
    expect(result).toEqual({
      ok: false,
      errors: [
        'customers[1].name: the text contains a control character (U+0000) that cannot be saved. Retype it without special characters.',
        'customers[1].address: the text contains a control character (U+001B) that cannot be saved. Retype it without special characters.',
      ],
    });
    expect(await database.db.select().from(schema.customers)).toEqual([]);

    const multiLine = example.replace(
      "address: '1 Globex Way, Cypress Creek'",
      'address: "1 Globex Way\\nCypress Creek"',
    );
    expect(await importSetup(system(database.db), multiLine)).toMatchObject({ ok: true });
    const [globex] = await database.db.select().from(schema.customers).where(eq(schema.customers.code, 'GLOBEX'));
    expect(globex?.address).toBe('1 Globex Way\nCypress Creek');
  });

  it('is for administrators only', async () => {
    await addUser(database.db, 'UEVE', { rights: ['entry'] });
    const result = await importSetup(serviceContext(database.db, asUser('UEVE')), example);
    expect(result).toMatchObject({ ok: false, errors: [expect.stringMatching(/administration right/)] });
    expect(await database.db.select().from(schema.customers)).toEqual([]);
  });
});

describe('firm settings in the setup file', () => {
  it('imports the firm name, exports it, and names an unknown or bad setting', async () => {
    const imported = await importSetup(system(database.db), 'settings:\n  firm_name: "  Doe & Partners  "\n');
    expect(imported).toMatchObject({ ok: true, summary: { settings: { created: 0, updated: 1 } } });
    expect(await readSettings(database.db)).toMatchObject({ firm_name: 'Doe & Partners' });
    const exported = await exportSetup(system(database.db));
    expect(exported.ok && exported.yaml).toMatch(/^settings:\n {2}firm_name: Doe & Partners\n/);
    expect(await importSetup(system(database.db), 'settings:\n  firm_nam: X\n')).toEqual({
      ok: false,
      errors: ['settings: unknown key firm_nam'],
    });
    expect(await importSetup(system(database.db), `settings:\n  firm_name: ${'x'.repeat(201)}\n`)).toEqual({
      ok: false,
      errors: ['settings.firm_name: must be at most 200 characters'],
    });
  });

  it('takes names of customers, projects and employees up to the length the forms save, and names a longer one', async () => {
    const longest = 'N'.repeat(100);
    const file = (name: string) =>
      `customers:\n  - { code: LONGNAME, name: ${name} }\nprojects:\n  - { code: LONGNAME-P, customer: LONGNAME, name: ${name} }\n`;
    expect(await importSetup(system(database.db), file(longest))).toMatchObject({ ok: true });
    expect(await importSetup(system(database.db), file(`${longest}N`))).toEqual({
      ok: false,
      errors: ['customers[0].name: must be at most 100 characters', 'projects[0].name: must be at most 100 characters'],
    });
  });
});

describe('invoice settings and customer invoicing in the setup file', () => {
  it('round-trip: firm address, tax id, terms, number format, account code and tax type; each customer’s terms, tax id, billing email and rounding', async () => {
    const file = [
      'settings:',
      '  firm_name: Doe & Partners',
      '  firm_address: "12 Harbour Road\\nBristol BS1 4XX"',
      '  firm_tax_id: GB123456789',
      '  payment_terms_days: 21',
      '  invoice_number_format: INV-{YYYY}-{NNNNN}',
      '  invoice_account_code: "4000"',
      '  invoice_tax_type: OUTPUT2',
      'customers:',
      '  - code: INVCO',
      '    name: Invoiced Co',
      '    currency: USD',
      '    invoice_rounding: 6',
      '    payment_terms_days: 7',
      '    tax_id: US-1',
      '    billing_email: ap@invco.example',
      '',
    ].join('\n');
    expect(await importSetup(system(database.db), file)).toMatchObject({ ok: true });
    expect(await readSettings(database.db)).toMatchObject({
      firm_address: '12 Harbour Road\nBristol BS1 4XX',
      firm_tax_id: 'GB123456789',
      payment_terms_days: 21,
      invoice_number_format: 'INV-{YYYY}-{NNNNN}',
      invoice_account_code: '4000',
      invoice_tax_type: 'OUTPUT2',
    });
    const [customer] = await database.db.select().from(schema.customers).where(eq(schema.customers.code, 'INVCO'));
    expect(customer).toMatchObject({
      invoiceRoundingMinutes: 6,
      paymentTermsDays: 7,
      taxId: 'US-1',
      billingEmail: 'ap@invco.example',
    });
    const exported = await exportSetup(system(database.db));
    if (!exported.ok) throw new Error(exported.error.message);
    expect(exported.yaml).toContain('invoice_number_format: INV-{YYYY}-{NNNNN}');
    expect(exported.yaml).toMatch(
      /code: INVCO\n(.*\n)*? {4}payment_terms_days: 7\n {4}tax_id: US-1\n {4}billing_email: ap@invco.example/,
    );
    // Importing the export again changes nothing.
    expect(await importSetup(system(database.db), exported.yaml)).toMatchObject({
      ok: true,
      summary: { settings: { updated: 0 }, customers: { created: 0, updated: 0 } },
    });
    expect(await importSetup(system(database.db), 'settings:\n  invoice_number_format: INV-{NNNN}\n')).toEqual({
      ok: false,
      errors: [expect.stringMatching(/^settings.invoice_number_format: needs the year/)],
    });
    expect(await importSetup(system(database.db), 'settings:\n  payment_terms_days: 400\n')).toMatchObject({
      ok: false,
    });
  });
});

describe('exporting the setup', () => {
  it('round-trips: export -> import into an empty database -> the same export, and re-import here is a no-op', async () => {
    await importSetup(system(database.db), example);
    const exported = await exportSetup(system(database.db));
    if (!exported.ok) throw new Error(exported.error.message);
    expect(exported.yaml).toContain('price_rate: "150.00"');
    expect(exported.yaml).toContain('hours: "40"');

    const before = await snapshot(database.db);
    const again = await importSetup(system(database.db), exported.yaml);
    expect(again.ok && Object.values(again.summary).every((kind) => kind.created === 0 && kind.updated === 0)).toBe(
      true,
    );
    expect(await snapshot(database.db)).toEqual(before);

    const fresh = await createTestDatabase();
    try {
      expect(await importSetup(system(fresh.db), exported.yaml)).toMatchObject({ ok: true });
      const reexported = await exportSetup(system(fresh.db));
      expect(reexported).toEqual({ ok: true, yaml: exported.yaml });
    } finally {
      await fresh.drop();
    }
  });

  it('round-trips what the forms allow into an empty database and back here unchanged: a long address, an international email, a role taken from someone still on a team, a deactivated delegate, credit when paid, a purchase’s price', async () => {
    const { db } = database;
    await importSetup(system(db), example);
    const employeeOf = async (userId: string) =>
      (await db.select().from(schema.employees).where(eq(schema.employees.userId, userId)))[0]!.id;
    await db
      .update(schema.customers)
      .set({ address: 'a'.repeat(1500), billingEmail: 'rechnung@müller.de' })
      .where(eq(schema.customers.code, 'ACME'));
    await db.update(schema.customers).set({ creditOnIssue: false }).where(eq(schema.customers.code, 'GLOBEX'));
    await db.update(schema.creditLedger).set({ priceCents: 400_000 }).where(eq(schema.creditLedger.kind, 'purchase'));
    // Carl stops consulting and Dana stops managing; their rows on the teams stay behind.
    await db
      .update(schema.consultants)
      .set({ archivedAt: new Date() })
      .where(eq(schema.consultants.employeeId, await employeeOf('U03CARL')));
    await db
      .update(schema.managers)
      .set({ archivedAt: new Date() })
      .where(eq(schema.managers.employeeId, await employeeOf('U04DANA')));
    // Erin, who is no employee, may act for Alice, and is then deactivated.
    await db.insert(schema.delegates).values({ principalId: 'U01ALICE', delegateId: 'U05ERIN' });
    await db.update(schema.users).set({ active: false }).where(eq(schema.users.id, 'U05ERIN'));

    const exported = await exportSetup(system(db));
    if (!exported.ok) throw new Error(exported.error.message);
    const fresh = await createTestDatabase();
    try {
      const imported = await importSetup(system(fresh.db), exported.yaml);
      expect(imported.ok ? [] : imported.errors).toEqual([]);
      expect(await exportSetup(system(fresh.db))).toEqual({ ok: true, yaml: exported.yaml });
      const [acme] = await fresh.db.select().from(schema.customers).where(eq(schema.customers.code, 'ACME'));
      expect(acme).toMatchObject({ address: 'a'.repeat(1500), billingEmail: 'rechnung@müller.de' });
      const [globex] = await fresh.db.select().from(schema.customers).where(eq(schema.customers.code, 'GLOBEX'));
      expect(globex!.creditOnIssue).toBe(false);
      expect(await fresh.db.select().from(schema.creditLedger)).toMatchObject([
        { kind: 'purchase', minutes: 2400, priceCents: 400_000 },
      ]);
      expect(await fresh.db.select().from(schema.delegates)).toEqual([
        expect.objectContaining({ principalId: 'U01ALICE', delegateId: 'U02BOB' }),
      ]);
    } finally {
      await fresh.drop();
    }

    // Imported back here, it leaves the rows it does not speak of as they were: Carl's and Dana's
    // places on the teams and Erin's delegation, for when their roles or their account come back.
    const before = await snapshot(db);
    const again = await importSetup(system(db), exported.yaml);
    expect(again.ok && Object.values(again.summary).every((kind) => kind.created === 0 && kind.updated === 0)).toBe(
      true,
    );
    expect(await snapshot(db)).toEqual(before);
  });
});
