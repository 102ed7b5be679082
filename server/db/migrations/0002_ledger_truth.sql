ALTER TABLE "stage_completion_marks" ADD COLUMN "ledger_seq" integer;--> statement-breakpoint
ALTER TABLE "stage_waivers" ADD COLUMN "withdrawn_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "stage_waivers" ADD COLUMN "withdrawn_by" uuid;--> statement-breakpoint
ALTER TABLE "stage_waivers" ADD COLUMN "withdrawal_reason" text;--> statement-breakpoint
ALTER TABLE "stage_waivers" ADD COLUMN "withdrawal_ledger_seq" integer;--> statement-breakpoint
ALTER TABLE "stage_waivers" ADD CONSTRAINT "stage_waivers_withdrawn_by_users_id_fk" FOREIGN KEY ("withdrawn_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;