CREATE TABLE "course_observations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"course_id" uuid NOT NULL,
	"observer_id" uuid NOT NULL,
	"rubric_id" uuid NOT NULL,
	"observed_on" date NOT NULL,
	"levels" jsonb NOT NULL,
	"percent" numeric(5, 2) NOT NULL,
	"passed" boolean NOT NULL,
	"must_pass_failed" boolean NOT NULL,
	"notes" text NOT NULL,
	"ledger_seq" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "observation_picks" (
	"course_id" uuid PRIMARY KEY NOT NULL,
	"picked_by" uuid NOT NULL,
	"reason" text NOT NULL,
	"ledger_seq" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sampling_rates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid,
	"programme_template_id" uuid,
	"percent" integer NOT NULL,
	"updated_by" uuid NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sampling_rates_one_scope" CHECK (("sampling_rates"."organisation_id" is null) <> ("sampling_rates"."programme_template_id" is null)),
	CONSTRAINT "sampling_rates_percent" CHECK ("sampling_rates"."percent" between 1 and 100)
);
--> statement-breakpoint
ALTER TABLE "course_observations" ADD CONSTRAINT "course_observations_course_id_impact_courses_id_fk" FOREIGN KEY ("course_id") REFERENCES "public"."impact_courses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "course_observations" ADD CONSTRAINT "course_observations_observer_id_users_id_fk" FOREIGN KEY ("observer_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "course_observations" ADD CONSTRAINT "course_observations_rubric_id_rubrics_id_fk" FOREIGN KEY ("rubric_id") REFERENCES "public"."rubrics"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "observation_picks" ADD CONSTRAINT "observation_picks_course_id_impact_courses_id_fk" FOREIGN KEY ("course_id") REFERENCES "public"."impact_courses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "observation_picks" ADD CONSTRAINT "observation_picks_picked_by_users_id_fk" FOREIGN KEY ("picked_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sampling_rates" ADD CONSTRAINT "sampling_rates_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sampling_rates" ADD CONSTRAINT "sampling_rates_programme_template_id_programme_templates_id_fk" FOREIGN KEY ("programme_template_id") REFERENCES "public"."programme_templates"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sampling_rates" ADD CONSTRAINT "sampling_rates_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "course_observations_course_idx" ON "course_observations" USING btree ("course_id");--> statement-breakpoint
CREATE UNIQUE INDEX "sampling_rates_org_idx" ON "sampling_rates" USING btree ("organisation_id") WHERE "sampling_rates"."organisation_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "sampling_rates_programme_idx" ON "sampling_rates" USING btree ("programme_template_id") WHERE "sampling_rates"."programme_template_id" is not null;