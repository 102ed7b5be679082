CREATE TABLE "impact_courses" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"cohort_id" uuid NOT NULL,
	"trainer_id" uuid NOT NULL,
	"co_trainer_id" uuid,
	"delivered_on" date NOT NULL,
	"venue" varchar(200) NOT NULL,
	"modules" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"outcomes" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"attendees" integer NOT NULL,
	"register" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"register_mode" varchar(8) NOT NULL,
	"duration_minutes" integer NOT NULL,
	"observed" boolean DEFAULT false NOT NULL,
	"observation_id" uuid,
	"questionnaire_code" varchar(32) NOT NULL,
	"created_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "impact_incident_counts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"service_id" uuid NOT NULL,
	"month" date NOT NULL,
	"version" integer NOT NULL,
	"aggression" integer NOT NULL,
	"restraints" integer NOT NULL,
	"prone_restraints" integer NOT NULL,
	"seclusions" integer NOT NULL,
	"staff_injuries" integer NOT NULL,
	"person_injuries" integer NOT NULL,
	"occupied_bed_days" integer,
	"source" varchar(8) NOT NULL,
	"note" varchar(300),
	"recorded_by" uuid NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "impact_response_ratings" (
	"response_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"before" integer NOT NULL,
	"after" integer NOT NULL,
	CONSTRAINT "impact_response_ratings_response_id_position_pk" PRIMARY KEY("response_id","position")
);
--> statement-breakpoint
CREATE TABLE "impact_responses" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"course_id" uuid NOT NULL,
	"device_hash" varchar(64) NOT NULL,
	"safety_answer" varchar(16) NOT NULL,
	"change_text" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "impact_services" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"name" varchar(120) NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "impact_settings" (
	"organisation_id" uuid PRIMARY KEY NOT NULL,
	"register_mode" varchar(8) DEFAULT 'codes' NOT NULL,
	"updated_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "impact_courses" ADD CONSTRAINT "impact_courses_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "impact_courses" ADD CONSTRAINT "impact_courses_cohort_id_cohorts_id_fk" FOREIGN KEY ("cohort_id") REFERENCES "public"."cohorts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "impact_courses" ADD CONSTRAINT "impact_courses_trainer_id_users_id_fk" FOREIGN KEY ("trainer_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "impact_courses" ADD CONSTRAINT "impact_courses_co_trainer_id_users_id_fk" FOREIGN KEY ("co_trainer_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "impact_courses" ADD CONSTRAINT "impact_courses_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "impact_incident_counts" ADD CONSTRAINT "impact_incident_counts_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "impact_incident_counts" ADD CONSTRAINT "impact_incident_counts_service_id_impact_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."impact_services"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "impact_incident_counts" ADD CONSTRAINT "impact_incident_counts_recorded_by_users_id_fk" FOREIGN KEY ("recorded_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "impact_response_ratings" ADD CONSTRAINT "impact_response_ratings_response_id_impact_responses_id_fk" FOREIGN KEY ("response_id") REFERENCES "public"."impact_responses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "impact_responses" ADD CONSTRAINT "impact_responses_course_id_impact_courses_id_fk" FOREIGN KEY ("course_id") REFERENCES "public"."impact_courses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "impact_services" ADD CONSTRAINT "impact_services_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "impact_settings" ADD CONSTRAINT "impact_settings_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "impact_settings" ADD CONSTRAINT "impact_settings_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "impact_courses_code_idx" ON "impact_courses" USING btree ("questionnaire_code");--> statement-breakpoint
CREATE INDEX "impact_courses_org_idx" ON "impact_courses" USING btree ("organisation_id","delivered_on");--> statement-breakpoint
CREATE INDEX "impact_courses_trainer_idx" ON "impact_courses" USING btree ("trainer_id");--> statement-breakpoint
CREATE INDEX "impact_courses_cotrainer_idx" ON "impact_courses" USING btree ("co_trainer_id");--> statement-breakpoint
CREATE UNIQUE INDEX "impact_incident_counts_version_idx" ON "impact_incident_counts" USING btree ("service_id","month","version");--> statement-breakpoint
CREATE INDEX "impact_incident_counts_org_idx" ON "impact_incident_counts" USING btree ("organisation_id","month");--> statement-breakpoint
CREATE UNIQUE INDEX "impact_responses_device_idx" ON "impact_responses" USING btree ("course_id","device_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "impact_services_name_idx" ON "impact_services" USING btree ("organisation_id",lower("name"));