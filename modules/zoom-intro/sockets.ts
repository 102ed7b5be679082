/** Socket hook: mentors and leads of a cohort join its attendance room to see `zoom-intro:attendance` live. */
import type { Server as IoServer, Socket } from 'socket.io';
import { attendanceRoom } from './commands';

/** Joins the connecting user to the attendance rooms of the cohorts they mentor or lead. */
export function sockets(_io: IoServer, socket: Socket): void {
  const user = (socket.request as { user?: Express.User }).user;
  if (!user) return;
  for (const c of user.cohortRoles) if (c.role === 'mentor' || c.role === 'lead') void socket.join(attendanceRoom(c.cohortId));
}
