/** The lead's incident data: the monthly counts with their history, a month typed in, the CSV template, and the import
 * (upload → preview of every row, nothing written → confirm writes, cancel writes nothing). */
import type { Request, RequestHandler, Response } from 'express';
import multer, { MulterError } from 'multer';
import type { AppContext } from '../context';
import { UploadError, type AppError } from '../errors';
import { seeOther } from '../http/present';
import type { RouteRegistry } from '../http/router';
import { onOrganisation, type OrganisationSubject } from './grants';
import { importIncidents, previewImport, saveIncidentMonth, thisMonth, type ImportPreview } from './incident-commands';
import { templateCsv } from './incident-csv';
import { sendCsv } from '../exports/csv';
import { countHistory, servicesOf } from './incident-queries';
import { registerModeOf } from './course-queries';
import { importConfirmForm, incidentForm, incidentsQuery } from './schemas';
import { BED_DAYS_LABEL, longMonthLabel, MEASURES, monthLabel } from './vocabulary';

const MAX_UPLOAD = 200 * 1024;

/** The CSV upload: one file, in memory, capped. */
function csvUpload(): RequestHandler {
  const parser = multer({ storage: multer.memoryStorage(), limits: { fileSize: MAX_UPLOAD, files: 1, fields: 10, fieldSize: 4096 } }).single('file');
  return (req, res, next) =>
    parser(req, res, (err?: unknown) => {
      if (err instanceof MulterError && err.code === 'LIMIT_FILE_SIZE') return next(new UploadError('That file is larger than 200 KB. Import fewer months at once (at most 2,000 rows).', 413, 'file'));
      next(err);
    });
}

/** The uploaded file as text: UTF-8 only, and never a spreadsheet's binary format. */
function uploadedText(req: Request): string {
  const file = (req as Request & { file?: Express.Multer.File }).file;
  if (!file || !file.size) throw new UploadError('Choose a CSV file to import.', 400, 'file');
  if (file.buffer.includes(0) || file.buffer.subarray(0, 2).toString('latin1') === 'PK') {
    throw new UploadError('That file is not CSV text (it looks like an Excel workbook). In your spreadsheet choose “Save as” → “CSV UTF-8”, then import that file.', 415, 'file');
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(file.buffer);
  } catch {
    throw new UploadError('That file is not UTF-8 text. In your spreadsheet choose “Save as” → “CSV UTF-8”, then import that file.', 415, 'file');
  }
}

const WORDS: Record<string, string> = { new: 'New month', correction: 'Correction', unchanged: 'Unchanged — skipped', problem: 'Not imported' };

/** Shapes a preview for the page. */
function presentPreview(preview: ImportPreview) {
  return {
    fileProblems: preview.fileProblems,
    counts: preview.counts,
    writes: preview.counts.new + preview.counts.correction,
    newServices: preview.newServices,
    rows: preview.rows.map((r) => ({
      line: r.line,
      month: /^\d{4}-\d{2}$/.test(r.month) ? monthLabel(r.month) : r.month,
      serviceName: r.serviceName,
      values: MEASURES.map((m) => ({ value: r.values[m.key] ?? '—', was: r.previous && r.action === 'correction' && r.previous[m.key] !== r.values[m.key] ? r.previous[m.key] : null })),
      bedDays: r.occupiedBedDays ?? '—',
      action: r.action,
      actionLabel: WORDS[r.action],
      problems: r.problems,
      newService: r.newService,
    })),
  };
}

