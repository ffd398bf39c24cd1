import type { BlockAction, ButtonAction, ViewOutput } from '@slack/bolt';
import type { ListenerRoutes } from '../../listener-routes.js';
import type { ModalView } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import {
  addCreditsModal,
  adjustCreditsModal,
  creditDoneModal,
  creditSettingsModal,
  creditsMessage,
  prepaidLogModal,
} from '../../../../blocks/credit-messages.js';
import { ids } from '../../../../blocks/ids.js';
import { prepaidLine, problemMessage } from '../../../../blocks/log-confirmation.js';
import { escapeMrkdwn } from '../../../../blocks/mrkdwn.js';
import { dateInZone } from '../../../domain/dates.js';
import type { Failure } from '../../../domain/result.js';
import { buildPrepaidLogFiles } from '../../../reports/prepaid-log-files.js';
import type { ServiceContext } from '../../../services/context.js';
import {
  addCredits,
  adjustCredits,
  creditSettings,
  creditsOverview,
  prepaidLog,
  saveCreditSettings,
} from '../../../services/credits.js';
import { contextForSlackUser, type ServiceDeps } from '../../actor.js';
import { sendConfirmation } from '../../confirmations.js';
import { deliverFiles } from '../../report-delivery.js';
import type { ActionArgs } from '../../view-state.js';
import { jsonText } from '../../edge/payload-values.js';
import { ackingFirst, tellUser } from '../safe.js';

const f = ids.credits.field;
const customerCode = z.string().regex(/^[A-Z0-9-]{2,20}$/);
const modalMeta = z.object({ code: customerCode });

/** What the modals send back: every field optional, so a stale or odd payload is a clear error, not a crash. */
const fieldState = z
  .object({
    value: z.string().nullish(),
    selected_date: z.string().nullish(),
    selected_conversation: z.string().nullish(),
    selected_options: z.array(z.object({ value: z.string() })).nullish(),
  })
  .partial();
const viewValues = z.record(z.string(), z.record(z.string(), fieldState));

function reader(view: ViewOutput) {
  const values = viewValues.parse(view.state.values);
  const field = (id: { block: string; action: string }) => values[id.block]?.[id.action] ?? {};
  return {
    text: (id: { block: string; action: string }) => field(id).value ?? '',
    date: (id: { block: string; action: string }) => field(id).selected_date ?? '',
    conversation: (id: { block: string; action: string }) => field(id).selected_conversation ?? null,
    checked: (id: { block: string; action: string }) => (field(id).selected_options ?? []).length > 0,
  };
}

/** A refusal lands on the field it is about, else on the form's first input. */
function fieldErrors(
  error: Failure,
  fallback: { block: string },
): { response_action: 'errors'; errors: Record<string, string> } {
  const known = (f as Record<string, { block: string }>)[error.field ?? ''];
  return { response_action: 'errors', errors: { [(known ?? fallback).block]: error.message } };
}

