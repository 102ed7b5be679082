CREATE TABLE "cpd_entries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"trainer_record_id" uuid NOT NULL,
	"done_on" date NOT NULL,
	"hours" numeric(5, 1) NOT NULL,
	"activity" varchar(200) NOT NULL,
	"reflection" text NOT NULL,
	"evidence" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "eligibility_records" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"cohort_id" uuid NOT NULL,
	"candidate_id" uuid NOT NULL,
	"requirement" varchar(20) NOT NULL,
	"description" text NOT NULL,
	"since_on" date,
	"expires_on" date,
	"file_id" uuid,
	"document" text,
	"status" varchar(12) NOT NULL,
	"submitted_at" timestamp with time zone NOT NULL,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"return_reason" text,
	"ledger_seq" integer
);
--> statement-breakpoint
CREATE TABLE "expiry_warnings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"trainer_record_id" uuid NOT NULL,
	"topic" varchar(12) NOT NULL,
	"due_on" date NOT NULL,
	"threshold" integer NOT NULL,
	"sent_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "trainer_record_changes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"trainer_record_id" uuid NOT NULL,
	"actor_id" uuid,
	"change" text NOT NULL,
	"reason" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "trainer_records" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"organisation_id" uuid NOT NULL,
	"level" varchar(12) DEFAULT 'associate' NOT NULL,
	"suspended_at" timestamp with time zone,
	"suspension_reason" text,
	"first_aid_expires_on" date,
	"refresher_due_on" date,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "cpd_entries" ADD CONSTRAINT "cpd_entries_trainer_record_id_trainer_records_id_fk" FOREIGN KEY ("trainer_record_id") REFERENCES "public"."trainer_records"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "eligibility_records" ADD CONSTRAINT "eligibility_records_cohort_id_cohorts_id_fk" FOREIGN KEY ("cohort_id") REFERENCES "public"."cohorts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "eligibility_records" ADD CONSTRAINT "eligibility_records_candidate_id_users_id_fk" FOREIGN KEY ("candidate_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "eligibility_records" ADD CONSTRAINT "eligibility_records_file_id_files_id_fk" FOREIGN KEY ("file_id") REFERENCES "public"."files"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "eligibility_records" ADD CONSTRAINT "eligibility_records_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "expiry_warnings" ADD CONSTRAINT "expiry_warnings_trainer_record_id_trainer_records_id_fk" FOREIGN KEY ("trainer_record_id") REFERENCES "public"."trainer_records"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trainer_record_changes" ADD CONSTRAINT "trainer_record_changes_trainer_record_id_trainer_records_id_fk" FOREIGN KEY ("trainer_record_id") REFERENCES "public"."trainer_records"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trainer_record_changes" ADD CONSTRAINT "trainer_record_changes_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trainer_records" ADD CONSTRAINT "trainer_records_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trainer_records" ADD CONSTRAINT "trainer_records_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "cpd_entries_idx" ON "cpd_entries" USING btree ("trainer_record_id","done_on");--> statement-breakpoint
CREATE UNIQUE INDEX "eligibility_records_idx" ON "eligibility_records" USING btree ("cohort_id","candidate_id","requirement");--> statement-breakpoint
CREATE UNIQUE INDEX "expiry_warnings_idx" ON "expiry_warnings" USING btree ("trainer_record_id","topic","due_on","threshold");--> statement-breakpoint
CREATE INDEX "trainer_record_changes_idx" ON "trainer_record_changes" USING btree ("trainer_record_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "trainer_records_idx" ON "trainer_records" USING btree ("user_id","organisation_id");--> statement-breakpoint
CREATE INDEX "trainer_records_org_idx" ON "trainer_records" USING btree ("organisation_id");--> statement-breakpoint
-- The eligibility gate reads eligibility_records: a write gives the cohort a new data version.
SELECT cadre_watch_versions('eligibility_records', 'cohort', 'cohort_id');
