/**
 * The setup file (YAML): firm settings, customers, employees, projects, roles, users and reporting periods.
 * This module reads and checks the file on its own; references to what is already in the
 * database are checked by the import service.
 */
import { isDocument, LineCounter, parseDocument, stringify } from 'yaml';
import { z } from 'zod';
import { controlCharacterIn, controlCharacterMessage } from './control-characters.js';
import { isIsoDate } from './dates.js';
import { parseDuration } from './duration.js';
import { formatDecimal, parseDecimal } from './money.js';
import { MAX_CREDIT_HOURS, MAX_CREDIT_MINUTES } from './prepaid.js';
import { generatePeriods, PERIOD_CADENCES, type PeriodRange, periodsOverlap } from './periods.js';
import { RIGHTS } from './rights.js';
import { SETTING_FIELDS, SETTING_KEYS, type Settings } from './settings.js';
import { MAX_NAME_LENGTH } from './names.js';
import { isEmailAddress, MAX_ADDRESS_LENGTH, MAX_NOTES_LENGTH } from './contact.js';
import { CODE, typedCode } from './codes.js';

/** As /log reads codes: a letter or digit first, then letters, digits and dashes. */
const SLACK_USER = /^[UW][A-Z0-9]{2,}$/;

const amount = z.union([z.string(), z.number()]);
const hours = z.union([z.string(), z.number()]);
const isoDate = z.string().refine(isIsoDate, 'must be a date written as YYYY-MM-DD');
const code = z
  .string()
  .transform(typedCode)
  .refine(
    (text) => CODE.test(text),
    'must be 2 to 20 letters, digits or dashes, starting with a letter or digit, like ACME-WEB',
  );
const slackUser = z.string().regex(SLACK_USER, 'must be a Slack member id like U01ALICE');
const text = (max: number) =>
  z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

const customer = z.strictObject({
  code,
  name: text(MAX_NAME_LENGTH),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be a 3-letter ISO currency code like USD')
    .optional(),
  billing: z.enum(['hourly', 'prepaid']).default('hourly'),
  address: z.string().max(MAX_ADDRESS_LENGTH).optional(),
  notes: z.string().max(MAX_NOTES_LENGTH).optional(),
  invoice_rounding: z.union([z.literal(0), z.literal(6), z.literal(15)]).optional(),
  payment_terms_days: z.number().int().min(0).max(365).optional(),
  tax_id: z.string().trim().max(60).optional(),
  billing_email: z.string().refine(isEmailAddress, 'must be an email address like accounts@acme.example').optional(),
  prepaid: z
    .strictObject({
      threshold_hours: hours.optional(),
      auto_invoice: z.boolean().optional(),
      topup_hours: hours.optional(),
      topup_price: amount.optional(),
      credit_on_issue: z.boolean().optional(),
      alert_channel: z
        .string()
        .regex(/^[CG][A-Z0-9]{2,}$/, 'must be a Slack channel id like C0FINANCE')
        .optional(),
    })
    .optional(),
  credits: z
    .array(z.strictObject({ hours, note: z.string().max(500).default(''), on: isoDate, price: amount.optional() }))
    .optional(),
});

const employee = z.strictObject({
  user: slackUser,
  name: text(MAX_NAME_LENGTH),
  address: z.string().max(MAX_ADDRESS_LENGTH).optional(),
  notes: z.string().max(MAX_NOTES_LENGTH).optional(),
  consultant: z.strictObject({ cost_rate: amount, price_rate: amount }).optional(),
  manager: z.boolean().optional(),
});

const project = z.strictObject({
  code,
  customer: code,
  name: text(MAX_NAME_LENGTH),
  description: z.string().max(2000).optional(),
  active: z.boolean().optional(),
  managers: z.array(slackUser).optional(),
  consultants: z
    .array(z.strictObject({ user: slackUser, cost_rate: amount.optional(), price_rate: amount.optional() }))
    .optional(),
});

const role = z.strictObject({
  name: text(100),
  rights: z.array(z.enum(RIGHTS, { error: () => `must be one of ${RIGHTS.join(', ')}` })),
});
const user = z.strictObject({
  user: slackUser,
  name: text(200).optional(),
  roles: z.array(text(100)).optional(),
  delegates: z.array(slackUser).optional(),
});
const period = z.union([
  z.strictObject({ starts: isoDate, ends: isoDate }),
  z.strictObject({ generate: z.enum(PERIOD_CADENCES), from: isoDate, to: isoDate }),
]);

/** Firm settings by their keys (settings.ts), e.g. `settings: { firm_name: Acme Consulting }`. */
const settingsSection = z.strictObject(
  Object.fromEntries(SETTING_KEYS.map((key) => [key, SETTING_FIELDS[key].schema.optional()])) as {
    [K in keyof typeof SETTING_FIELDS]: z.ZodOptional<(typeof SETTING_FIELDS)[K]['schema']>;
  },
);

