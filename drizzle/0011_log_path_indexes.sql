DROP INDEX "time_entries_timesheet_idx";--> statement-breakpoint
CREATE INDEX "time_entries_timesheet_idx" ON "time_entries" USING btree ("timesheet_id","work_date");