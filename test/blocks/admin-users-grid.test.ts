import { describe, expect, it } from 'vitest';
import { type RoleView, type UserGridView, usersModal } from '../../blocks/admin.js';
import { ids } from '../../blocks/ids.js';
import { expectWithinSlackLimits } from '../support/slack-limits.js';

type Element = { action_id?: string; text?: { text: string }; value?: string; options?: { value: string }[]; initial_options?: { value: string }[] };

const grid = (roleCount: number, userCount = 3): UserGridView => {
  const roles = Array.from({ length: roleCount }, (_, i): RoleView => ({ id: i + 1, name: `Role ${i + 1}`, rights: ['entry'], builtin: false, members: 0 }));
  const users = Array.from({ length: userCount }, (_, i) => ({ id: `U${i}`, name: `User ${i}`, roleIds: [1, 12], delegateIds: [] }));
  return { users, roles };
};
const elements = (view: ReturnType<typeof usersModal>) => view.blocks.flatMap((b) => ('elements' in b ? (b.elements as Element[]) : []));
const button = (view: ReturnType<typeof usersModal>, actionId: string) => elements(view).find((e) => e.action_id === actionId);
const text = (view: ReturnType<typeof usersModal>) => JSON.stringify(view.blocks);

describe('usersModal role pages', () => {
  it('shows roles 11–20 of 23 with buttons to both neighbours, keeping the user page, within Slack limits', () => {
    const view = usersModal(grid(23, 100), { page: 1, rolePage: 1 }, 'Saved.');
    expectWithinSlackLimits('modal', view);
    expect(text(view)).toContain('Roles 11–20 of 23');
    expect(button(view, `${ids.admin.usersPage}_roles_back`)).toMatchObject({ text: { text: '← Roles 1–10' }, value: '0' });
    expect(button(view, `${ids.admin.usersPage}_roles_on`)).toMatchObject({ text: { text: 'Roles 21–23 →' }, value: '2' });
    expect(button(view, `${ids.admin.usersPage}_back`)).toMatchObject({ value: '0' });
    expect(button(view, `${ids.admin.usersPage}_on`)).toMatchObject({ value: '2' });
    const checkboxes = elements(view).find((e) => e.action_id === ids.admin.userRoles)!;
    expect(checkboxes.options!.map((o) => o.value)).toEqual(['11', '12', '13', '14', '15', '16', '17', '18', '19', '20']);
    expect(checkboxes.initial_options!.map((o) => o.value)).toEqual(['12']);
    expect(JSON.parse(view.private_metadata!)).toEqual({ page: 1, rolePage: 1, roleIds: [11, 12, 13, 14, 15, 16, 17, 18, 19, 20] });
  });

  it('names a last page of one role, and keeps a role page past the end on the last page', () => {
    const view = usersModal(grid(21), { page: 0, rolePage: 9 });
    expect(text(view)).toContain('Role 21 of 21');
    expect(button(view, `${ids.admin.usersPage}_roles_back`)).toMatchObject({ text: { text: '← Roles 11–20' }, value: '1' });
    expect(button(view, `${ids.admin.usersPage}_roles_on`)).toBeUndefined();
    expect(JSON.parse(view.private_metadata!)).toEqual({ page: 0, rolePage: 2, roleIds: [21] });
  });

  it('shows no role range or role buttons for ten roles or fewer', () => {
    const view = usersModal(grid(10), { page: 0, rolePage: 0 });
    expect(text(view)).not.toContain('Roles 1–10');
    expect(button(view, `${ids.admin.usersPage}_roles_on`)).toBeUndefined();
  });
});