const setupFileSchema = z.strictObject({
  settings: settingsSection.default({}),
  customers: z.array(customer).default([]),
  employees: z.array(employee).default([]),
  projects: z.array(project).default([]),
  roles: z.array(role).default([]),
  users: z.array(user).default([]),
  periods: z.array(period).default([]),
});

type RawSetup = z.infer<typeof setupFileSchema>;

/**
 * An amount as the file writes it ("140.10" or 140.1). It becomes minor units in the import, which
 * knows the currency it is in: a customer's own for its prices, the firm's for cost and default rates.
 */
export type FileAmount = { value: string | number; path: string };

/** The file with hours in minutes, periods spelled out, and amounts kept for the import to convert. */
export type SetupFile = {
  settings: Partial<Settings>;
  customers: {
    code: string;
    name: string;
    currency: string | undefined;
    billingMode: 'hourly' | 'prepaid';
    address: string | undefined;
    notes: string | undefined;
    invoiceRoundingMinutes: number | undefined;
    paymentTermsDays: number | undefined;
    taxId: string | undefined;
    billingEmail: string | undefined;
    prepaid:
      | {
          thresholdMinutes: number | null;
          autoInvoice: boolean;
          topupMinutes: number | null;
          topupPrice: FileAmount | null;
          /** Whether a top-up invoice credits its hours when issued (the default) rather than when paid. */
          creditOnIssue: boolean | undefined;
          alertChannel: string | null;
        }
      | undefined;
    credits: { minutes: number; note: string; on: string; price: FileAmount | null; path: string }[];
    path: string;
  }[];
  employees: {
    user: string;
    name: string;
    address: string | undefined;
    notes: string | undefined;
    consultant: { costRate: FileAmount; priceRate: FileAmount } | undefined;
    manager: boolean;
    path: string;
  }[];
  projects: {
    code: string;
    customer: string;
    name: string;
    description: string | undefined;
    active: boolean | undefined;
    managers: { user: string; path: string }[] | undefined;
    consultants:
      { user: string; costRate: FileAmount | null; priceRate: FileAmount | null; path: string }[] | undefined;
    path: string;
  }[];
  roles: { name: string; rights: (typeof RIGHTS)[number][]; path: string }[];
  users: {
    user: string;
    name: string | undefined;
    roles: { name: string; path: string }[] | undefined;
    delegates: { user: string; path: string }[] | undefined;
    path: string;
  }[];
  periods: (PeriodRange & { path: string })[];
};

export type SetupParse = { ok: true; setup: SetupFile } | { ok: false; errors: string[] };

/** Reads the YAML text; every problem is reported with its place, all at once. */
export function parseSetupFile(source: string): SetupParse {
  const lineCounter = new LineCounter();
  const document = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    return {
      ok: false,
      errors: document.errors.map((error) => {
        const position = error.pos ? lineCounter.linePos(error.pos[0]) : undefined;
        return `${position ? `line ${position.line}, column ${position.col}` : 'file'}: ${error.message.split('\n')[0]}`;
      }),
    };
  }
  if (!isDocument(document)) return { ok: false, errors: ['file: not a YAML document'] };
  const raw: unknown = document.toJS() ?? {};
  const controls = controlCharacters(raw, []);
  if (controls.length > 0) return { ok: false, errors: controls };
  const shape = setupFileSchema.safeParse(raw);
  if (!shape.success) {
    return {
      ok: false,
      errors: shape.error.issues.map((issue) => `${formatPath(issue.path)}: ${describeIssue(issue)}`),
    };
  }
  return convert(shape.data);
}

