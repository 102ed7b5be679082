-- Data versions for co-delivery's tables (the functions are core's: server/db/migrations, data_versions_triggers).
SELECT cadre_watch_versions('co_delivery_outcomes', 'stage', 'cohort_stage_id');
--> statement-breakpoint
SELECT cadre_watch_versions('co_delivery_groups', 'stage', 'cohort_stage_id');
--> statement-breakpoint
SELECT cadre_watch_versions('co_delivery_learners', 'stage', 'cohort_stage_id');
--> statement-breakpoint
SELECT cadre_watch_versions('co_delivery_attainment', 'via', 'learner_id', 'co_delivery_learners', 'cohort_stage_id');
