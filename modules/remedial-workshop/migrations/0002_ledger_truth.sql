ALTER TABLE "remedial_workshop_signoffs" ADD COLUMN "override_reason" text;--> statement-breakpoint
ALTER TABLE "remedial_workshop_signoffs" ADD COLUMN "ledger_seq" integer;