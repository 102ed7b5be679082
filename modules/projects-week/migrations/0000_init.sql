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
ALTER TABLE "projects_week_assignments" ADD CONSTRAINT "projects_week_assignments_cohort_stage_id_cohort_stages_id_fk" FOREIGN KEY ("cohort_stage_id") REFERENCES "public"."cohort_stages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "projects_week_assignments" ADD CONSTRAINT "projects_week_assignments_module_id_projects_week_modules_id_fk" FOREIGN KEY ("module_id") REFERENCES "public"."projects_week_modules"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "projects_week_assignments" ADD CONSTRAINT "projects_week_assignments_candidate_id_users_id_fk" FOREIGN KEY ("candidate_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "projects_week_assignments" ADD CONSTRAINT "projects_week_assignments_assigned_by_users_id_fk" FOREIGN KEY ("assigned_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "projects_week_modules" ADD CONSTRAINT "projects_week_modules_cohort_stage_id_cohort_stages_id_fk" FOREIGN KEY ("cohort_stage_id") REFERENCES "public"."cohort_stages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "projects_week_assignments_unique_idx" ON "projects_week_assignments" USING btree ("module_id","candidate_id");--> statement-breakpoint
CREATE INDEX "projects_week_assignments_stage_idx" ON "projects_week_assignments" USING btree ("cohort_stage_id","candidate_id");--> statement-breakpoint
CREATE INDEX "projects_week_modules_stage_idx" ON "projects_week_modules" USING btree ("cohort_stage_id","position");