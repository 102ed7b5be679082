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
CREATE TABLE "co_delivery_live_notes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"room_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"release_seq" integer,
	"client_id" uuid NOT NULL,
	"author_id" uuid NOT NULL,
	"candidate_id" uuid NOT NULL,
	"body" text NOT NULL,
	"criterion_id" uuid,
	"kind" varchar(16) NOT NULL,
	"tags" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"at_offset_ms" integer NOT NULL,
	"segment" integer DEFAULT 1 NOT NULL,
	"released_at" timestamp with time zone,
	"delivered_at" timestamp with time zone,
	"seen_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "co_delivery_live_releases" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"room_id" uuid NOT NULL,
	"from_release_seq" integer NOT NULL,
	"to_release_seq" integer NOT NULL,
	"note_count" integer NOT NULL,
	"reason" varchar(20) NOT NULL,
	"released_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "co_delivery_live_rooms" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"cohort_id" uuid NOT NULL,
	"candidate_id" uuid NOT NULL,
	"co_delivery_session_id" uuid,
	"title" varchar(200) NOT NULL,
	"created_by" uuid NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp with time zone,
	"quiet_mode" boolean DEFAULT true NOT NULL,
	"segment" integer DEFAULT 1 NOT NULL,
	"segment_started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"next_seq" integer DEFAULT 1 NOT NULL,
	"next_release_seq" integer DEFAULT 1 NOT NULL,
	"lead_may_observe" boolean DEFAULT true NOT NULL,
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
ALTER TABLE "co_delivery_attainment" ADD CONSTRAINT "co_delivery_attainment_learner_id_co_delivery_learners_id_fk" FOREIGN KEY ("learner_id") REFERENCES "public"."co_delivery_learners"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "co_delivery_attainment" ADD CONSTRAINT "co_delivery_attainment_outcome_id_co_delivery_outcomes_id_fk" FOREIGN KEY ("outcome_id") REFERENCES "public"."co_delivery_outcomes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "co_delivery_attainment" ADD CONSTRAINT "co_delivery_attainment_recorder_id_users_id_fk" FOREIGN KEY ("recorder_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "co_delivery_groups" ADD CONSTRAINT "co_delivery_groups_cohort_stage_id_cohort_stages_id_fk" FOREIGN KEY ("cohort_stage_id") REFERENCES "public"."cohort_stages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "co_delivery_groups" ADD CONSTRAINT "co_delivery_groups_candidate_id_users_id_fk" FOREIGN KEY ("candidate_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "co_delivery_groups" ADD CONSTRAINT "co_delivery_groups_session_id_co_delivery_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."co_delivery_sessions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "co_delivery_learners" ADD CONSTRAINT "co_delivery_learners_cohort_stage_id_cohort_stages_id_fk" FOREIGN KEY ("cohort_stage_id") REFERENCES "public"."cohort_stages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "co_delivery_learners" ADD CONSTRAINT "co_delivery_learners_group_id_co_delivery_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."co_delivery_groups"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "co_delivery_live_notes" ADD CONSTRAINT "co_delivery_live_notes_room_id_co_delivery_live_rooms_id_fk" FOREIGN KEY ("room_id") REFERENCES "public"."co_delivery_live_rooms"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "co_delivery_live_notes" ADD CONSTRAINT "co_delivery_live_notes_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "co_delivery_live_notes" ADD CONSTRAINT "co_delivery_live_notes_candidate_id_users_id_fk" FOREIGN KEY ("candidate_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "co_delivery_live_notes" ADD CONSTRAINT "co_delivery_live_notes_criterion_id_rubric_criteria_id_fk" FOREIGN KEY ("criterion_id") REFERENCES "public"."rubric_criteria"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "co_delivery_live_releases" ADD CONSTRAINT "co_delivery_live_releases_room_id_co_delivery_live_rooms_id_fk" FOREIGN KEY ("room_id") REFERENCES "public"."co_delivery_live_rooms"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "co_delivery_live_releases" ADD CONSTRAINT "co_delivery_live_releases_released_by_users_id_fk" FOREIGN KEY ("released_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "co_delivery_live_rooms" ADD CONSTRAINT "co_delivery_live_rooms_cohort_id_cohorts_id_fk" FOREIGN KEY ("cohort_id") REFERENCES "public"."cohorts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "co_delivery_live_rooms" ADD CONSTRAINT "co_delivery_live_rooms_candidate_id_users_id_fk" FOREIGN KEY ("candidate_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "co_delivery_live_rooms" ADD CONSTRAINT "co_delivery_live_rooms_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "co_delivery_outcomes" ADD CONSTRAINT "co_delivery_outcomes_cohort_stage_id_cohort_stages_id_fk" FOREIGN KEY ("cohort_stage_id") REFERENCES "public"."cohort_stages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "co_delivery_sessions" ADD CONSTRAINT "co_delivery_sessions_cohort_stage_id_cohort_stages_id_fk" FOREIGN KEY ("cohort_stage_id") REFERENCES "public"."cohort_stages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "co_delivery_sessions" ADD CONSTRAINT "co_delivery_sessions_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "co_delivery_attainment_unique_idx" ON "co_delivery_attainment" USING btree ("learner_id","outcome_id","recorder_id");--> statement-breakpoint
CREATE INDEX "co_delivery_attainment_outcome_idx" ON "co_delivery_attainment" USING btree ("outcome_id");--> statement-breakpoint
CREATE INDEX "co_delivery_groups_stage_idx" ON "co_delivery_groups" USING btree ("cohort_stage_id","candidate_id");--> statement-breakpoint
CREATE INDEX "co_delivery_learners_group_idx" ON "co_delivery_learners" USING btree ("group_id");--> statement-breakpoint
CREATE UNIQUE INDEX "co_delivery_live_notes_seq_idx" ON "co_delivery_live_notes" USING btree ("room_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "co_delivery_live_notes_client_idx" ON "co_delivery_live_notes" USING btree ("room_id","client_id");--> statement-breakpoint
CREATE UNIQUE INDEX "co_delivery_live_notes_release_idx" ON "co_delivery_live_notes" USING btree ("room_id","release_seq");--> statement-breakpoint
CREATE INDEX "co_delivery_live_notes_candidate_idx" ON "co_delivery_live_notes" USING btree ("candidate_id");--> statement-breakpoint
CREATE INDEX "co_delivery_live_releases_room_idx" ON "co_delivery_live_releases" USING btree ("room_id");--> statement-breakpoint
CREATE INDEX "co_delivery_live_rooms_cohort_idx" ON "co_delivery_live_rooms" USING btree ("cohort_id");--> statement-breakpoint
CREATE INDEX "co_delivery_live_rooms_candidate_idx" ON "co_delivery_live_rooms" USING btree ("candidate_id");--> statement-breakpoint
CREATE INDEX "co_delivery_outcomes_stage_idx" ON "co_delivery_outcomes" USING btree ("cohort_stage_id","position");--> statement-breakpoint
CREATE INDEX "co_delivery_sessions_stage_idx" ON "co_delivery_sessions" USING btree ("cohort_stage_id","starts_at");