function convert(raw: RawSetup): SetupParse {
  const errors: string[] = [];
  const amount = (value: string | number, path: string): FileAmount => ({ value, path });
  const minutes = (value: string | number, path: string): number => {
    const parsed = hoursToMinutes(value);
    if (parsed === undefined)
      errors.push(`${path}: "${value}" is not a number of hours; write it like 40, 2.5 or "1h20m"`);
    else if (parsed > MAX_CREDIT_MINUTES)
      errors.push(
        `${path}: ${value} hours is more than the ${MAX_CREDIT_HOURS.toLocaleString('en')} hours one entry can hold`,
      );
    return parsed ?? 0;
  };

  const customers: SetupFile['customers'] = raw.customers.map((c, i) => {
    const path = `customers[${i}]`;
    if (c.prepaid && c.billing !== 'prepaid')
      errors.push(`${path}.prepaid: only a customer with billing: prepaid has prepaid settings`);
    if (c.credits?.length && c.billing !== 'prepaid')
      errors.push(`${path}.credits: only a customer with billing: prepaid buys credits`);
    return {
      code: c.code,
      name: c.name,
      currency: c.currency,
      billingMode: c.billing,
      address: c.address,
      notes: c.notes,
      invoiceRoundingMinutes: c.invoice_rounding,
      paymentTermsDays: c.payment_terms_days,
      taxId: c.tax_id,
      billingEmail: c.billing_email,
      prepaid: c.prepaid && {
        thresholdMinutes:
          c.prepaid.threshold_hours === undefined
            ? null
            : minutes(c.prepaid.threshold_hours, `${path}.prepaid.threshold_hours`),
        autoInvoice: c.prepaid.auto_invoice ?? false,
        topupMinutes:
          c.prepaid.topup_hours === undefined
            ? null
            : positive(
                minutes(c.prepaid.topup_hours, `${path}.prepaid.topup_hours`),
                `${path}.prepaid.topup_hours`,
                errors,
              ),
        topupPrice:
          c.prepaid.topup_price === undefined ? null : amount(c.prepaid.topup_price, `${path}.prepaid.topup_price`),
        creditOnIssue: c.prepaid.credit_on_issue,
        alertChannel: c.prepaid.alert_channel ?? null,
      },
      credits: (c.credits ?? []).map((credit, j) => ({
        minutes: positive(minutes(credit.hours, `${path}.credits[${j}].hours`), `${path}.credits[${j}].hours`, errors),
        note: credit.note,
        on: credit.on,
        price: credit.price === undefined ? null : amount(credit.price, `${path}.credits[${j}].price`),
        path: `${path}.credits[${j}]`,
      })),
      path,
    };
  });

  const employees: SetupFile['employees'] = raw.employees.map((e, i) => ({
    user: e.user,
    name: e.name,
    address: e.address,
    notes: e.notes,
    consultant: e.consultant && {
      costRate: amount(e.consultant.cost_rate, `employees[${i}].consultant.cost_rate`),
      priceRate: amount(e.consultant.price_rate, `employees[${i}].consultant.price_rate`),
    },
    manager: e.manager ?? false,
    path: `employees[${i}]`,
  }));

  const projects: SetupFile['projects'] = raw.projects.map((p, i) => ({
    code: p.code,
    customer: p.customer,
    name: p.name,
    description: p.description,
    active: p.active,
    managers: p.managers?.map((manager, j) => ({ user: manager, path: `projects[${i}].managers[${j}]` })),
    consultants: p.consultants?.map((assignment, j) => ({
      user: assignment.user,
      costRate:
        assignment.cost_rate === undefined
          ? null
          : amount(assignment.cost_rate, `projects[${i}].consultants[${j}].cost_rate`),
      priceRate:
        assignment.price_rate === undefined
          ? null
          : amount(assignment.price_rate, `projects[${i}].consultants[${j}].price_rate`),
      path: `projects[${i}].consultants[${j}]`,
    })),
    path: `projects[${i}]`,
  }));

  const roles = raw.roles.map((r, i) => ({ name: r.name, rights: [...new Set(r.rights)], path: `roles[${i}]` }));
  const users: SetupFile['users'] = raw.users.map((u, i) => ({
    user: u.user,
    name: u.name,
    roles: u.roles?.map((name, j) => ({ name, path: `users[${i}].roles[${j}]` })),
    delegates: u.delegates?.map((delegate, j) => ({ user: delegate, path: `users[${i}].delegates[${j}]` })),
    path: `users[${i}]`,
  }));

  const periods: SetupFile['periods'] = [];
  raw.periods.forEach((p, i) => {
    const path = `periods[${i}]`;
    if ('starts' in p) {
      if (p.starts > p.ends) errors.push(`${path}: starts ${p.starts} after it ends ${p.ends}`);
      else periods.push({ startsOn: p.starts, endsOn: p.ends, path });
      return;
    }
    const generated = generatePeriods(p.generate, p.from, p.to);
    if (!generated.ok) errors.push(`${path}: ${generated.error.message}`);
    else periods.push(...generated.periods.map((range) => ({ ...range, path })));
  });

  duplicates(
    customers,
    (c) => c.code,
    'customer',
    (c) => `${c.path}.code`,
    errors,
  );
  duplicates(
    employees,
    (e) => e.user,
    'employee',
    (e) => `${e.path}.user`,
    errors,
  );
  duplicates(
    projects,
    (p) => p.code,
    'project',
    (p) => `${p.path}.code`,
    errors,
  );
  duplicates(
    roles,
    (r) => r.name.toLowerCase(),
    'role',
    (r) => `${r.path}.name`,
    errors,
  );
  duplicates(
    users,
    (u) => u.user,
    'user',
    (u) => `${u.path}.user`,
    errors,
  );
  for (const p of projects) {
    duplicates(
      p.consultants ?? [],
      (c) => c.user,
      'consultant on this project',
      (c) => `${c.path}.user`,
      errors,
    );
  }
  for (const [i, a] of periods.entries()) {
    const clash = periods
      .slice(0, i)
      .find((b) => periodsOverlap(a, b) && !(a.startsOn === b.startsOn && a.endsOn === b.endsOn));
    if (clash)
      errors.push(
        `${a.path}: ${a.startsOn} – ${a.endsOn} overlaps ${clash.startsOn} – ${clash.endsOn} (${clash.path})`,
      );
  }

  if (errors.length > 0) return { ok: false, errors };
  const settings = Object.fromEntries(
    Object.entries(raw.settings).filter(([, value]) => value !== undefined),
  ) as Partial<Settings>;
  return {
    ok: true,
    setup: { settings, customers, employees, projects, roles, users, periods: dedupePeriods(periods) },
  };
}

