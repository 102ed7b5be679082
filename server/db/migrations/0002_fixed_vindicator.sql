CREATE TABLE "co_delivery_attainment" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"learner_id" uuid NOT NULL,
	"outcome_id" uuid NOT NULL,
	"recorder_id" uuid NOT NULL,
	"role" varchar(10) NOT NULL,
	"level" varchar(10) NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "co_delivery_groups" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"cohort_stage_id" uuid NOT NULL,
	"name" varchar(120) NOT NULL,
	"candidate_id" uuid NOT NULL,
	"session_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "co_delivery_learners" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"cohort_stage_id" uuid NOT NULL,
	"group_id" uuid NOT NULL,
	"label" varchar(120) NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "co_delivery_outcomes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"cohort_stage_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"text" varchar(300) NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "co_delivery_sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"cohort_stage_id" uuid NOT NULL,
	"title" varchar(200) NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"location" varchar(200),
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "preload_video_progress" (
	"video_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"intervals" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"watched_seconds" numeric(10, 3) DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "preload_video_progress_video_id_user_id_pk" PRIMARY KEY("video_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "preload_video_questions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"position" integer NOT NULL,
	"prompt" text NOT NULL,
	"options" jsonb NOT NULL,
	"correct_index" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "preload_video_quiz_attempts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"cohort_stage_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"score" integer NOT NULL,
	"out_of" integer NOT NULL,
	"percent" integer NOT NULL,
	"passed" boolean NOT NULL,
	"answers" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "preload_video_videos" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"file_id" uuid NOT NULL,
	"title" varchar(200) NOT NULL,
	"description" text,
	"position" integer NOT NULL,
	"duration_seconds" numeric(10, 3),
	"threshold" integer DEFAULT 90 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"archived_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "projects_week_assignments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"cohort_stage_id" uuid NOT NULL,
	"module_id" uuid NOT NULL,
	"candidate_id" uuid NOT NULL,
	"slot_at" timestamp with time zone,
	"meeting_url" varchar(500),
	"assigned_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "projects_week_modules" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"cohort_stage_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"title" varchar(200) NOT NULL,
	"summary" text,
	"rubric_key" varchar(80) DEFAULT 'knowledge-module' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "remedial_workshop_checklist" (
	"cohort_stage_id" uuid NOT NULL,
	"item_key" varchar(60) NOT NULL,
	"lead_by" uuid,
	"lead_at" timestamp with time zone,
	"mentor_by" uuid,
	"mentor_at" timestamp with time zone,
	CONSTRAINT "remedial_workshop_checklist_cohort_stage_id_item_key_pk" PRIMARY KEY("cohort_stage_id","item_key")
);
--> statement-breakpoint
CREATE TABLE "remedial_workshop_signoffs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"cohort_stage_id" uuid NOT NULL,
	"candidate_id" uuid NOT NULL,
	"mentor_id" uuid NOT NULL,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "remedial_workshop_topics" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"cohort_stage_id" uuid NOT NULL,
	"candidate_id" uuid NOT NULL,
	"text" text NOT NULL,
	"competency_code" varchar(40),
	"criterion_id" uuid,
	"covered_by" uuid,
	"covered_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "transfer_week_attendance" (
	"day_id" uuid NOT NULL,
	"candidate_id" uuid NOT NULL,
	"mark" varchar(10) NOT NULL,
	"recorded_by" uuid NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "transfer_week_attendance_day_id_candidate_id_pk" PRIMARY KEY("day_id","candidate_id")
);
--> statement-breakpoint
CREATE TABLE "transfer_week_days" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"cohort_stage_id" uuid NOT NULL,
	"day" date NOT NULL,
	"venue" varchar(200) NOT NULL,
	"notes" text,
	"created_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "transfer_week_moments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"cohort_stage_id" uuid NOT NULL,
	"candidate_id" uuid NOT NULL,
	"day_id" uuid,
	"segment" varchar(300) NOT NULL,
	"reflection" text NOT NULL,
	"status" varchar(12) NOT NULL,
	"mentor_id" uuid,
	"mentor_comment" text,
	"decided_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "co_delivery_attainment" ADD CONSTRAINT "co_delivery_attainment_learner_id_co_delivery_learners_id_fk" FOREIGN KEY ("learner_id") REFERENCES "public"."co_delivery_learners"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "co_delivery_attainment" ADD CONSTRAINT "co_delivery_attainment_outcome_id_co_delivery_outcomes_id_fk" FOREIGN KEY ("outcome_id") REFERENCES "public"."co_delivery_outcomes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "co_delivery_attainment" ADD CONSTRAINT "co_delivery_attainment_recorder_id_users_id_fk" FOREIGN KEY ("recorder_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "co_delivery_groups" ADD CONSTRAINT "co_delivery_groups_cohort_stage_id_cohort_stages_id_fk" FOREIGN KEY ("cohort_stage_id") REFERENCES "public"."cohort_stages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "co_delivery_groups" ADD CONSTRAINT "co_delivery_groups_candidate_id_users_id_fk" FOREIGN KEY ("candidate_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "co_delivery_groups" ADD CONSTRAINT "co_delivery_groups_session_id_co_delivery_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."co_delivery_sessions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "co_delivery_learners" ADD CONSTRAINT "co_delivery_learners_cohort_stage_id_cohort_stages_id_fk" FOREIGN KEY ("cohort_stage_id") REFERENCES "public"."cohort_stages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "co_delivery_learners" ADD CONSTRAINT "co_delivery_learners_group_id_co_delivery_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."co_delivery_groups"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "co_delivery_outcomes" ADD CONSTRAINT "co_delivery_outcomes_cohort_stage_id_cohort_stages_id_fk" FOREIGN KEY ("cohort_stage_id") REFERENCES "public"."cohort_stages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "co_delivery_sessions" ADD CONSTRAINT "co_delivery_sessions_cohort_stage_id_cohort_stages_id_fk" FOREIGN KEY ("cohort_stage_id") REFERENCES "public"."cohort_stages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "co_delivery_sessions" ADD CONSTRAINT "co_delivery_sessions_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "preload_video_progress" ADD CONSTRAINT "preload_video_progress_video_id_preload_video_videos_id_fk" FOREIGN KEY ("video_id") REFERENCES "public"."preload_video_videos"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "preload_video_progress" ADD CONSTRAINT "preload_video_progress_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "preload_video_quiz_attempts" ADD CONSTRAINT "preload_video_quiz_attempts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "preload_video_videos" ADD CONSTRAINT "preload_video_videos_file_id_files_id_fk" FOREIGN KEY ("file_id") REFERENCES "public"."files"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "projects_week_assignments" ADD CONSTRAINT "projects_week_assignments_cohort_stage_id_cohort_stages_id_fk" FOREIGN KEY ("cohort_stage_id") REFERENCES "public"."cohort_stages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "projects_week_assignments" ADD CONSTRAINT "projects_week_assignments_module_id_projects_week_modules_id_fk" FOREIGN KEY ("module_id") REFERENCES "public"."projects_week_modules"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "projects_week_assignments" ADD CONSTRAINT "projects_week_assignments_candidate_id_users_id_fk" FOREIGN KEY ("candidate_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "projects_week_assignments" ADD CONSTRAINT "projects_week_assignments_assigned_by_users_id_fk" FOREIGN KEY ("assigned_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "projects_week_modules" ADD CONSTRAINT "projects_week_modules_cohort_stage_id_cohort_stages_id_fk" FOREIGN KEY ("cohort_stage_id") REFERENCES "public"."cohort_stages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "remedial_workshop_checklist" ADD CONSTRAINT "remedial_workshop_checklist_cohort_stage_id_cohort_stages_id_fk" FOREIGN KEY ("cohort_stage_id") REFERENCES "public"."cohort_stages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "remedial_workshop_checklist" ADD CONSTRAINT "remedial_workshop_checklist_lead_by_users_id_fk" FOREIGN KEY ("lead_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "remedial_workshop_checklist" ADD CONSTRAINT "remedial_workshop_checklist_mentor_by_users_id_fk" FOREIGN KEY ("mentor_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "remedial_workshop_signoffs" ADD CONSTRAINT "remedial_workshop_signoffs_cohort_stage_id_cohort_stages_id_fk" FOREIGN KEY ("cohort_stage_id") REFERENCES "public"."cohort_stages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "remedial_workshop_signoffs" ADD CONSTRAINT "remedial_workshop_signoffs_candidate_id_users_id_fk" FOREIGN KEY ("candidate_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "remedial_workshop_signoffs" ADD CONSTRAINT "remedial_workshop_signoffs_mentor_id_users_id_fk" FOREIGN KEY ("mentor_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "remedial_workshop_topics" ADD CONSTRAINT "remedial_workshop_topics_cohort_stage_id_cohort_stages_id_fk" FOREIGN KEY ("cohort_stage_id") REFERENCES "public"."cohort_stages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "remedial_workshop_topics" ADD CONSTRAINT "remedial_workshop_topics_candidate_id_users_id_fk" FOREIGN KEY ("candidate_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "remedial_workshop_topics" ADD CONSTRAINT "remedial_workshop_topics_covered_by_users_id_fk" FOREIGN KEY ("covered_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transfer_week_attendance" ADD CONSTRAINT "transfer_week_attendance_day_id_transfer_week_days_id_fk" FOREIGN KEY ("day_id") REFERENCES "public"."transfer_week_days"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transfer_week_attendance" ADD CONSTRAINT "transfer_week_attendance_candidate_id_users_id_fk" FOREIGN KEY ("candidate_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transfer_week_attendance" ADD CONSTRAINT "transfer_week_attendance_recorded_by_users_id_fk" FOREIGN KEY ("recorded_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transfer_week_days" ADD CONSTRAINT "transfer_week_days_cohort_stage_id_cohort_stages_id_fk" FOREIGN KEY ("cohort_stage_id") REFERENCES "public"."cohort_stages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transfer_week_days" ADD CONSTRAINT "transfer_week_days_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transfer_week_moments" ADD CONSTRAINT "transfer_week_moments_cohort_stage_id_cohort_stages_id_fk" FOREIGN KEY ("cohort_stage_id") REFERENCES "public"."cohort_stages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transfer_week_moments" ADD CONSTRAINT "transfer_week_moments_candidate_id_users_id_fk" FOREIGN KEY ("candidate_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transfer_week_moments" ADD CONSTRAINT "transfer_week_moments_day_id_transfer_week_days_id_fk" FOREIGN KEY ("day_id") REFERENCES "public"."transfer_week_days"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transfer_week_moments" ADD CONSTRAINT "transfer_week_moments_mentor_id_users_id_fk" FOREIGN KEY ("mentor_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "co_delivery_attainment_unique_idx" ON "co_delivery_attainment" USING btree ("learner_id","outcome_id","recorder_id");--> statement-breakpoint
CREATE INDEX "co_delivery_attainment_outcome_idx" ON "co_delivery_attainment" USING btree ("outcome_id");--> statement-breakpoint
CREATE INDEX "co_delivery_groups_stage_idx" ON "co_delivery_groups" USING btree ("cohort_stage_id","candidate_id");--> statement-breakpoint
CREATE INDEX "co_delivery_learners_group_idx" ON "co_delivery_learners" USING btree ("group_id");--> statement-breakpoint
CREATE INDEX "co_delivery_outcomes_stage_idx" ON "co_delivery_outcomes" USING btree ("cohort_stage_id","position");--> statement-breakpoint
CREATE INDEX "co_delivery_sessions_stage_idx" ON "co_delivery_sessions" USING btree ("cohort_stage_id","starts_at");--> statement-breakpoint
CREATE INDEX "preload_video_progress_user_idx" ON "preload_video_progress" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "preload_video_quiz_attempts_idx" ON "preload_video_quiz_attempts" USING btree ("cohort_stage_id","user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "projects_week_assignments_unique_idx" ON "projects_week_assignments" USING btree ("module_id","candidate_id");--> statement-breakpoint
CREATE INDEX "projects_week_assignments_stage_idx" ON "projects_week_assignments" USING btree ("cohort_stage_id","candidate_id");--> statement-breakpoint
CREATE INDEX "projects_week_modules_stage_idx" ON "projects_week_modules" USING btree ("cohort_stage_id","position");--> statement-breakpoint
CREATE UNIQUE INDEX "remedial_workshop_signoffs_unique_idx" ON "remedial_workshop_signoffs" USING btree ("cohort_stage_id","candidate_id");--> statement-breakpoint
CREATE INDEX "remedial_workshop_topics_stage_idx" ON "remedial_workshop_topics" USING btree ("cohort_stage_id","candidate_id");--> statement-breakpoint
CREATE INDEX "transfer_week_attendance_candidate_idx" ON "transfer_week_attendance" USING btree ("candidate_id");--> statement-breakpoint
CREATE INDEX "transfer_week_days_stage_idx" ON "transfer_week_days" USING btree ("cohort_stage_id","day");--> statement-breakpoint
CREATE INDEX "transfer_week_moments_stage_idx" ON "transfer_week_moments" USING btree ("cohort_stage_id","candidate_id");