/** The knowledge check's editor (admins), one programme's at a time: add, edit, reorder and delete questions; the right
 * answer is chosen by selecting it, and each question carries the explanation a candidate reads beside a wrong answer.
 * A programme's first question turns its knowledge check on, so the admin is asked first whom it applies to. */
import { and, asc, eq, gt, lt, desc, sql } from 'drizzle-orm';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { afterCommit, audit, id, NotFoundError, onProvider, seeOther, ValidationError, type CadreRouter, type Db, type StageRuntime } from '../../server/modules/kit';
import { applyChoice, applyChoiceTo, type AffectedGroup } from './content-change';
import { preloadVideoQuestions } from './schema';

/** How many answer rows the form offers (blank rows are left out). */
export const ANSWER_ROWS = 6;

/** A question as the form sends it, read into its stored shape: the answers typed, in order, and the right one. */
export const questionForm = z.preprocess(
  (raw) => {
    const body = (raw ?? {}) as Record<string, unknown>;
    const typed = Array.from({ length: ANSWER_ROWS }, (_, i) => ({ i, text: typeof body[`answer${i}`] === 'string' ? String(body[`answer${i}`]).trim() : '' }));
    const kept = typed.filter((a) => a.text);
    const chosen = typeof body.correct === 'string' && /^\d+$/.test(body.correct) ? Number(body.correct) : undefined;
    return {
      prompt: body.prompt,
      options: kept.map((a) => a.text),
      correctIndex: chosen === undefined ? undefined : kept.findIndex((a) => a.i === chosen),
      explanation: typeof body.explanation === 'string' ? body.explanation : undefined,
      programmeId: typeof body.programmeId === 'string' && body.programmeId ? body.programmeId : undefined,
      apply: typeof body.apply === 'string' && body.apply ? body.apply : undefined,
    };
  },
  z.object({
    prompt: z.string({ message: 'Write the question.' }).trim().min(1, 'Write the question.').max(1000, 'Keep the question under 1,000 characters.'),
    options: z.array(z.string().max(500, 'Keep each answer under 500 characters.')).min(2, 'Give at least two answers.'),
    correctIndex: z.number({ message: 'Choose the right answer by selecting it.' }).int().min(0, 'The answer chosen as right is empty: choose one of the answers you wrote.'),
    explanation: z.string().trim().max(2000, 'Keep the explanation under 2,000 characters.').optional(),
    programmeId: id.optional(),
    apply: applyChoice.optional(),
  }),
);

/** A question as accepted. */
export type QuestionInput = z.output<typeof questionForm>;

const moveForm = z.object({ direction: z.enum(['up', 'down'], { message: 'Choose whether to move the question up or down.' }) });

/** One programme's questions in the order candidates see them. */
export async function listQuestions(db: Db, programmeId: string) {
  return db
    .select()
    .from(preloadVideoQuestions)
    .where(eq(preloadVideoQuestions.programmeTemplateId, programmeId))
    .orderBy(asc(preloadVideoQuestions.position), asc(preloadVideoQuestions.createdAt));
}

/** What the editor borrows from the programme content pages. */
export type QuestionHelpers = {
  programmes: () => Promise<{ id: string; name: string }[]>;
  affectedBy: (programmeId: string) => Promise<AffectedGroup[]>;
  renderReview: (res: Response, o: { programmeId: string; heading: string; action: string; groups: AffectedGroup[]; fields: Record<string, unknown> }) => void;
  adminUrl: (programmeId: string, saved?: string) => string;
};

const listUrl = (programmeId: string, flag?: string) => `/stages/preload-video/questions?programme=${programmeId}${flag ? `&${flag}=1` : ''}`;

async function loadQuestion(db: Db, id: string) {
  const [q] = await db.select().from(preloadVideoQuestions).where(eq(preloadVideoQuestions.id, id));
  if (!q) throw new NotFoundError('That question');
  return q;
}

/** The form's rows: what was typed (after a refused save), else the stored question, else blanks. */
function formRows(values: Record<string, unknown> | undefined, q: { options: string[]; correctIndex: number } | undefined) {
  return Array.from({ length: ANSWER_ROWS }, (_, i) => {
    const text = values ? String(values[`answer${i}`] ?? '') : (q?.options[i] ?? '');
    const checked = values ? String(values.correct ?? '') === String(i) : q?.correctIndex === i;
    return { i, number: i + 1, text, checked };
  });
}

