ALTER TABLE "organisations" ADD COLUMN "logo_key" varchar(80);--> statement-breakpoint
ALTER TABLE "organisations" ADD COLUMN "logo_type" varchar(40);