/**
 * "40", 40, 2.5, "2,5" or a duration like "1h20m" -> whole minutes; undefined when it is not an
 * exact number of minutes.
 */
export function hoursToMinutes(value: string | number): number | undefined {
  const text = String(value).trim();
  const hundredths = parseDecimal(text.replace(',', '.'), 2);
  if (hundredths !== undefined) {
    const times60 = hundredths * 60;
    return times60 % 100 === 0 ? times60 / 100 : undefined;
  }
  return parseDuration(text);
}

/** Minutes as the file writes hours: a plain number when exact ("40", "1.5"), else "1h20m". */
export function minutesToHours(minutes: number): string {
  if ((minutes * 100) % 60 === 0) {
    const hundredths = (minutes * 100) / 60;
    return formatDecimal(hundredths, 2)
      .replace(/\.00$/, '')
      .replace(/(\.\d)0$/, '$1');
  }
  return `${Math.floor(minutes / 60)}h${minutes % 60}m`;
}

/** The same writer the export uses, so exported files always read back. */
export function writeSetupYaml(document: unknown): string {
  return stringify(document, { lineWidth: 0, defaultStringType: 'PLAIN', defaultKeyType: 'PLAIN' });
}

function positive(value: number, path: string, errors: string[]): number {
  if (value <= 0) errors.push(`${path}: must be more than zero`);
  return value;
}

function duplicates<T>(
  items: T[],
  key: (item: T) => string,
  noun: string,
  where: (item: T) => string,
  errors: string[],
): void {
  const first = new Map<string, T>();
  for (const item of items) {
    const seen = first.get(key(item));
    if (seen) errors.push(`${where(item)}: duplicate ${noun} ${key(item)} (first at ${where(seen)})`);
    else first.set(key(item), item);
  }
}

function dedupePeriods(periods: SetupFile['periods']): SetupFile['periods'] {
  const seen = new Set<string>();
  return periods.filter((p) => {
    const key = `${p.startsOn}/${p.endsOn}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Free-text keys, where a tab or a line break is part of the text; anywhere else they are refused too. */
const MULTI_LINE_KEYS = new Set([
  'notes',
  'address',
  'description',
  ...SETTING_KEYS.filter((key) => SETTING_FIELDS[key].multiline),
]);

/** Every text in the file holding a control character (a YAML "\0" escape, say), named by its place. */
function controlCharacters(value: unknown, path: PropertyKey[]): string[] {
  if (typeof value === 'string') {
    const key = path.at(-1);
    const found = controlCharacterIn(value, MULTI_LINE_KEYS.has(String(key)) ? 'multi-line' : 'single-line');
    return found ? [`${formatPath(path)}: ${controlCharacterMessage('the text', found)}`] : [];
  }
  if (Array.isArray(value)) return value.flatMap((item, index) => controlCharacters(item, [...path, index]));
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([key, item]) => [
      ...controlCharacters(key, [...path, `(key ${JSON.stringify(key.replace(/[^\x20-\x7e]/g, '?'))})`]),
      ...controlCharacters(item, [...path, key]),
    ]);
  return [];
}

function formatPath(path: PropertyKey[]): string {
  if (path.length === 0) return 'file';
  return path.reduce<string>(
    (out, part) => (typeof part === 'number' ? `${out}[${part}]` : out ? `${out}.${String(part)}` : String(part)),
    '',
  );
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys')
    return `unknown ${issue.keys.length === 1 ? 'key' : 'keys'} ${issue.keys.join(', ')}`;
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'is required';
  if (issue.code === 'invalid_union') {
    return issue.path[0] === 'periods'
      ? 'is neither { starts, ends } nor { generate, from, to }'
      : 'must be a number or a decimal like "140.10"';
  }
  return issue.message;
}
