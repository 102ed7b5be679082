-- Data versions for transfer-week's tables (the functions are core's: server/db/migrations, data_versions_triggers).
SELECT cadre_watch_versions('transfer_week_days', 'stage', 'cohort_stage_id');
--> statement-breakpoint
SELECT cadre_watch_versions('transfer_week_attendance', 'via', 'day_id', 'transfer_week_days', 'cohort_stage_id');
--> statement-breakpoint
SELECT cadre_watch_versions('transfer_week_moments', 'stage', 'cohort_stage_id');
