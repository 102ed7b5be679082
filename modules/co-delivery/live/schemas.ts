/** The shapes the live feedback hub accepts, validated at the edge (sockets, forms and the JSON API). */
import { z } from 'zod';
import { id, text } from '../../../server/modules/kit';

/** The quick tags a mentor can toggle on a note. */
export const LIVE_TAGS = ['tone', 'distance', 'pace', 'safety', 'teamwork'] as const;

/** The longest note body accepted. */
export const NOTE_MAX_CHARS = 1000;

/** The latest time code accepted (12 hours into a session). */
const MAX_OFFSET_MS = 12 * 3600_000;

/** A note posted by a mentor (socket `live:note`, or the form). */
export const postNoteSchema = z
  .object({
    roomId: id,
    clientId: z.uuid({ message: 'must be a client id from crypto.randomUUID()' }),
    body: text(NOTE_MAX_CHARS),
    kind: z.enum(['strength', 'to_work_on'], { message: 'must be strength or to_work_on' }),
    criterionId: id.nullish(),
    tags: z.array(z.enum(LIVE_TAGS, { message: `must be one of ${LIVE_TAGS.join(', ')}` })).max(LIVE_TAGS.length).default([]),
    atOffsetMs: z.number().int().min(0).max(MAX_OFFSET_MS).optional(),
  })
  .strict();

/** A validated note. */
export type PostNoteInput = z.output<typeof postNoteSchema>;

/** Join or rejoin a room, replaying everything after `afterSeq` (the candidate's cursor is the release seq). */
export const joinSchema = z.object({ roomId: id, afterSeq: z.number().int().min(0).max(2_000_000_000).default(0) }).strict();

/** Release held notes (mentor: end segment; candidate: I'm done). */
export const releaseSchema = z.object({ roomId: id }).strict();

/** Switch quiet mode on or off. */
export const quietSchema = z.object({ roomId: id, quietMode: z.boolean() }).strict();

/** The candidate's receipt: every note up to `upToReleaseSeq` arrived (and, with `seen`, was shown). */
export const receiptSchema = z.object({ roomId: id, upToReleaseSeq: z.number().int().min(1).max(2_000_000_000), seen: z.boolean().default(false) }).strict();

/** Create a room for a candidate (JSON API and form). */
export const createRoomSchema = z
  .object({
    candidateId: id,
    title: text(200),
    coDeliverySessionId: id.nullish(),
    quietMode: z.boolean().default(true),
    leadMayObserve: z.boolean().default(true),
  })
  .strict();

/** A validated room creation. */
export type CreateRoomInput = z.output<typeof createRoomSchema>;
