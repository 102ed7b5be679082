/** The notifications page (read/unread, mark read) and its API: list, unread count, mark read. */
import { z } from 'zod';
import type { AppContext } from '../context';
import { NotFoundError } from '../errors';
import type { RouteRegistry } from '../http/router';
import { actorOf } from '../http/request-context';
import { id, parse } from '../http/validate';
import { listNotifications, markRead, presentNotification, unreadCount } from './queries';

const markBody = z.object({ ids: z.array(id).min(1, 'name at least one notification').max(500).optional() }).strict();
const listQuery = z.object({ unread: z.enum(['true', 'false']).optional() });

/** Page routes under /notifications and API routes under /api/v1/notifications. */
export function notificationRoutes(registry: RouteRegistry, ctx: AppContext) {
  const pages = registry.router('/notifications');
  const api = registry.router('/api/v1/notifications');
  const changed = (userId: string) => ctx.io.to(`user:${userId}`).emit('notification:read', {});

  pages.get('/', async (req, res) => {
    const actor = actorOf(req);
    const list = (await listNotifications(ctx.db, actor.id)).map(presentNotification);
    const unread = list.filter((n) => !n.read).length;
    res.render('notifications/index', { title: 'Notifications', notifications: list, unread, marked: req.query.marked === '1' });
  });
  pages.post('/:notificationId/read', async (req, res) => {
    const actor = actorOf(req);
    const nid = parse(z.object({ notificationId: id }), req.params, 'address').notificationId;
    const n = await markRead(ctx.db, actor.id, [nid]);
    if (!n && !(await listNotifications(ctx.db, actor.id, { limit: 500 })).some((x) => x.id === nid)) throw new NotFoundError('That notification');
    changed(actor.id);
    res.redirect(303, '/notifications?marked=1');
  });
  pages.post('/read-all', async (req, res) => {
    const actor = actorOf(req);
    await markRead(ctx.db, actor.id);
    changed(actor.id);
    res.redirect(303, '/notifications?marked=1');
  });

  api.get('/', { summary: 'Your notifications, newest first (`?unread=true` for unread only)', tags: ['Notifications'], query: listQuery }, async (req, res) => {
    const q = parse(listQuery, req.query, 'query');
    const actor = actorOf(req);
    const list = await listNotifications(ctx.db, actor.id, { unreadOnly: q.unread === 'true' });
    res.json({ notifications: list.map(presentNotification), unread: await unreadCount(ctx.db, actor.id) });
  });
  api.get('/unread-count', { summary: 'How many of your notifications are unread (for the badge)', tags: ['Notifications'] }, async (req, res) => {
    res.json({ unread: await unreadCount(ctx.db, actorOf(req).id) });
  });
  api.post('/read', { summary: 'Marks your notifications read: the ones named in `ids`, or all when `ids` is left out', tags: ['Notifications'], body: markBody }, async (req, res) => {
    const body = parse(markBody, req.body);
    const actor = actorOf(req);
    const marked = await markRead(ctx.db, actor.id, body.ids);
    changed(actor.id);
    res.json({ marked, unread: await unreadCount(ctx.db, actor.id) });
  });
  return [pages, api];
}
