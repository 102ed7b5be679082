-- Data-version triggers with static SQL (see 0001 for what they do). The first form built its statement with
-- EXECUTE format(...) on every write, so PostgreSQL parsed and planned it each time: about 2 ms on each INSERT,
-- UPDATE or DELETE of a watched table on the embedded database, more than the write itself. Each watched table now
-- has a trigger function of its own, written once by cadre_watch_versions with the table's mode and columns in
-- place, whose statements are planned once per session and reused. What each write bumps is unchanged
-- (test/progression/data-versions.test.ts). TRUNCATE keeps the shared cadre_touch_versions ('*').
CREATE OR REPLACE FUNCTION cadre_versions_sql(tg_op text, how text, col text, parent text DEFAULT '', parent_col text DEFAULT '')
RETURNS text LANGUAGE plpgsql IMMUTABLE AS $fn$
DECLARE
  changed text;
  scopes text;
BEGIN
  changed := CASE tg_op
    WHEN 'INSERT' THEN 'select * from cadre_new_rows'
    WHEN 'DELETE' THEN 'select * from cadre_old_rows'
    ELSE 'select * from cadre_new_rows union all select * from cadre_old_rows' END;
  scopes := CASE how
    WHEN 'cohort' THEN format('select c.%I::text from changed c', col)
    WHEN 'stage' THEN format('select s.cohort_id::text from changed c join cohort_stages s on s.id = c.%I', col)
    WHEN 'via' THEN format('select s.cohort_id::text from changed c join %I p on p.id = c.%I join cohort_stages s on s.id = p.%I', parent, col, parent_col)
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
    RAISE EXCEPTION 'cadre_versions_sql: unknown mode %', how;
  END IF;
  -- Scopes in a fixed order, so two statements touching the same cohorts lock their rows in the same order.
  RETURN format(
    'with changed as (%s) insert into data_versions (scope, version) '
    'select scope, nextval(''data_version_seq'') from (select distinct scope from (%s) x(scope) where scope is not null order by scope) y '
    'on conflict (scope) do update set version = excluded.version',
    changed, scopes);
END
$fn$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION cadre_watch_versions(tbl regclass, how text, col text DEFAULT '', parent text DEFAULT '', parent_col text DEFAULT '')
RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
  args text := concat_ws(', ', quote_literal(how), quote_literal(col), quote_literal(parent), quote_literal(parent_col));
  fname text := 'cadre_versions_' || (SELECT relname FROM pg_class WHERE oid = tbl);
BEGIN
  -- The table's own trigger function: the statement for each event, written out (checked now, planned on first use).
  EXECUTE format(
    'CREATE OR REPLACE FUNCTION %I() RETURNS trigger LANGUAGE plpgsql AS $body$ BEGIN '
    'IF TG_OP = ''INSERT'' THEN %s; ELSIF TG_OP = ''DELETE'' THEN %s; ELSE %s; END IF; RETURN NULL; END $body$',
    fname,
    cadre_versions_sql('INSERT', how, col, parent, parent_col),
    cadre_versions_sql('DELETE', how, col, parent, parent_col),
    cadre_versions_sql('UPDATE', how, col, parent, parent_col));
  EXECUTE format('DROP TRIGGER IF EXISTS cadre_versions_insert ON %s', tbl);
  EXECUTE format('DROP TRIGGER IF EXISTS cadre_versions_update ON %s', tbl);
  EXECUTE format('DROP TRIGGER IF EXISTS cadre_versions_delete ON %s', tbl);
  EXECUTE format('DROP TRIGGER IF EXISTS cadre_versions_truncate ON %s', tbl);
  EXECUTE format('CREATE TRIGGER cadre_versions_insert AFTER INSERT ON %s REFERENCING NEW TABLE AS cadre_new_rows FOR EACH STATEMENT EXECUTE FUNCTION %I()', tbl, fname);
  EXECUTE format('CREATE TRIGGER cadre_versions_update AFTER UPDATE ON %s REFERENCING OLD TABLE AS cadre_old_rows NEW TABLE AS cadre_new_rows FOR EACH STATEMENT EXECUTE FUNCTION %I()', tbl, fname);
  EXECUTE format('CREATE TRIGGER cadre_versions_delete AFTER DELETE ON %s REFERENCING OLD TABLE AS cadre_old_rows FOR EACH STATEMENT EXECUTE FUNCTION %I()', tbl, fname);
  EXECUTE format('CREATE TRIGGER cadre_versions_truncate AFTER TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION cadre_touch_versions(%s)', tbl, args);
END
$fn$;
--> statement-breakpoint
-- Every table watched so far gets its own function, with the mode and columns its insert trigger was given.
DO $do$
DECLARE
  r record;
  a text[];
BEGIN
  FOR r IN SELECT t.tgrelid::regclass AS tbl, t.tgargs FROM pg_trigger t WHERE t.tgname = 'cadre_versions_insert' AND NOT t.tgisinternal LOOP
    a := string_to_array(encode(r.tgargs, 'escape'), '\000');
    PERFORM cadre_watch_versions(r.tbl, a[1], coalesce(a[2], ''), coalesce(a[3], ''), coalesce(a[4], ''));
  END LOOP;
END
$do$;
