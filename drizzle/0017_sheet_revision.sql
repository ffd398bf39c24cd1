ALTER TABLE "timesheets" ADD COLUMN "revision" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- A /log that read a sheet without locking it writes only at the revision it read. The statements
-- that save an entry raise it themselves (src/services/entry-insert.ts), in the statement that
-- inserts; every statement that changes or removes entries raises it here, once per sheet touched.
CREATE FUNCTION "timesheets_raise_revision"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    UPDATE timesheets SET revision = revision + 1 WHERE id IN (SELECT timesheet_id FROM old_entries);
  ELSE
    UPDATE timesheets SET revision = revision + 1
     WHERE id IN (SELECT timesheet_id FROM new_entries UNION SELECT timesheet_id FROM old_entries);
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "time_entries_update_raises_revision" AFTER UPDATE ON "time_entries"
  REFERENCING OLD TABLE AS old_entries NEW TABLE AS new_entries FOR EACH STATEMENT EXECUTE FUNCTION "timesheets_raise_revision"();--> statement-breakpoint
CREATE TRIGGER "time_entries_delete_raises_revision" AFTER DELETE ON "time_entries"
  REFERENCING OLD TABLE AS old_entries FOR EACH STATEMENT EXECUTE FUNCTION "timesheets_raise_revision"();
