import type { ModalView } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { ROLE_RIGHTS_PER_PAGE, type RoleView, rolesModal, type UserGridView, usersModal } from '../../blocks/admin.js';
import { ids } from '../../blocks/ids.js';
import { expectWithinSlackLimits } from '../support/slack-limits.js';

type Element = {
  action_id?: string;
  text?: { text: string };
  value?: string;
  options?: { value: string }[];
  initial_options?: { value: string }[];
};

const grid = (roleCount: number, userCount = 3): UserGridView => {
  const roles = Array.from({ length: roleCount }, (_, i): RoleView => ({
    id: i + 1,
    name: `Role ${i + 1}`,
    rights: ['entry'],
    builtin: false,
    members: 0,
  }));
  const users = Array.from({ length: userCount }, (_, i) => ({
    id: `U${i}`,
    name: `User ${i}`,
    roleIds: [1, 12],
    delegateIds: [],
  }));
  return { users, roles };
};
const elements = (view: ModalView) => view.blocks.flatMap((b) => ('elements' in b ? (b.elements as Element[]) : []));
const button = (view: ModalView, actionId: string) => elements(view).find((e) => e.action_id === actionId);
const text = (view: ModalView) => JSON.stringify(view.blocks);

describe('usersModal role pages', () => {
  it('shows roles 11–20 of 23 with buttons to both neighbours, keeping the user page, within Slack limits', () => {
    const view = usersModal(grid(23, 100), { page: 1, rolePage: 1 }, 'Saved.');
    expectWithinSlackLimits('modal', view);
    expect(text(view)).toContain('Roles 11–20 of 23');
    expect(button(view, `${ids.admin.usersPage}_roles_back`)).toMatchObject({
      text: { text: '← Roles 1–10' },
      value: '0',
    });
    expect(button(view, `${ids.admin.usersPage}_roles_on`)).toMatchObject({
      text: { text: 'Roles 21–23 →' },
      value: '2',
    });
    expect(button(view, `${ids.admin.usersPage}_back`)).toMatchObject({ value: '0' });
    expect(button(view, `${ids.admin.usersPage}_on`)).toMatchObject({ value: '2' });
    const checkboxes = elements(view).find((e) => e.action_id === ids.admin.userRoles)!;
    expect(checkboxes.options!.map((o) => o.value)).toEqual([
      '11',
      '12',
      '13',
      '14',
      '15',
      '16',
      '17',
      '18',
      '19',
      '20',
    ]);
    expect(checkboxes.initial_options!.map((o) => o.value)).toEqual(['12']);
    expect(JSON.parse(view.private_metadata!)).toEqual({
      page: 1,
      rolePage: 1,
      roleIds: [11, 12, 13, 14, 15, 16, 17, 18, 19, 20],
    });
  });

  it('names a last page of one role, and keeps a role page past the end on the last page', () => {
    const view = usersModal(grid(21), { page: 0, rolePage: 9 });
    expect(text(view)).toContain('Role 21 of 21');
    expect(button(view, `${ids.admin.usersPage}_roles_back`)).toMatchObject({
      text: { text: '← Roles 11–20' },
      value: '1',
    });
    expect(button(view, `${ids.admin.usersPage}_roles_on`)).toBeUndefined();
    expect(JSON.parse(view.private_metadata!)).toEqual({ page: 0, rolePage: 2, roleIds: [21] });
  });

  it('shows no role range or role buttons for ten roles or fewer', () => {
    const view = usersModal(grid(10), { page: 0, rolePage: 0 });
    expect(text(view)).not.toContain('Roles 1–10');
    expect(button(view, `${ids.admin.usersPage}_roles_on`)).toBeUndefined();
  });
});

describe('rolesModal pages', () => {
  const roles = (count: number) => grid(count).roles;

  it('shows 40 roles a page with the range and buttons to both neighbours, within Slack limits', () => {
    const view = rolesModal(roles(95), 1, 'Saved Role 50.');
    expectWithinSlackLimits('modal', view);
    expect(ROLE_RIGHTS_PER_PAGE).toBe(40);
    expect(text(view)).toContain('Roles 41–80 of 95.');
    expect(elements(view).filter((e) => e.action_id === ids.admin.roleRights)).toHaveLength(40);
    expect(button(view, `${ids.admin.rolesPage}_back`)).toMatchObject({ value: '0' });
    expect(button(view, `${ids.admin.rolesPage}_on`)).toMatchObject({ value: '2' });
    expect(JSON.parse(view.private_metadata!)).toEqual({ page: 1 });
  });

  it('puts a page past the end on the last page, and shows no pages for 40 roles or fewer', () => {
    const last = rolesModal(roles(95), 7);
    expect(text(last)).toContain('Roles 81–95 of 95.');
    expect(button(last, `${ids.admin.rolesPage}_on`)).toBeUndefined();
    const one = rolesModal(roles(40));
    expect(text(one)).not.toContain('Roles 1–40');
    expect(button(one, `${ids.admin.rolesPage}_on`)).toBeUndefined();
  });
});
