/** The notifications page (read/unread, mark read) and its API: list, unread count, mark read. */
import { z } from 'zod';
import type { AppContext } from '../context';
import { NotFoundError } from '../errors';
import type { RouteRegistry } from '../http/router';
import { afterCommit } from '../after-commit';
import { plain, reply, seeOther } from '../http/present';
import { id } from '../http/validate';
import { listNotifications, markRead, presentNotification, unreadCount } from './queries';

const markBody = z.object({ ids: z.array(id).min(1, 'name at least one notification').max(500).optional() }).strict();
const listQuery = z.object({ unread: z.enum(['true', 'false']).optional() });

/** Page routes under /notifications and API routes under /api/v1/notifications. */
export function notificationRoutes(registry: RouteRegistry, ctx: AppContext) {
  const pages = registry.router('/notifications');
  const api = registry.router('/api/v1/notifications');
  // The badge on the person's other tabs updates through the one after-commit path.
  const changed = (userId: string) => afterCommit(ctx, { emits: [{ room: `user:${userId}`, event: 'notification:read', payload: {} }] });
  const pageQuery = z.object({ marked: z.unknown().optional() });

  pages.get('/', { summary: 'Your notifications', query: pageQuery, authorize: 'signed-in' }, async ({ actor, query }, _req, res) => {
    const list = (await listNotifications(ctx.db, actor.id)).map(presentNotification);
    const unread = list.filter((n) => !n.read).length;
    const marked = Array.isArray(query.marked) ? query.marked[0] : query.marked;
    res.render('notifications/index', { title: 'Notifications', notifications: list, unread, marked: marked === '1' });
  });
  // Each person's own notifications: the subject is the actor, so 'signed-in' is the whole rule (others' are not found).
  pages.form('/:notificationId/read', { summary: 'Mark one notification read (form)', authorize: 'signed-in' }, async ({ actor, params }) => {
    const nid = params.notificationId;
    const n = await markRead(ctx.db, actor.id, [nid]);
    if (!n && !(await listNotifications(ctx.db, actor.id, { limit: 500 })).some((x) => x.id === nid)) throw new NotFoundError('That notification');
    await changed(actor.id);
    return seeOther('/notifications?marked=1');
  });
  pages.form('/read-all', { summary: 'Mark every notification read (form)', authorize: 'signed-in' }, async ({ actor }) => {
    await markRead(ctx.db, actor.id);
    await changed(actor.id);
    return seeOther('/notifications?marked=1');
  });

  api.get('/', { summary: 'Your notifications, newest first (`?unread=true` for unread only)', tags: ['Notifications'], query: listQuery, authorize: 'signed-in' }, async ({ query, actor }) => {
    const list = await listNotifications(ctx.db, actor.id, { unreadOnly: query.unread === 'true' });
    return reply(plain({ notifications: list.map(presentNotification), unread: await unreadCount(ctx.db, actor.id) }));
  });
  api.get('/unread-count', { summary: 'How many of your notifications are unread (for the badge)', tags: ['Notifications'], authorize: 'signed-in' }, async ({ actor }) =>
    reply(plain({ unread: await unreadCount(ctx.db, actor.id) })),
  );
  api.post('/read', { summary: 'Marks your notifications read: the ones named in `ids`, or all when `ids` is left out', tags: ['Notifications'], body: markBody, authorize: 'signed-in' }, async ({ body, actor }) => {
    const marked = await markRead(ctx.db, actor.id, body.ids);
    await changed(actor.id);
    return reply(plain({ marked, unread: await unreadCount(ctx.db, actor.id) }));
  });
  return [pages, api];
}
