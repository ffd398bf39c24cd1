import type { WebClient } from '@slack/web-api';
import { reportsModal } from '../../blocks/reports-modal.js';
import type { Failure } from '../domain/result.js';
import type { ServiceContext } from '../services/context.js';
import { reportFormChoices } from '../services/reports.js';
import type { Reporting } from './report-delivery.js';

/**
 * Opens the Reports form (pushed over /admin, else opened); answers why not when the user holds
 * neither report right.
 */
export async function openReportsModal(
  client: WebClient,
  ctx: ServiceContext,
  reporting: Reporting,
  where: { triggerId: string; push?: boolean },
): Promise<Failure | undefined> {
  const choices = await reportFormChoices(ctx);
  if (!choices.ok) return choices.error;
  const view = reportsModal(choices.choices, { defaultChannel: reporting.financeChannel });
  if (where.push) await client.views.push({ trigger_id: where.triggerId, view });
  else await client.views.open({ trigger_id: where.triggerId, view });
  return undefined;
}