/** Mounts the editor under /stages/preload-video/questions. */
export function questionRoutes(r: CadreRouter, ctx: StageRuntime, h: QuestionHelpers): void {
  const admin = onProvider('provider:manage');
  /** The programme asked for (or the first), 400 naming `programmeId` when there is none. */
  const programmeOf = async (asked: unknown) => {
    const all = await h.programmes();
    const programme = all.find((p) => p.id === asked) ?? (asked === undefined ? all[0] : undefined);
    if (!programme) throw new ValidationError('Choose one of the programmes.', [{ field: 'programmeId', message: 'Choose one of the programmes.' }]);
    return programme;
  };

  const renderList = async (req: Request, res: Response) => {
    const programme = await programmeOf(typeof req.query.programme === 'string' ? req.query.programme : undefined);
    const questions = await listQuestions(ctx.db, programme.id);
    res.render(ctx.view('questions'), {
      title: `Knowledge check questions — ${programme.name}`,
      programme,
      backUrl: h.adminUrl(programme.id),
      questions: questions.map((q, i) => ({ ...q, number: i + 1, correct: q.options[q.correctIndex], first: i === 0, last: i === questions.length - 1 })),
      saved: req.query.saved === '1',
      deleted: req.query.deleted === '1',
    });
  };

  const renderForm = async (res: Response, questionId: string | undefined, extra: { error?: unknown; values?: Record<string, unknown>; programmeId?: unknown } = {}) => {
    const q = questionId ? await loadQuestion(ctx.db, questionId) : undefined;
    const values = extra.values;
    const programme = await programmeOf(q?.programmeTemplateId ?? extra.programmeId ?? values?.programmeId);
    res.render(ctx.view('question-form'), {
      title: q ? 'Edit a question' : 'Add a question',
      question: q ?? null,
      programme,
      listUrl: listUrl(programme.id),
      action: q ? `/stages/preload-video/questions/${q.id}` : '/stages/preload-video/questions',
      prompt: values ? String(values.prompt ?? '') : (q?.prompt ?? ''),
      explanation: values ? String(values.explanation ?? '') : (q?.explanation ?? ''),
      answers: formRows(values, q),
      error: extra.error,
    });
  };

  r.get('/questions', { summary: 'The knowledge check questions (admin)', authorize: admin }, (_input, req, res) => renderList(req, res));
  r.get('/questions/new', { summary: 'The form to add a question (admin)', authorize: admin }, (_input, req, res) => renderForm(res, undefined, { programmeId: typeof req.query.programme === 'string' ? req.query.programme : undefined }));
  r.get('/questions/:questionId', { summary: 'The form to edit a question (admin)', authorize: admin }, ({ params }, _req, res) => renderForm(res, params.questionId));

  r.form(
    '/questions',
    { summary: 'Add a knowledge check question (form)', body: questionForm, authorize: admin, rerender: (_req, res, { error, values }) => renderForm(res, undefined, { error, values }) },
    async ({ body, actor }, req, res) => {
      const programme = await programmeOf(body.programmeId ?? null);
      const existing = await listQuestions(ctx.db, programme.id);
      // A first question turns the knowledge check on: those who finished without one are asked about, like a new video.
      const groups = existing.length ? [] : await h.affectedBy(programme.id);
      if (groups.length && !body.apply) {
        return void h.renderReview(res, { programmeId: programme.id, heading: `Add a knowledge check to ${programme.name}`, action: '/stages/preload-video/questions', groups, fields: { ...(req.body as Record<string, unknown>) } });
      }
      const choice = body.apply ?? 'new-completions';
      const notes = await ctx.db.transaction(async (tx) => {
        const [row] = await tx
          .insert(preloadVideoQuestions)
          .values({ programmeTemplateId: programme.id, position: existing.length + 1, prompt: body.prompt, options: body.options, correctIndex: body.correctIndex, explanation: body.explanation || null })
          .returning();
        const rows = await applyChoiceTo(tx, actor.id, groups, { kind: 'quiz' }, choice);
        await audit(tx, { actorId: actor.id, action: 'preload-video.question_added', subjectType: 'preload_video_question', subjectId: row.id, after: { ...body, choice: groups.length ? choice : undefined } });
        return rows;
      });
      await afterCommit(ctx, { notifications: notes });
      return seeOther(groups.length ? h.adminUrl(programme.id, choice === 'everyone' ? 'told' : 'kept') : listUrl(programme.id, 'saved'));
    },
  );

  r.form(
    '/questions/:questionId',
    { summary: 'Edit a knowledge check question (form)', body: questionForm, authorize: admin, rerender: (_req, res, { error, values, params }) => renderForm(res, params.questionId, { error, values }) },
    async ({ body, actor, params }) => {
      const programmeId = await ctx.db.transaction(async (tx) => {
        const [before] = await tx.select().from(preloadVideoQuestions).where(eq(preloadVideoQuestions.id, params.questionId)).for('update');
        if (!before) throw new NotFoundError('That question');
        const after = { prompt: body.prompt, options: body.options, correctIndex: body.correctIndex, explanation: body.explanation || null };
        await tx.update(preloadVideoQuestions).set(after).where(eq(preloadVideoQuestions.id, before.id));
        await audit(tx, { actorId: actor.id, action: 'preload-video.question_edited', subjectType: 'preload_video_question', subjectId: before.id, before: { prompt: before.prompt, options: before.options, correctIndex: before.correctIndex, explanation: before.explanation }, after });
        return before.programmeTemplateId;
      });
      return seeOther(listUrl(programmeId, 'saved'));
    },
  );

  r.form('/questions/:questionId/move', { summary: 'Move a knowledge check question up or down (form)', body: moveForm, authorize: admin }, async ({ body, actor, params }) => {
    const programmeId = await ctx.db.transaction(async (tx) => {
      const [q] = await tx.select().from(preloadVideoQuestions).where(eq(preloadVideoQuestions.id, params.questionId)).for('update');
      if (!q) throw new NotFoundError('That question');
      const up = body.direction === 'up';
      const [other] = await tx
        .select()
        .from(preloadVideoQuestions)
        .where(and(eq(preloadVideoQuestions.programmeTemplateId, q.programmeTemplateId), up ? lt(preloadVideoQuestions.position, q.position) : gt(preloadVideoQuestions.position, q.position)))
        .orderBy(up ? desc(preloadVideoQuestions.position) : asc(preloadVideoQuestions.position))
        .limit(1);
      if (!other) return q.programmeTemplateId; // already first (or last): nothing to move
      await tx.update(preloadVideoQuestions).set({ position: other.position }).where(eq(preloadVideoQuestions.id, q.id));
      await tx.update(preloadVideoQuestions).set({ position: q.position }).where(eq(preloadVideoQuestions.id, other.id));
      await audit(tx, { actorId: actor.id, action: 'preload-video.question_moved', subjectType: 'preload_video_question', subjectId: q.id, before: { position: q.position }, after: { position: other.position } });
      return q.programmeTemplateId;
    });
    return seeOther(`${listUrl(programmeId, 'saved')}#question-${params.questionId}`);
  });

  r.form('/questions/:questionId/delete', { summary: 'Delete a knowledge check question (form)', authorize: admin }, async ({ actor, params }) => {
    const programmeId = await ctx.db.transaction(async (tx) => {
      const [gone] = await tx.delete(preloadVideoQuestions).where(eq(preloadVideoQuestions.id, params.questionId)).returning();
      if (!gone) throw new NotFoundError('That question');
      // Close the gap so the numbers candidates see stay 1, 2, 3 …
      await tx
        .update(preloadVideoQuestions)
        .set({ position: sql`${preloadVideoQuestions.position} - 1` })
        .where(and(eq(preloadVideoQuestions.programmeTemplateId, gone.programmeTemplateId), gt(preloadVideoQuestions.position, gone.position)));
      await audit(tx, { actorId: actor.id, action: 'preload-video.question_deleted', subjectType: 'preload_video_question', subjectId: gone.id, before: { prompt: gone.prompt, options: gone.options, correctIndex: gone.correctIndex } });
      return gone.programmeTemplateId;
    });
    return seeOther(listUrl(programmeId, 'deleted'));
  });
}
