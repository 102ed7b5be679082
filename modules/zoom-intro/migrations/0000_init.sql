CREATE TABLE "zoom_intro_attendance" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"cohort_stage_id" uuid NOT NULL,
	"candidate_id" uuid NOT NULL,
	"present" boolean NOT NULL,
	"source" varchar(10) NOT NULL,
	"joined_at" timestamp with time zone,
	"left_at" timestamp with time zone,
	"recorded_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "zoom_intro_meetings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"cohort_stage_id" uuid NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"duration_minutes" integer DEFAULT 60 NOT NULL,
	"timezone" varchar(64) NOT NULL,
	"join_url" varchar(500) NOT NULL,
	"zoom_meeting_id" varchar(40),
	"sequence" integer DEFAULT 0 NOT NULL,
	"created_by" uuid NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "zoom_intro_webhook_events" (
	"body_hash" varchar(64) PRIMARY KEY NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "zoom_intro_attendance" ADD CONSTRAINT "zoom_intro_attendance_candidate_id_users_id_fk" FOREIGN KEY ("candidate_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "zoom_intro_attendance" ADD CONSTRAINT "zoom_intro_attendance_recorded_by_users_id_fk" FOREIGN KEY ("recorded_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "zoom_intro_meetings" ADD CONSTRAINT "zoom_intro_meetings_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "zoom_intro_attendance_idx" ON "zoom_intro_attendance" USING btree ("cohort_stage_id","candidate_id");--> statement-breakpoint
CREATE UNIQUE INDEX "zoom_intro_meetings_stage_idx" ON "zoom_intro_meetings" USING btree ("cohort_stage_id");