import type { WebClient } from '@slack/web-api';
import type { ModalView } from '@slack/types';
import { z } from 'zod';
import type { AdminPage } from '../../blocks/admin.js';
import { customerModal, customersModal } from '../../blocks/admin-customers.js';
import { employeeModal, employeesModal } from '../../blocks/admin-employees.js';
import { projectModal, projectsModal } from '../../blocks/admin-projects.js';
import type { ServiceContext } from '../services/context.js';
import { customerDetail, listCustomers } from '../services/customers.js';
import { employeeDetail } from '../services/employee-assignments.js';
import { listEmployees } from '../services/employees.js';
import { listProjects, projectDetail } from '../services/projects.js';
import type { ServiceDeps } from './actor.js';
import { tellRefused } from './listeners/safe.js';
import { rowId } from './edge/payload-values.js';
import { redrawView, userOf } from './view-redraw.js';

/** The page a form came from, as its private_metadata carries it (`back`). */
export const adminPage: z.ZodType<AdminPage> = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('customers') }),
  z.object({ kind: z.literal('customer'), customerId: rowId }),
  z.object({ kind: z.literal('projects') }),
  z.object({ kind: z.literal('project'), projectId: rowId }),
  z.object({ kind: z.literal('employees') }),
  z.object({ kind: z.literal('employee'), employeeId: rowId }),
]);

type Drawn = { view: ModalView } | { problem: string };

/** Draws an /admin page from fresh data; a record that is gone shows its list, saying so. */
async function render(ctx: ServiceContext, page: AdminPage, notice: string | undefined): Promise<Drawn> {
  switch (page.kind) {
    case 'customer': {
      const detail = await customerDetail(ctx, page.customerId);
      return detail.ok
        ? { view: customerModal(detail, notice) }
        : render(ctx, { kind: 'customers' }, notice ?? detail.error.message);
    }
    case 'employee': {
      const detail = await employeeDetail(ctx, page.employeeId);
      return detail.ok
        ? { view: employeeModal(detail, notice) }
        : render(ctx, { kind: 'employees' }, notice ?? detail.error.message);
    }
    case 'project': {
      const detail = await projectDetail(ctx, page.projectId);
      return detail.ok
        ? { view: projectModal(detail, notice) }
        : render(ctx, { kind: 'projects' }, notice ?? detail.error.message);
    }
    case 'customers': {
      const listed = await listCustomers(ctx);
      return listed.ok ? { view: customersModal(listed.customers, notice) } : { problem: listed.error.message };
    }
    case 'employees': {
      const listed = await listEmployees(ctx);
      return listed.ok ? { view: employeesModal(listed.employees, notice) } : { problem: listed.error.message };
    }
    case 'projects': {
      const listed = await listProjects(ctx);
      return listed.ok ? { view: projectsModal(listed.projects, notice) } : { problem: listed.error.message };
    }
  }
}

/** Redraws the view in place as the given page, with a notice on top; someone refused is told why. */
export async function showAdminPage(
  deps: ServiceDeps,
  client: WebClient,
  ctx: ServiceContext,
  viewId: string,
  page: AdminPage,
  notice?: string,
): Promise<void> {
  const drawn = await render(ctx, page, notice);
  if ('problem' in drawn) return tellRefused(client, ctx, drawn.problem, deps.log);
  await redrawView(
    client,
    deps.log,
    { viewId, view: drawn.view, what: `administration view (${page.kind})` },
    { userId: userOf(ctx), notice },
  );
}
