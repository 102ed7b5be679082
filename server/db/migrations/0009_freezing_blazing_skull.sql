ALTER TABLE "cpd_entries" ADD COLUMN "file_id" uuid;--> statement-breakpoint
ALTER TABLE "trainer_record_changes" ADD COLUMN "file_id" uuid;--> statement-breakpoint
ALTER TABLE "trainer_records" ADD COLUMN "ledger_seq" integer;--> statement-breakpoint
ALTER TABLE "cpd_entries" ADD CONSTRAINT "cpd_entries_file_id_files_id_fk" FOREIGN KEY ("file_id") REFERENCES "public"."files"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trainer_record_changes" ADD CONSTRAINT "trainer_record_changes_file_id_files_id_fk" FOREIGN KEY ("file_id") REFERENCES "public"."files"("id") ON DELETE no action ON UPDATE no action;