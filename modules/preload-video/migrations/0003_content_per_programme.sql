CREATE TABLE "preload_video_exemptions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"cohort_stage_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"video_id" uuid,
	"decided_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "preload_video_exemptions_key" UNIQUE NULLS NOT DISTINCT("cohort_stage_id","user_id","video_id")
);
--> statement-breakpoint
ALTER TABLE "preload_video_questions" ADD COLUMN "programme_template_id" uuid;--> statement-breakpoint
-- The library was global: its content goes to the oldest programme (pre-production databases hold one).
UPDATE "preload_video_questions" SET "programme_template_id" = (SELECT "id" FROM "programme_templates" ORDER BY "created_at" LIMIT 1);--> statement-breakpoint
ALTER TABLE "preload_video_questions" ALTER COLUMN "programme_template_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "preload_video_videos" ADD COLUMN "programme_template_id" uuid;--> statement-breakpoint
-- The library was global: its content goes to the oldest programme (pre-production databases hold one).
UPDATE "preload_video_videos" SET "programme_template_id" = (SELECT "id" FROM "programme_templates" ORDER BY "created_at" LIMIT 1);--> statement-breakpoint
ALTER TABLE "preload_video_videos" ALTER COLUMN "programme_template_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "preload_video_videos" ADD COLUMN "captions_file_id" uuid;--> statement-breakpoint
ALTER TABLE "preload_video_videos" ADD COLUMN "captions_text" text;--> statement-breakpoint
ALTER TABLE "preload_video_videos" ADD COLUMN "transcript" text;--> statement-breakpoint
ALTER TABLE "preload_video_videos" ADD COLUMN "published_at" timestamp with time zone;--> statement-breakpoint
UPDATE "preload_video_videos" SET "published_at" = "created_at";--> statement-breakpoint
ALTER TABLE "preload_video_exemptions" ADD CONSTRAINT "preload_video_exemptions_cohort_stage_id_cohort_stages_id_fk" FOREIGN KEY ("cohort_stage_id") REFERENCES "public"."cohort_stages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "preload_video_exemptions" ADD CONSTRAINT "preload_video_exemptions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "preload_video_exemptions" ADD CONSTRAINT "preload_video_exemptions_video_id_preload_video_videos_id_fk" FOREIGN KEY ("video_id") REFERENCES "public"."preload_video_videos"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "preload_video_exemptions" ADD CONSTRAINT "preload_video_exemptions_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "preload_video_questions" ADD CONSTRAINT "preload_video_questions_programme_template_id_programme_templates_id_fk" FOREIGN KEY ("programme_template_id") REFERENCES "public"."programme_templates"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "preload_video_videos" ADD CONSTRAINT "preload_video_videos_programme_template_id_programme_templates_id_fk" FOREIGN KEY ("programme_template_id") REFERENCES "public"."programme_templates"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "preload_video_videos" ADD CONSTRAINT "preload_video_videos_captions_file_id_files_id_fk" FOREIGN KEY ("captions_file_id") REFERENCES "public"."files"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
SELECT cadre_watch_versions('preload_video_exemptions', 'stage', 'cohort_stage_id');
