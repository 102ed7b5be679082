-- Data versions for preload-video's tables (the functions are core's: server/db/migrations, data_versions_triggers).
SELECT cadre_watch_versions('preload_video_videos', 'global');
--> statement-breakpoint
SELECT cadre_watch_versions('preload_video_questions', 'global');
--> statement-breakpoint
SELECT cadre_watch_versions('preload_video_progress', 'member', 'user_id');
--> statement-breakpoint
SELECT cadre_watch_versions('preload_video_quiz_attempts', 'stage', 'cohort_stage_id');
