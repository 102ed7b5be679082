CREATE SEQUENCE "public"."data_version_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "cohort_required_competencies" (
	"cohort_id" uuid NOT NULL,
	"competency_id" uuid NOT NULL,
	CONSTRAINT "cohort_required_competencies_cohort_id_competency_id_pk" PRIMARY KEY("cohort_id","competency_id")
);
--> statement-breakpoint
CREATE TABLE "competencies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"framework_id" uuid NOT NULL,
	"area_id" uuid NOT NULL,
	"code" varchar(40) NOT NULL,
	"name" varchar(200) NOT NULL,
	"description" text,
	"safety_critical" boolean DEFAULT false NOT NULL,
	"position" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "competency_areas" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"framework_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"name" varchar(200) NOT NULL,
	"description" text
);
--> statement-breakpoint
CREATE TABLE "competency_frameworks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" varchar(200) NOT NULL,
	"description" text,
	"rating_scale" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ledger_entries" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"kind" varchar(40) NOT NULL,
	"actor_id" uuid NOT NULL,
	"cohort_id" uuid,
	"candidate_id" uuid,
	"subject_type" varchar(40) NOT NULL,
	"subject_id" varchar(80) NOT NULL,
	"payload" text NOT NULL,
	"recorded_at" varchar(40) NOT NULL,
	"prev_hash" varchar(64) NOT NULL,
	"hash" varchar(64) NOT NULL
);
--> statement-breakpoint
CREATE TABLE "signoff_decisions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"request_id" uuid NOT NULL,
	"kind" varchar(20) NOT NULL,
	"actor_id" uuid NOT NULL,
	"rating" integer,
	"note" text,
	"ledger_seq" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "signoff_evidence" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"request_id" uuid NOT NULL,
	"file_id" uuid,
	"ref_type" varchar(40),
	"ref_id" varchar(80),
	"caption" varchar(500),
	"added_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "signoff_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"cohort_id" uuid NOT NULL,
	"candidate_id" uuid NOT NULL,
	"competency_id" uuid NOT NULL,
	"reflection" text NOT NULL,
	"status" varchar(24) NOT NULL,
	"rating" integer,
	"signed_by" uuid,
	"countersigned_by" uuid,
	"signed_at" timestamp with time zone,
	"submitted_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_events" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"actor_id" uuid,
	"action" varchar(80) NOT NULL,
	"subject_type" varchar(60) NOT NULL,
	"subject_id" varchar(80),
	"before" jsonb,
	"after" jsonb,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"prev_hash" varchar(64) NOT NULL,
	"hash" varchar(64) NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cohort_members" (
	"cohort_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"role" varchar(16) NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "cohort_members_cohort_id_user_id_role_pk" PRIMARY KEY("cohort_id","user_id","role")
);
--> statement-breakpoint
CREATE TABLE "cohorts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"programme_template_id" uuid,
	"template_version" integer,
	"framework_id" uuid,
	"name" varchar(200) NOT NULL,
	"starts_on" date,
	"ends_on" date,
	"settings" jsonb DEFAULT '{"stalledAfterDays":14,"leadMayObserveLive":true}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "files" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"owner_id" uuid NOT NULL,
	"storage_key" varchar(80) NOT NULL,
	"display_name" varchar(255) NOT NULL,
	"mime_type" varchar(100) NOT NULL,
	"size_bytes" bigint NOT NULL,
	"sha256" varchar(64) NOT NULL,
	"purpose" varchar(30) NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "invitations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"name" varchar(200) NOT NULL,
	"organisation_id" uuid NOT NULL,
	"role" varchar(16) NOT NULL,
	"cohort_id" uuid,
	"cohort_role" varchar(16),
	"invited_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"accepted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "memberships" (
	"user_id" uuid NOT NULL,
	"organisation_id" uuid NOT NULL,
	"role" varchar(16) NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "memberships_user_id_organisation_id_role_pk" PRIMARY KEY("user_id","organisation_id","role")
);
--> statement-breakpoint
CREATE TABLE "notifications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"kind" varchar(60) NOT NULL,
	"title" varchar(300) NOT NULL,
	"body" text,
	"link" varchar(500),
	"read_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "organisations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" varchar(200) NOT NULL,
	"kind" varchar(16) NOT NULL,
	"sector" varchar(200),
	"staff_count" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rate_limits" (
	"key" varchar(255) PRIMARY KEY NOT NULL,
	"points" integer DEFAULT 0 NOT NULL,
	"expire" bigint
);
--> statement-breakpoint
CREATE TABLE "session" (
	"sid" varchar PRIMARY KEY NOT NULL,
	"sess" jsonb NOT NULL,
	"expire" timestamp (6) NOT NULL
);
--> statement-breakpoint
CREATE TABLE "socket_io_attachments" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"created_at" timestamp with time zone DEFAULT now(),
	"payload" "bytea"
);
--> statement-breakpoint
CREATE TABLE "user_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"kind" varchar(16) NOT NULL,
	"token_hash" varchar(64) NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" varchar(254) NOT NULL,
	"name" varchar(200) NOT NULL,
	"password_hash" text,
	"status" varchar(16) DEFAULT 'invited' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
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
CREATE TABLE "lti_contexts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"registration_id" uuid NOT NULL,
	"context_id" varchar(255) NOT NULL,
	"title" varchar(300),
	"memberships_url" varchar(1000),
	"line_items_url" varchar(1000),
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lti_deployments" (
	"registration_id" uuid NOT NULL,
	"deployment_id" varchar(255) NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "lti_deployments_registration_id_deployment_id_pk" PRIMARY KEY("registration_id","deployment_id")
);
--> statement-breakpoint
CREATE TABLE "lti_identities" (
	"registration_id" uuid NOT NULL,
	"sub" varchar(255) NOT NULL,
	"user_id" uuid NOT NULL,
	"linked_by" varchar(12) NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_launch_at" timestamp with time zone,
	CONSTRAINT "lti_identities_registration_id_sub_pk" PRIMARY KEY("registration_id","sub")
);
--> statement-breakpoint
CREATE TABLE "lti_keys" (
	"kid" varchar(64) PRIMARY KEY NOT NULL,
	"status" varchar(10) NOT NULL,
	"public_jwk" jsonb NOT NULL,
	"private_jwk" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"retired_at" timestamp with time zone,
	"expires_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "lti_launches" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"registration_id" uuid NOT NULL,
	"deployment_id" varchar(255) NOT NULL,
	"sub" varchar(255) NOT NULL,
	"user_id" uuid,
	"resource_link_row_id" uuid,
	"context_row_id" uuid,
	"record" jsonb NOT NULL,
	"entry_token_hash" varchar(64) NOT NULL,
	"entry_expires_at" timestamp with time zone NOT NULL,
	"entered_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lti_line_items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"resource_link_row_id" uuid NOT NULL,
	"kind" varchar(12) NOT NULL,
	"cohort_stage_id" uuid NOT NULL,
	"rubric_key" varchar(80) DEFAULT '' NOT NULL,
	"url" varchar(1000) NOT NULL,
	"label" varchar(300) NOT NULL,
	"score_maximum" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lti_login_states" (
	"state_hash" varchar(64) PRIMARY KEY NOT NULL,
	"nonce" varchar(64) NOT NULL,
	"registration_id" uuid NOT NULL,
	"target_link_uri" varchar(1000) NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "lti_registrations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"name" varchar(200) NOT NULL,
	"issuer" varchar(500) NOT NULL,
	"client_id" varchar(255) NOT NULL,
	"auth_login_url" varchar(1000) NOT NULL,
	"access_token_url" varchar(1000) NOT NULL,
	"jwks_url" varchar(1000) NOT NULL,
	"learners_join" boolean DEFAULT true NOT NULL,
	"admins_lead" boolean DEFAULT false NOT NULL,
	"trust_email" boolean DEFAULT true NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lti_resource_links" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"registration_id" uuid NOT NULL,
	"deployment_id" varchar(255) NOT NULL,
	"resource_link_id" varchar(255) NOT NULL,
	"context_row_id" uuid,
	"title" varchar(300),
	"line_item_url" varchar(1000),
	"cohort_id" uuid,
	"cohort_stage_id" uuid,
	"bound_by" uuid,
	"bound_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lti_roster_syncs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"resource_link_row_id" uuid NOT NULL,
	"cohort_id" uuid NOT NULL,
	"synced_by" uuid NOT NULL,
	"summary" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lti_score_posts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"line_item_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"score_given" numeric(7, 2),
	"score_maximum" integer NOT NULL,
	"activity_progress" varchar(20) NOT NULL,
	"grading_progress" varchar(20) NOT NULL,
	"fingerprint" varchar(64) NOT NULL,
	"outcome" varchar(10) NOT NULL,
	"http_status" integer,
	"answer" text,
	"attempt" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cohort_stages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"cohort_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"module_key" varchar(60) NOT NULL,
	"title" varchar(200) NOT NULL,
	"summary" text,
	"config" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"open_requirements" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"complete_requirements" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"starts_on" date,
	"ends_on" date
);
--> statement-breakpoint
CREATE TABLE "programme_templates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" varchar(200) NOT NULL,
	"description" text,
	"framework_id" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stage_completion_marks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"cohort_stage_id" uuid NOT NULL,
	"candidate_id" uuid NOT NULL,
	"mentor_id" uuid NOT NULL,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stage_waivers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"cohort_stage_id" uuid NOT NULL,
	"candidate_id" uuid NOT NULL,
	"scope" varchar(12) NOT NULL,
	"requirement_key" varchar(120),
	"reason" text NOT NULL,
	"mentor_id" uuid NOT NULL,
	"ledger_seq" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "template_stages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"template_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"module_key" varchar(60) NOT NULL,
	"title" varchar(200) NOT NULL,
	"summary" text,
	"config" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"open_requirements" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"complete_requirements" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"start_day" integer,
	"end_day" integer
);
--> statement-breakpoint
CREATE TABLE "assessment_scores" (
	"assessment_id" uuid NOT NULL,
	"criterion_id" uuid NOT NULL,
	"level_position" integer NOT NULL,
	"comment" text,
	CONSTRAINT "assessment_scores_assessment_id_criterion_id_pk" PRIMARY KEY("assessment_id","criterion_id")
);
--> statement-breakpoint
CREATE TABLE "assessments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"rubric_id" uuid NOT NULL,
	"cohort_id" uuid NOT NULL,
	"candidate_id" uuid NOT NULL,
	"assessor_id" uuid NOT NULL,
	"kind" varchar(10) NOT NULL,
	"context_type" varchar(20) NOT NULL,
	"context_id" varchar(80) NOT NULL,
	"cohort_stage_id" uuid,
	"comment" text,
	"percent" numeric(5, 2) NOT NULL,
	"passed" boolean NOT NULL,
	"must_pass_failed" boolean NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rubric_criteria" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"rubric_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"title" varchar(200) NOT NULL,
	"description" text,
	"weight" numeric(6, 2) NOT NULL,
	"must_pass" boolean DEFAULT false NOT NULL,
	"pass_level" integer NOT NULL,
	"competency_id" uuid
);
--> statement-breakpoint
CREATE TABLE "rubric_descriptors" (
	"criterion_id" uuid NOT NULL,
	"level_id" uuid NOT NULL,
	"text" text NOT NULL,
	CONSTRAINT "rubric_descriptors_criterion_id_level_id_pk" PRIMARY KEY("criterion_id","level_id")
);
--> statement-breakpoint
CREATE TABLE "rubric_levels" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"rubric_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"label" varchar(100) NOT NULL,
	"points" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rubrics" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"key" varchar(80),
	"name" varchar(200) NOT NULL,
	"description" text,
	"pass_threshold" numeric(5, 2) NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"archived_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "data_versions" (
	"scope" text PRIMARY KEY NOT NULL,
	"version" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "cohort_required_competencies" ADD CONSTRAINT "cohort_required_competencies_cohort_id_cohorts_id_fk" FOREIGN KEY ("cohort_id") REFERENCES "public"."cohorts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cohort_required_competencies" ADD CONSTRAINT "cohort_required_competencies_competency_id_competencies_id_fk" FOREIGN KEY ("competency_id") REFERENCES "public"."competencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "competencies" ADD CONSTRAINT "competencies_framework_id_competency_frameworks_id_fk" FOREIGN KEY ("framework_id") REFERENCES "public"."competency_frameworks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "competencies" ADD CONSTRAINT "competencies_area_id_competency_areas_id_fk" FOREIGN KEY ("area_id") REFERENCES "public"."competency_areas"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "competency_areas" ADD CONSTRAINT "competency_areas_framework_id_competency_frameworks_id_fk" FOREIGN KEY ("framework_id") REFERENCES "public"."competency_frameworks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signoff_decisions" ADD CONSTRAINT "signoff_decisions_request_id_signoff_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."signoff_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signoff_decisions" ADD CONSTRAINT "signoff_decisions_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signoff_evidence" ADD CONSTRAINT "signoff_evidence_request_id_signoff_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."signoff_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signoff_evidence" ADD CONSTRAINT "signoff_evidence_file_id_files_id_fk" FOREIGN KEY ("file_id") REFERENCES "public"."files"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signoff_evidence" ADD CONSTRAINT "signoff_evidence_added_by_users_id_fk" FOREIGN KEY ("added_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signoff_requests" ADD CONSTRAINT "signoff_requests_cohort_id_cohorts_id_fk" FOREIGN KEY ("cohort_id") REFERENCES "public"."cohorts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signoff_requests" ADD CONSTRAINT "signoff_requests_candidate_id_users_id_fk" FOREIGN KEY ("candidate_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signoff_requests" ADD CONSTRAINT "signoff_requests_competency_id_competencies_id_fk" FOREIGN KEY ("competency_id") REFERENCES "public"."competencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signoff_requests" ADD CONSTRAINT "signoff_requests_signed_by_users_id_fk" FOREIGN KEY ("signed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signoff_requests" ADD CONSTRAINT "signoff_requests_countersigned_by_users_id_fk" FOREIGN KEY ("countersigned_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cohort_members" ADD CONSTRAINT "cohort_members_cohort_id_cohorts_id_fk" FOREIGN KEY ("cohort_id") REFERENCES "public"."cohorts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cohort_members" ADD CONSTRAINT "cohort_members_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cohorts" ADD CONSTRAINT "cohorts_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "files" ADD CONSTRAINT "files_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_cohort_id_cohorts_id_fk" FOREIGN KEY ("cohort_id") REFERENCES "public"."cohorts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_invited_by_users_id_fk" FOREIGN KEY ("invited_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_tokens" ADD CONSTRAINT "user_tokens_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_tokens" ADD CONSTRAINT "user_tokens_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
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
ALTER TABLE "lti_contexts" ADD CONSTRAINT "lti_contexts_registration_id_lti_registrations_id_fk" FOREIGN KEY ("registration_id") REFERENCES "public"."lti_registrations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lti_deployments" ADD CONSTRAINT "lti_deployments_registration_id_lti_registrations_id_fk" FOREIGN KEY ("registration_id") REFERENCES "public"."lti_registrations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lti_identities" ADD CONSTRAINT "lti_identities_registration_id_lti_registrations_id_fk" FOREIGN KEY ("registration_id") REFERENCES "public"."lti_registrations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lti_identities" ADD CONSTRAINT "lti_identities_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lti_launches" ADD CONSTRAINT "lti_launches_registration_id_lti_registrations_id_fk" FOREIGN KEY ("registration_id") REFERENCES "public"."lti_registrations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lti_launches" ADD CONSTRAINT "lti_launches_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lti_launches" ADD CONSTRAINT "lti_launches_resource_link_row_id_lti_resource_links_id_fk" FOREIGN KEY ("resource_link_row_id") REFERENCES "public"."lti_resource_links"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lti_launches" ADD CONSTRAINT "lti_launches_context_row_id_lti_contexts_id_fk" FOREIGN KEY ("context_row_id") REFERENCES "public"."lti_contexts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lti_line_items" ADD CONSTRAINT "lti_line_items_resource_link_row_id_lti_resource_links_id_fk" FOREIGN KEY ("resource_link_row_id") REFERENCES "public"."lti_resource_links"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lti_line_items" ADD CONSTRAINT "lti_line_items_cohort_stage_id_cohort_stages_id_fk" FOREIGN KEY ("cohort_stage_id") REFERENCES "public"."cohort_stages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lti_login_states" ADD CONSTRAINT "lti_login_states_registration_id_lti_registrations_id_fk" FOREIGN KEY ("registration_id") REFERENCES "public"."lti_registrations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lti_registrations" ADD CONSTRAINT "lti_registrations_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lti_registrations" ADD CONSTRAINT "lti_registrations_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lti_resource_links" ADD CONSTRAINT "lti_resource_links_registration_id_lti_registrations_id_fk" FOREIGN KEY ("registration_id") REFERENCES "public"."lti_registrations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lti_resource_links" ADD CONSTRAINT "lti_resource_links_context_row_id_lti_contexts_id_fk" FOREIGN KEY ("context_row_id") REFERENCES "public"."lti_contexts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lti_resource_links" ADD CONSTRAINT "lti_resource_links_cohort_id_cohorts_id_fk" FOREIGN KEY ("cohort_id") REFERENCES "public"."cohorts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lti_resource_links" ADD CONSTRAINT "lti_resource_links_cohort_stage_id_cohort_stages_id_fk" FOREIGN KEY ("cohort_stage_id") REFERENCES "public"."cohort_stages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lti_resource_links" ADD CONSTRAINT "lti_resource_links_bound_by_users_id_fk" FOREIGN KEY ("bound_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lti_roster_syncs" ADD CONSTRAINT "lti_roster_syncs_resource_link_row_id_lti_resource_links_id_fk" FOREIGN KEY ("resource_link_row_id") REFERENCES "public"."lti_resource_links"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lti_roster_syncs" ADD CONSTRAINT "lti_roster_syncs_cohort_id_cohorts_id_fk" FOREIGN KEY ("cohort_id") REFERENCES "public"."cohorts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lti_roster_syncs" ADD CONSTRAINT "lti_roster_syncs_synced_by_users_id_fk" FOREIGN KEY ("synced_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lti_score_posts" ADD CONSTRAINT "lti_score_posts_line_item_id_lti_line_items_id_fk" FOREIGN KEY ("line_item_id") REFERENCES "public"."lti_line_items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lti_score_posts" ADD CONSTRAINT "lti_score_posts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cohort_stages" ADD CONSTRAINT "cohort_stages_cohort_id_cohorts_id_fk" FOREIGN KEY ("cohort_id") REFERENCES "public"."cohorts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stage_completion_marks" ADD CONSTRAINT "stage_completion_marks_cohort_stage_id_cohort_stages_id_fk" FOREIGN KEY ("cohort_stage_id") REFERENCES "public"."cohort_stages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stage_completion_marks" ADD CONSTRAINT "stage_completion_marks_candidate_id_users_id_fk" FOREIGN KEY ("candidate_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stage_completion_marks" ADD CONSTRAINT "stage_completion_marks_mentor_id_users_id_fk" FOREIGN KEY ("mentor_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stage_waivers" ADD CONSTRAINT "stage_waivers_cohort_stage_id_cohort_stages_id_fk" FOREIGN KEY ("cohort_stage_id") REFERENCES "public"."cohort_stages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stage_waivers" ADD CONSTRAINT "stage_waivers_candidate_id_users_id_fk" FOREIGN KEY ("candidate_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stage_waivers" ADD CONSTRAINT "stage_waivers_mentor_id_users_id_fk" FOREIGN KEY ("mentor_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "template_stages" ADD CONSTRAINT "template_stages_template_id_programme_templates_id_fk" FOREIGN KEY ("template_id") REFERENCES "public"."programme_templates"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessment_scores" ADD CONSTRAINT "assessment_scores_assessment_id_assessments_id_fk" FOREIGN KEY ("assessment_id") REFERENCES "public"."assessments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessment_scores" ADD CONSTRAINT "assessment_scores_criterion_id_rubric_criteria_id_fk" FOREIGN KEY ("criterion_id") REFERENCES "public"."rubric_criteria"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessments" ADD CONSTRAINT "assessments_rubric_id_rubrics_id_fk" FOREIGN KEY ("rubric_id") REFERENCES "public"."rubrics"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessments" ADD CONSTRAINT "assessments_cohort_id_cohorts_id_fk" FOREIGN KEY ("cohort_id") REFERENCES "public"."cohorts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessments" ADD CONSTRAINT "assessments_candidate_id_users_id_fk" FOREIGN KEY ("candidate_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessments" ADD CONSTRAINT "assessments_assessor_id_users_id_fk" FOREIGN KEY ("assessor_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rubric_criteria" ADD CONSTRAINT "rubric_criteria_rubric_id_rubrics_id_fk" FOREIGN KEY ("rubric_id") REFERENCES "public"."rubrics"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rubric_criteria" ADD CONSTRAINT "rubric_criteria_competency_id_competencies_id_fk" FOREIGN KEY ("competency_id") REFERENCES "public"."competencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rubric_descriptors" ADD CONSTRAINT "rubric_descriptors_criterion_id_rubric_criteria_id_fk" FOREIGN KEY ("criterion_id") REFERENCES "public"."rubric_criteria"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rubric_descriptors" ADD CONSTRAINT "rubric_descriptors_level_id_rubric_levels_id_fk" FOREIGN KEY ("level_id") REFERENCES "public"."rubric_levels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rubric_levels" ADD CONSTRAINT "rubric_levels_rubric_id_rubrics_id_fk" FOREIGN KEY ("rubric_id") REFERENCES "public"."rubrics"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "competencies_code_idx" ON "competencies" USING btree ("framework_id","code");--> statement-breakpoint
CREATE INDEX "ledger_candidate_idx" ON "ledger_entries" USING btree ("candidate_id");--> statement-breakpoint
CREATE INDEX "ledger_cohort_idx" ON "ledger_entries" USING btree ("cohort_id");--> statement-breakpoint
CREATE INDEX "signoff_decisions_request_idx" ON "signoff_decisions" USING btree ("request_id");--> statement-breakpoint
CREATE INDEX "signoff_evidence_request_idx" ON "signoff_evidence" USING btree ("request_id");--> statement-breakpoint
CREATE INDEX "signoff_requests_candidate_idx" ON "signoff_requests" USING btree ("candidate_id","competency_id");--> statement-breakpoint
CREATE INDEX "signoff_requests_cohort_status_idx" ON "signoff_requests" USING btree ("cohort_id","status");--> statement-breakpoint
CREATE INDEX "audit_subject_idx" ON "audit_events" USING btree ("subject_type","subject_id");--> statement-breakpoint
CREATE INDEX "cohort_members_user_idx" ON "cohort_members" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "cohorts_org_idx" ON "cohorts" USING btree ("organisation_id");--> statement-breakpoint
CREATE UNIQUE INDEX "files_storage_key_idx" ON "files" USING btree ("storage_key");--> statement-breakpoint
CREATE INDEX "invitations_user_idx" ON "invitations" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "invitations_cohort_idx" ON "invitations" USING btree ("cohort_id");--> statement-breakpoint
CREATE INDEX "memberships_org_idx" ON "memberships" USING btree ("organisation_id");--> statement-breakpoint
CREATE INDEX "notifications_user_idx" ON "notifications" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "IDX_session_expire" ON "session" USING btree ("expire");--> statement-breakpoint
CREATE UNIQUE INDEX "user_tokens_hash_idx" ON "user_tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_lower_idx" ON "users" USING btree (lower("email"));--> statement-breakpoint
CREATE UNIQUE INDEX "impact_courses_code_idx" ON "impact_courses" USING btree ("questionnaire_code");--> statement-breakpoint
CREATE INDEX "impact_courses_org_idx" ON "impact_courses" USING btree ("organisation_id","delivered_on");--> statement-breakpoint
CREATE INDEX "impact_courses_trainer_idx" ON "impact_courses" USING btree ("trainer_id");--> statement-breakpoint
CREATE INDEX "impact_courses_cotrainer_idx" ON "impact_courses" USING btree ("co_trainer_id");--> statement-breakpoint
CREATE UNIQUE INDEX "impact_incident_counts_version_idx" ON "impact_incident_counts" USING btree ("service_id","month","version");--> statement-breakpoint
CREATE INDEX "impact_incident_counts_org_idx" ON "impact_incident_counts" USING btree ("organisation_id","month");--> statement-breakpoint
CREATE UNIQUE INDEX "impact_responses_device_idx" ON "impact_responses" USING btree ("course_id","device_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "impact_services_name_idx" ON "impact_services" USING btree ("organisation_id",lower("name"));--> statement-breakpoint
CREATE UNIQUE INDEX "lti_contexts_key_idx" ON "lti_contexts" USING btree ("registration_id","context_id");--> statement-breakpoint
CREATE INDEX "lti_identities_user_idx" ON "lti_identities" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "lti_keys_one_active_idx" ON "lti_keys" USING btree ("status") WHERE "lti_keys"."status" = 'active';--> statement-breakpoint
CREATE UNIQUE INDEX "lti_launches_entry_idx" ON "lti_launches" USING btree ("entry_token_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "lti_line_items_key_idx" ON "lti_line_items" USING btree ("resource_link_row_id","kind","cohort_stage_id","rubric_key");--> statement-breakpoint
CREATE INDEX "lti_login_states_expires_idx" ON "lti_login_states" USING btree ("expires_at");--> statement-breakpoint
CREATE UNIQUE INDEX "lti_registrations_issuer_client_idx" ON "lti_registrations" USING btree ("issuer","client_id");--> statement-breakpoint
CREATE INDEX "lti_registrations_org_idx" ON "lti_registrations" USING btree ("organisation_id");--> statement-breakpoint
CREATE UNIQUE INDEX "lti_resource_links_key_idx" ON "lti_resource_links" USING btree ("registration_id","deployment_id","resource_link_id");--> statement-breakpoint
CREATE INDEX "lti_resource_links_cohort_idx" ON "lti_resource_links" USING btree ("cohort_id");--> statement-breakpoint
CREATE INDEX "lti_roster_syncs_link_idx" ON "lti_roster_syncs" USING btree ("resource_link_row_id","created_at");--> statement-breakpoint
CREATE INDEX "lti_score_posts_item_user_idx" ON "lti_score_posts" USING btree ("line_item_id","user_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "cohort_stages_pos_idx" ON "cohort_stages" USING btree ("cohort_id","position");--> statement-breakpoint
CREATE INDEX "cohort_stages_module_idx" ON "cohort_stages" USING btree ("module_key");--> statement-breakpoint
CREATE UNIQUE INDEX "stage_completion_marks_idx" ON "stage_completion_marks" USING btree ("cohort_stage_id","candidate_id");--> statement-breakpoint
CREATE INDEX "stage_waivers_candidate_idx" ON "stage_waivers" USING btree ("candidate_id","cohort_stage_id");--> statement-breakpoint
CREATE UNIQUE INDEX "template_stages_pos_idx" ON "template_stages" USING btree ("template_id","position");--> statement-breakpoint
CREATE INDEX "assessments_candidate_idx" ON "assessments" USING btree ("candidate_id","rubric_id");--> statement-breakpoint
CREATE INDEX "assessments_context_idx" ON "assessments" USING btree ("context_type","context_id");--> statement-breakpoint
CREATE INDEX "assessments_cohort_idx" ON "assessments" USING btree ("cohort_id");