/** Mounts the incident pages under /organisations/:organisationId/impact/incidents. */
export function incidentRoutes(registry: RouteRegistry, ctx: AppContext) {
  const r = registry.router('/organisations/:organisationId/impact/incidents');

  async function renderIncidents(res: Response, org: OrganisationSubject, extra: { values?: Record<string, unknown>; error?: AppError; importError?: AppError; done?: string } = {}) {
    const [services, history, registerMode] = await Promise.all([servicesOf(ctx.db, org.id), countHistory(ctx.db, org.id), registerModeOf(ctx.db, org.id)]);
    const values = extra.values ?? {};
    const chosen = String(values.serviceId ?? '');
    res.render('impact/incidents', {
      title: 'Incident data',
      organisation: org,
      services: services.map((s) => ({ id: s.id, name: s.name, selected: s.id === chosen })),
      measures: MEASURES.map((m) => ({ ...m, value: values[m.key] ?? '' })),
      bedDaysLabel: BED_DAYS_LABEL,
      form: { month: values.month ?? '', newService: values.newService ?? '', occupiedBedDays: values.occupiedBedDays ?? '', note: values.note ?? '' },
      thisMonth: thisMonth(),
      rows: history.map((h) => ({
        month: longMonthLabel(h.current.month),
        serviceName: h.current.serviceName,
        values: MEASURES.map((m) => h.current[m.key]),
        bedDays: h.current.occupiedBedDays ?? '—',
        recordedBy: h.current.recordedByName,
        recordedAt: h.current.recordedAt,
        source: h.current.source === 'import' ? 'imported' : 'entered',
        note: h.current.note,
        corrected: h.earlier.length > 0,
        earlier: h.earlier.map((e) => ({ version: e.version, values: MEASURES.map((m) => e[m.key]), bedDays: e.occupiedBedDays ?? '—', recordedBy: e.recordedByName, recordedAt: e.recordedAt, source: e.source === 'import' ? 'imported' : 'entered', note: e.note })),
      })),
      registerMode,
      error: extra.error,
      importError: extra.importError,
      done: extra.done,
    });
  }

  const DONE = (q: { done?: string; n?: number }) =>
    q.done === 'saved' ? 'Saved. The impact view now uses these numbers.' : q.done === 'unchanged' ? 'Those are already the numbers on record: nothing changed.' : q.done === 'settings' ? 'Setting saved. New and edited courses follow it.' : q.done === 'imported' ? `Imported ${q.n ?? 0} ${q.n === 1 ? 'month' : 'months'}. Earlier values of corrected months stay in the history below.` : undefined;

  r.get('/', { summary: 'The organisation’s monthly incident counts by service, with every correction', authorize: onOrganisation(ctx.db, 'impact:manage'), query: incidentsQuery }, ({ subject, query }, _req, res) =>
    renderIncidents(res, subject, { done: DONE(query) }),
  );

  r.form(
    '/',
    {
      summary: 'Enter or correct one month of one service (form)',
      body: incidentForm,
      authorize: onOrganisation(ctx.db, 'impact:manage'),
      rerender: (_req, res, { error, values, subject }) => renderIncidents(res, subject, { values, error }),
    },
    async ({ body, actor, subject }) => {
      const result = await saveIncidentMonth(ctx.db, actor, subject.id, body);
      return seeOther(`/organisations/${subject.id}/impact/incidents?done=${result}`);
    },
  );

  r.get('/template.csv', { summary: 'The import template (CSV, UTF-8)', authorize: onOrganisation(ctx.db, 'impact:manage'), produces: 'text/csv' }, async ({ subject }, _req, res) => {
    const services = await servicesOf(ctx.db, subject.id);
    const now = new Date();
    const last = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
    sendCsv(res, 'incident-counts-template.csv', templateCsv(services.map((s) => s.name), last));
  });

  r.form(
    '/import',
    {
      summary: 'Preview an import: every row and its problems (writes nothing)',
      upload: csvUpload(),
      authorize: onOrganisation(ctx.db, 'impact:manage'),
      rerender: (_req, res, { error, subject }) => renderIncidents(res, subject, { importError: error }),
    },
    async ({ subject }, req, res) => {
      const text = uploadedText(req);
      const preview = await previewImport(ctx.db, subject.id, text);
      res.render('impact/import-preview', { title: 'Check the import', organisation: subject, csv: text, measures: MEASURES, ...presentPreview(preview) });
    },
  );

  r.form(
    '/import/confirm',
    {
      summary: 'Import the previewed rows that have no problems (form)',
      body: importConfirmForm,
      authorize: onOrganisation(ctx.db, 'impact:manage'),
      rerender: (_req, res, { error, subject }) => renderIncidents(res, subject, { importError: error }),
    },
    async ({ body, actor, subject }) => {
      const { written } = await importIncidents(ctx.db, actor, subject.id, body.csv);
      return seeOther(`/organisations/${subject.id}/impact/incidents?done=imported&n=${written}`);
    },
  );

  return [r];
}
