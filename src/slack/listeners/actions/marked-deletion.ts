import type {
  AllMiddlewareArgs,
  BlockAction,
  ButtonAction,
  SlackViewMiddlewareArgs,
  ViewSubmitAction,
} from '@slack/bolt';
import type { ListenerRoutes } from '../../listener-routes.js';
import type { ModalView } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { z } from 'zod';
import type { Result } from '../../../domain/result.js';
import type { ServiceContext } from '../../../services/context.js';
import { contextForSlackUser, type ServiceDeps } from '../../actor.js';
import { jsonText } from '../../edge/payload-values.js';
import { type ActionArgs, checkedIds, tooManyMarked } from '../../view-state.js';
import { ackingFirst } from '../safe.js';

/** What the confirm dialog carries in its private_metadata, read back when the admin confirms. */
export type ConfirmedMarks<Page> = { ids: number[]; parentViewId: string; page: Page };

/**
 * How one kind of /admin record is deleted: every list deletes by the same flow (mark rows, count
 * what goes and what is archived instead, confirm, delete, redraw the page with a notice), and each
 * record type says only what differs.
 */
export type MarkedDeletion<Impact, Page> = {
  /** The list's button that starts the flow, and the confirm dialog's callback id. */
  button: string;
  confirm: string;
  /** Plural noun and verb for the hints: "Mark the customers to delete first." */
  what: string;
  verb: 'delete' | 'remove';
  /** The page the marks are on, from the clicked button (a customer's page carries its id). */
  pageOf: (action: ButtonAction) => Page;
  /** Counts what deleting the marked rows would take, or says why it cannot. */
  impact: (ctx: ServiceContext, ids: number[]) => Promise<Result<{ impact: Impact }>>;
  confirmModal: (impact: Impact, ids: number[], parentViewId: string, page: Page) => ModalView;
  /** Reads the confirm dialog's private_metadata (written by `confirmModal`). */
  confirmed: z.ZodType<ConfirmedMarks<Page>>;
  /** Deletes the rows and says what happened, or why nothing did. */
  remove: (ctx: ServiceContext, ids: number[]) => Promise<string>;
  /** Draws the page again, with a notice. */
  show: (
    deps: ServiceDeps,
    client: WebClient,
    ctx: ServiceContext,
    viewId: string,
    page: Page,
    notice: string,
  ) => Promise<void>;
};

type ViewArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

/** Registers the button and the confirm dialog of one record type's deletion. */
export function registerMarkedDeletion<Impact, Page>(
  routes: ListenerRoutes,
  deps: ServiceDeps,
  flow: MarkedDeletion<Impact, Page>,
): void {
  /** Marked rows -> their count in a confirm dialog; no marks, too many or a refusal redraw the page saying so. */
  async function confirmMarked({ body, action, client }: ActionArgs<ButtonAction>): Promise<void> {
    if (!body.view) return;
    const ctx = await contextForSlackUser(deps, client, body.user.id);
    const page = flow.pageOf(action);
    const marked = checkedIds(body.view.state?.values);
    const problem =
      marked.length === 0 ? `Mark the ${flow.what} to ${flow.verb} first.` : tooManyMarked(marked.length, flow.what);
    if (problem) return flow.show(deps, client, ctx, body.view.id, page, problem);
    const impact = await flow.impact(ctx, marked);
    if (!impact.ok) return flow.show(deps, client, ctx, body.view.id, page, impact.error.message);
    await client.views.push({
      trigger_id: body.trigger_id,
      view: flow.confirmModal(impact.impact, marked, body.view.id, page),
    });
  }

  /** Confirmed: delete, then show the page the marks were on with what happened. */
  async function deleteConfirmed({ body, ack, client }: ViewArgs): Promise<void> {
    await ack();
    const marks = jsonText(flow.confirmed).parse(body.view.private_metadata);
    const ctx = await contextForSlackUser(deps, client, body.user.id);
    const notice = await flow.remove(ctx, marks.ids);
    await flow.show(deps, client, ctx, marks.parentViewId, marks.page, notice);
  }

  routes.action<BlockAction<ButtonAction>>(flow.button, ackingFirst(deps.log, confirmMarked));
  routes.view(flow.confirm, deleteConfirmed);
}