/** Add credits, Adjust, Settings, Export prepaid log (from /credits or a customer's page in /admin), and Details. */
export function registerCreditActions(routes: ListenerRoutes, deps: ServiceDeps): void {
  routes.action<BlockAction<ButtonAction>>(
    ids.credits.open,
    ackingFirst(deps.log, async ({ body, action, client }) => {
      const ctx = await contextForSlackUser(deps, client, body.user.id);
      const overview = await creditsOverview(ctx, customerCode.parse(action.value));
      const via = body.response_url ? { responseUrl: body.response_url, replace: true } : undefined;
      await sendConfirmation(
        client,
        { userId: body.user.id, via },
        overview.ok ? creditsMessage(overview) : problemMessage(overview.error.message),
        deps.log,
      );
    }),
  );

  const opening = (build: (customer: Customer, today: string) => ModalView) =>
    ackingFirst<ActionArgs<ButtonAction>>(deps.log, async ({ body, action, client }) => {
      const ctx = await contextForSlackUser(deps, client, body.user.id);
      const current = await creditSettings(ctx, customerCode.parse(action.value));
      if (!current.ok) return tellUser(client, { userId: body.user.id }, current.error.message, deps.log);
      const view = build(
        { ...current.customer, settings: current.settings },
        dateInZone(ctx.clock.now(), ctx.org.timeZone),
      );
      // Over a modal (a customer's page in /admin) the form stacks on it; from a message it opens.
      if (body.view) await client.views.push({ trigger_id: body.trigger_id, view });
      else await client.views.open({ trigger_id: body.trigger_id, view });
    });
  routes.action<BlockAction<ButtonAction>>(
    ids.credits.add,
    opening((c, today) => addCreditsModal(c, today)),
  );
  routes.action<BlockAction<ButtonAction>>(
    ids.credits.adjust,
    opening((c) => adjustCreditsModal(c)),
  );
  routes.action<BlockAction<ButtonAction>>(
    ids.credits.settings,
    opening((c) => creditSettingsModal(c, c.settings)),
  );
  routes.action<BlockAction<ButtonAction>>(
    ids.credits.export,
    opening((c, today) => prepaidLogModal(c, { from: `${today.slice(0, 8)}01`, to: today })),
  );
  // Picking a channel or ticking a box needs no answer; the form is read on submit.
  routes.action(f.alertChannel.action, async ({ ack }) => ack());
  routes.action(f.channel.action, async ({ ack }) => ack());
  routes.action(f.autoTopup.action, async ({ ack }) => ack());
  routes.action(f.creditOnIssue.action, async ({ ack }) => ack());

  routes.view(ids.credits.addModal, async ({ body, ack, client }) => {
    const { code } = jsonText(modalMeta).parse(body.view.private_metadata ?? '');
    const form = reader(body.view);
    const ctx = await contextForSlackUser(deps, client, body.user.id);
    const added = await addCredits(ctx, {
      customerCode: code,
      hours: form.text(f.hours),
      price: form.text(f.price),
      date: form.date(f.date),
      note: form.text(f.note),
    });
    if (!added.ok) return void (await ack(fieldErrors(added.error, f.hours)));
    await ack({ response_action: 'update', view: await doneView(ctx, code, 'Credits added') });
  });

  routes.view(ids.credits.adjustModal, async ({ body, ack, client }) => {
    const { code } = jsonText(modalMeta).parse(body.view.private_metadata ?? '');
    const form = reader(body.view);
    const ctx = await contextForSlackUser(deps, client, body.user.id);
    const adjusted = await adjustCredits(ctx, {
      customerCode: code,
      hours: form.text(f.hours),
      reason: form.text(f.reason),
    });
    if (!adjusted.ok) return void (await ack(fieldErrors(adjusted.error, f.hours)));
    await ack({ response_action: 'update', view: await doneView(ctx, code, 'Credits adjusted') });
  });

  routes.view(ids.credits.settingsModal, async ({ body, ack, client }) => {
    const { code } = jsonText(modalMeta).parse(body.view.private_metadata ?? '');
    const form = reader(body.view);
    const ctx = await contextForSlackUser(deps, client, body.user.id);
    const saved = await saveCreditSettings(ctx, {
      customerCode: code,
      threshold: form.text(f.threshold),
      alertChannel: form.conversation(f.alertChannel),
      autoTopup: form.checked(f.autoTopup),
      topupHours: form.text(f.topupHours),
      topupPrice: form.text(f.topupPrice),
      creditOnIssue: form.checked(f.creditOnIssue),
    });
    if (!saved.ok) return void (await ack(fieldErrors(saved.error, f.threshold)));
    await ack({ response_action: 'update', view: await doneView(ctx, code, 'Settings saved') });
  });

  routes.view(ids.credits.exportModal, async ({ body, ack, client }) => {
    const { code } = jsonText(modalMeta).parse(body.view.private_metadata ?? '');
    const form = reader(body.view);
    const ctx = await contextForSlackUser(deps, client, body.user.id);
    const answer = await prepaidLog(ctx, { customerCode: code, from: form.date(f.from), to: form.date(f.to) });
    if (!answer.ok) return void (await ack(fieldErrors(answer.error, f.from)));
    const channelId = form.conversation(f.channel) ?? undefined;
    await ack({
      response_action: 'update',
      view: creditDoneModal(
        'Export prepaid log',
        `Building the prepaid log of *${escapeMrkdwn(code)}*; the PDF and CSV come ${channelId ? `in <#${channelId}>` : 'to you in a direct message'}.`,
      ),
    });
    await exportLog(ctx, client, answer.log, channelId, body.user.id);
  });
}

type Customer = { code: string; name: string; currency: string; settings: Parameters<typeof creditSettingsModal>[1] };

/** The form's place after a change: the customer's balance as it now stands. */
async function doneView(ctx: ServiceContext, code: string, title: string): Promise<ModalView> {
  const overview = await creditsOverview(ctx, code);
  const c = overview.ok ? overview.customers[0] : undefined;
  return creditDoneModal(title, c ? `${title}. ${prepaidLine(c.name, c)}` : `${title}.`);
}

/** Builds the prepaid log's PDF and CSV after the form closed, and posts them in one message. */
async function exportLog(
  ctx: ServiceContext,
  client: WebClient,
  log: Parameters<typeof buildPrepaidLogFiles>[0],
  channelId: string | undefined,
  userId: string,
): Promise<void> {
  const tell = async (text: string) => void (await client.chat.postMessage({ channel: userId, text }));
  await deliverFiles(
    ctx,
    client,
    { what: `the prepaid log of ${log.customer.code}`, askerId: userId },
    { channelId, tell },
    async () => ({
      ok: true as const,
      files: await buildPrepaidLogFiles(log, ctx.org.timeZone),
      comment: `*Prepaid log* of ${escapeMrkdwn(log.customer.name)} (${escapeMrkdwn(log.customer.code)}), ${log.from} to ${log.to}, asked for by <@${userId}>`,
    }),
  );
}
