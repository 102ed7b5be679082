-- Data versions for remedial-workshop's tables (the functions are core's: server/db/migrations, data_versions_triggers).
SELECT cadre_watch_versions('remedial_workshop_topics', 'stage', 'cohort_stage_id');
--> statement-breakpoint
SELECT cadre_watch_versions('remedial_workshop_checklist', 'stage', 'cohort_stage_id');
--> statement-breakpoint
SELECT cadre_watch_versions('remedial_workshop_signoffs', 'stage', 'cohort_stage_id');
