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
ALTER TABLE "remedial_workshop_checklist" ADD CONSTRAINT "remedial_workshop_checklist_cohort_stage_id_cohort_stages_id_fk" FOREIGN KEY ("cohort_stage_id") REFERENCES "public"."cohort_stages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "remedial_workshop_checklist" ADD CONSTRAINT "remedial_workshop_checklist_lead_by_users_id_fk" FOREIGN KEY ("lead_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "remedial_workshop_checklist" ADD CONSTRAINT "remedial_workshop_checklist_mentor_by_users_id_fk" FOREIGN KEY ("mentor_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "remedial_workshop_signoffs" ADD CONSTRAINT "remedial_workshop_signoffs_cohort_stage_id_cohort_stages_id_fk" FOREIGN KEY ("cohort_stage_id") REFERENCES "public"."cohort_stages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "remedial_workshop_signoffs" ADD CONSTRAINT "remedial_workshop_signoffs_candidate_id_users_id_fk" FOREIGN KEY ("candidate_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "remedial_workshop_signoffs" ADD CONSTRAINT "remedial_workshop_signoffs_mentor_id_users_id_fk" FOREIGN KEY ("mentor_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "remedial_workshop_topics" ADD CONSTRAINT "remedial_workshop_topics_cohort_stage_id_cohort_stages_id_fk" FOREIGN KEY ("cohort_stage_id") REFERENCES "public"."cohort_stages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "remedial_workshop_topics" ADD CONSTRAINT "remedial_workshop_topics_candidate_id_users_id_fk" FOREIGN KEY ("candidate_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "remedial_workshop_topics" ADD CONSTRAINT "remedial_workshop_topics_covered_by_users_id_fk" FOREIGN KEY ("covered_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "remedial_workshop_signoffs_unique_idx" ON "remedial_workshop_signoffs" USING btree ("cohort_stage_id","candidate_id");--> statement-breakpoint
CREATE INDEX "remedial_workshop_topics_stage_idx" ON "remedial_workshop_topics" USING btree ("cohort_stage_id","candidate_id");