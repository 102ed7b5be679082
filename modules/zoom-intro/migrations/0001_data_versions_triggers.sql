-- Data versions for zoom-intro's tables (the functions are core's: server/db/migrations, data_versions_triggers).
SELECT cadre_watch_versions('zoom_intro_meetings', 'stage', 'cohort_stage_id');
--> statement-breakpoint
SELECT cadre_watch_versions('zoom_intro_attendance', 'stage', 'cohort_stage_id');
