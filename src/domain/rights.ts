/**
 * The fixed set of rights. Roles bundle them; users get them through roles.
 * - admin: administration and setup
 * - entry: consultant functions (log time, submit timesheets)
 * - approval: manager functions (approve or reject timesheets)
 * - payable: Accounts Payable reports
 * - receivable: Accounts Receivable reports and invoices
 * - security: users, roles, rights and delegates
 */
export const RIGHTS = ['admin', 'entry', 'approval', 'payable', 'receivable', 'security'] as const;

export type Right = (typeof RIGHTS)[number];

export function isRight(value: string): value is Right {
  return (RIGHTS as readonly string[]).includes(value);
}

export const ADMINISTRATORS_ROLE = 'Administrators';
