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
ALTER TABLE "transfer_week_attendance" ADD CONSTRAINT "transfer_week_attendance_day_id_transfer_week_days_id_fk" FOREIGN KEY ("day_id") REFERENCES "public"."transfer_week_days"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transfer_week_attendance" ADD CONSTRAINT "transfer_week_attendance_candidate_id_users_id_fk" FOREIGN KEY ("candidate_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transfer_week_attendance" ADD CONSTRAINT "transfer_week_attendance_recorded_by_users_id_fk" FOREIGN KEY ("recorded_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transfer_week_days" ADD CONSTRAINT "transfer_week_days_cohort_stage_id_cohort_stages_id_fk" FOREIGN KEY ("cohort_stage_id") REFERENCES "public"."cohort_stages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transfer_week_days" ADD CONSTRAINT "transfer_week_days_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transfer_week_moments" ADD CONSTRAINT "transfer_week_moments_cohort_stage_id_cohort_stages_id_fk" FOREIGN KEY ("cohort_stage_id") REFERENCES "public"."cohort_stages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transfer_week_moments" ADD CONSTRAINT "transfer_week_moments_candidate_id_users_id_fk" FOREIGN KEY ("candidate_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transfer_week_moments" ADD CONSTRAINT "transfer_week_moments_day_id_transfer_week_days_id_fk" FOREIGN KEY ("day_id") REFERENCES "public"."transfer_week_days"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transfer_week_moments" ADD CONSTRAINT "transfer_week_moments_mentor_id_users_id_fk" FOREIGN KEY ("mentor_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "transfer_week_attendance_candidate_idx" ON "transfer_week_attendance" USING btree ("candidate_id");--> statement-breakpoint
CREATE INDEX "transfer_week_days_stage_idx" ON "transfer_week_days" USING btree ("cohort_stage_id","day");--> statement-breakpoint
CREATE INDEX "transfer_week_moments_stage_idx" ON "transfer_week_moments" USING btree ("cohort_stage_id","candidate_id");