-- Data versions for projects-week's tables (the functions are core's: server/db/migrations, data_versions_triggers).
SELECT cadre_watch_versions('projects_week_modules', 'stage', 'cohort_stage_id');
--> statement-breakpoint
SELECT cadre_watch_versions('projects_week_assignments', 'stage', 'cohort_stage_id');
