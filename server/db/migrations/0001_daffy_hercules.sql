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
CREATE TABLE "socket_io_attachments" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"created_at" timestamp with time zone DEFAULT now(),
	"payload" "bytea"
);
--> statement-breakpoint
ALTER TABLE "co_delivery_live_notes" ADD CONSTRAINT "co_delivery_live_notes_room_id_co_delivery_live_rooms_id_fk" FOREIGN KEY ("room_id") REFERENCES "public"."co_delivery_live_rooms"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "co_delivery_live_notes" ADD CONSTRAINT "co_delivery_live_notes_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "co_delivery_live_notes" ADD CONSTRAINT "co_delivery_live_notes_candidate_id_users_id_fk" FOREIGN KEY ("candidate_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "co_delivery_live_notes" ADD CONSTRAINT "co_delivery_live_notes_criterion_id_rubric_criteria_id_fk" FOREIGN KEY ("criterion_id") REFERENCES "public"."rubric_criteria"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "co_delivery_live_releases" ADD CONSTRAINT "co_delivery_live_releases_room_id_co_delivery_live_rooms_id_fk" FOREIGN KEY ("room_id") REFERENCES "public"."co_delivery_live_rooms"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "co_delivery_live_releases" ADD CONSTRAINT "co_delivery_live_releases_released_by_users_id_fk" FOREIGN KEY ("released_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "co_delivery_live_rooms" ADD CONSTRAINT "co_delivery_live_rooms_cohort_id_cohorts_id_fk" FOREIGN KEY ("cohort_id") REFERENCES "public"."cohorts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "co_delivery_live_rooms" ADD CONSTRAINT "co_delivery_live_rooms_candidate_id_users_id_fk" FOREIGN KEY ("candidate_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "co_delivery_live_rooms" ADD CONSTRAINT "co_delivery_live_rooms_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "co_delivery_live_notes_seq_idx" ON "co_delivery_live_notes" USING btree ("room_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "co_delivery_live_notes_client_idx" ON "co_delivery_live_notes" USING btree ("room_id","client_id");--> statement-breakpoint
CREATE UNIQUE INDEX "co_delivery_live_notes_release_idx" ON "co_delivery_live_notes" USING btree ("room_id","release_seq");--> statement-breakpoint
CREATE INDEX "co_delivery_live_notes_candidate_idx" ON "co_delivery_live_notes" USING btree ("candidate_id");--> statement-breakpoint
CREATE INDEX "co_delivery_live_releases_room_idx" ON "co_delivery_live_releases" USING btree ("room_id");--> statement-breakpoint
CREATE INDEX "co_delivery_live_rooms_cohort_idx" ON "co_delivery_live_rooms" USING btree ("cohort_id");--> statement-breakpoint
CREATE INDEX "co_delivery_live_rooms_candidate_idx" ON "co_delivery_live_rooms" USING btree ("candidate_id");