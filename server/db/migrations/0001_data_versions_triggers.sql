-- Data versions (server/db/versions.ts). Every write to a table that progress, readiness or a candidate's record reads
-- gives the cohorts it concerns a new version in the same transaction, so a cache that compares versions never shows
-- a state older than the last commit ("a changed rule applies at once"). One statement-level trigger per table and
-- event (transition tables: one run per statement, however many rows). Modes of cadre_watch_versions(table, how, ...):
--   cohort <col>                      the row's <col> is the cohort id
--   stage <col>                       the row's <col> is a cohort stage id
--   via <col> <parent> <parent_col>   <col> points at <parent>.id, whose <parent_col> is a cohort stage id
--   member <col>                      every cohort the user <col> belongs to, in any role
--   candidate <col>                   every cohort in which the user <col> is a candidate
--   organisation <col>                every cohort of the organisation <col>
--   programme <col>                   every cohort made from the programme template <col>
--   audit                             audit_events: the cohorts where the actor is a candidate, and the subject's
--                                     cohorts (a user as candidate, a cohort, a cohort stage)
--   global                            the '*' scope: reference data every cohort may read
-- TRUNCATE of a watched table changes '*'. A new table a kind, hook or readiness query reads must be watched here
-- (or in its module's migration): test/progression/data-versions.test.ts fails on a read table without the triggers.
CREATE OR REPLACE FUNCTION cadre_touch_versions() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  how text := TG_ARGV[0];
  col text := TG_ARGV[1];
  changed text;
  scopes text;
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    INSERT INTO data_versions (scope, version) VALUES ('*', nextval('data_version_seq'))
      ON CONFLICT (scope) DO UPDATE SET version = excluded.version;
    RETURN NULL;
  END IF;
  changed := CASE TG_OP
    WHEN 'INSERT' THEN 'select * from cadre_new_rows'
    WHEN 'DELETE' THEN 'select * from cadre_old_rows'
    ELSE 'select * from cadre_new_rows union all select * from cadre_old_rows' END;
  scopes := CASE how
    WHEN 'cohort' THEN format('select c.%I::text from changed c', col)
    WHEN 'stage' THEN format('select s.cohort_id::text from changed c join cohort_stages s on s.id = c.%I', col)
    WHEN 'via' THEN format('select s.cohort_id::text from changed c join %I p on p.id = c.%I join cohort_stages s on s.id = p.%I', TG_ARGV[2], col, TG_ARGV[3])
    WHEN 'member' THEN format('select m.cohort_id::text from changed c join cohort_members m on m.user_id = c.%I', col)
    WHEN 'candidate' THEN format('select m.cohort_id::text from changed c join cohort_members m on m.user_id = c.%I and m.role = ''candidate''', col)
    WHEN 'organisation' THEN format('select k.id::text from changed c join cohorts k on k.organisation_id = c.%I', col)
    WHEN 'programme' THEN format('select k.id::text from changed c join cohorts k on k.programme_template_id = c.%I', col)
    WHEN 'audit' THEN
      'select m.cohort_id::text from changed c join cohort_members m on m.role = ''candidate'' and (m.user_id = c.actor_id or (c.subject_type = ''user'' and m.user_id::text = c.subject_id)) '
      'union all select c.subject_id from changed c where c.subject_type = ''cohort'' '
      'union all select s.cohort_id::text from changed c join cohort_stages s on c.subject_type = ''cohort_stage'' and s.id::text = c.subject_id'
    WHEN 'global' THEN 'select ''*'' from changed limit 1'
  END;
  IF scopes IS NULL THEN
    RAISE EXCEPTION 'cadre_touch_versions: unknown mode % on %', how, TG_TABLE_NAME;
  END IF;
  -- Scopes in a fixed order, so two statements touching the same cohorts lock their rows in the same order.
  EXECUTE format(
    'with changed as (%s) insert into data_versions (scope, version) '
    'select scope, nextval(''data_version_seq'') from (select distinct scope from (%s) x(scope) where scope is not null order by scope) y '
    'on conflict (scope) do update set version = excluded.version',
    changed, scopes);
  RETURN NULL;
END
$fn$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION cadre_watch_versions(tbl regclass, how text, col text DEFAULT '', parent text DEFAULT '', parent_col text DEFAULT '')
RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
  args text := concat_ws(', ', quote_literal(how), quote_literal(col), quote_literal(parent), quote_literal(parent_col));
BEGIN
  EXECUTE format('DROP TRIGGER IF EXISTS cadre_versions_insert ON %s', tbl);
  EXECUTE format('DROP TRIGGER IF EXISTS cadre_versions_update ON %s', tbl);
  EXECUTE format('DROP TRIGGER IF EXISTS cadre_versions_delete ON %s', tbl);
  EXECUTE format('DROP TRIGGER IF EXISTS cadre_versions_truncate ON %s', tbl);
  EXECUTE format('CREATE TRIGGER cadre_versions_insert AFTER INSERT ON %s REFERENCING NEW TABLE AS cadre_new_rows FOR EACH STATEMENT EXECUTE FUNCTION cadre_touch_versions(%s)', tbl, args);
  EXECUTE format('CREATE TRIGGER cadre_versions_update AFTER UPDATE ON %s REFERENCING OLD TABLE AS cadre_old_rows NEW TABLE AS cadre_new_rows FOR EACH STATEMENT EXECUTE FUNCTION cadre_touch_versions(%s)', tbl, args);
  EXECUTE format('CREATE TRIGGER cadre_versions_delete AFTER DELETE ON %s REFERENCING OLD TABLE AS cadre_old_rows FOR EACH STATEMENT EXECUTE FUNCTION cadre_touch_versions(%s)', tbl, args);
  EXECUTE format('CREATE TRIGGER cadre_versions_truncate AFTER TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION cadre_touch_versions(%s)', tbl, args);
END
$fn$;
--> statement-breakpoint
SELECT cadre_watch_versions('cohorts', 'cohort', 'id');
--> statement-breakpoint
SELECT cadre_watch_versions('cohort_stages', 'cohort', 'cohort_id');
--> statement-breakpoint
SELECT cadre_watch_versions('cohort_members', 'cohort', 'cohort_id');
--> statement-breakpoint
SELECT cadre_watch_versions('cohort_required_competencies', 'cohort', 'cohort_id');
--> statement-breakpoint
SELECT cadre_watch_versions('stage_waivers', 'stage', 'cohort_stage_id');
--> statement-breakpoint
SELECT cadre_watch_versions('stage_completion_marks', 'stage', 'cohort_stage_id');
--> statement-breakpoint
SELECT cadre_watch_versions('signoff_requests', 'cohort', 'cohort_id');
--> statement-breakpoint
SELECT cadre_watch_versions('assessments', 'cohort', 'cohort_id');
--> statement-breakpoint
SELECT cadre_watch_versions('ledger_entries', 'cohort', 'cohort_id');
--> statement-breakpoint
SELECT cadre_watch_versions('audit_events', 'audit');
--> statement-breakpoint
SELECT cadre_watch_versions('users', 'member', 'id');
--> statement-breakpoint
SELECT cadre_watch_versions('organisations', 'organisation', 'id');
--> statement-breakpoint
SELECT cadre_watch_versions('programme_templates', 'programme', 'id');
--> statement-breakpoint
SELECT cadre_watch_versions('competency_frameworks', 'global');
--> statement-breakpoint
SELECT cadre_watch_versions('competencies', 'global');
--> statement-breakpoint
SELECT cadre_watch_versions('rubrics', 'global');
--> statement-breakpoint
SELECT cadre_watch_versions('rubric_criteria', 'global');
