ALTER TABLE "customers" ADD COLUMN "payment_terms_days" integer;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "tax_id" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "billing_email" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "invoice_lines" ADD COLUMN "rounded_minutes" integer;--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "period_starts_on" date;--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "period_ends_on" date;--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "rounding_minutes" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "created_by" text;--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "channel" text;--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "issued_by" text;--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "issued_on" date;--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "due_on" date;--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "payment_terms_days" integer;--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "voided_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "voided_by" text;--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "void_reason" text;--> statement-breakpoint
CREATE INDEX "invoices_customer_status_idx" ON "invoices" USING btree ("customer_id","status");--> statement-breakpoint
ALTER TABLE "customers" ADD CONSTRAINT "customers_payment_terms" CHECK ("customers"."payment_terms_days" is null or "customers"."payment_terms_days" between 0 and 365);--> statement-breakpoint
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_issue_dates" CHECK ("invoices"."status" = 'draft' or ("invoices"."issued_on" is not null and "invoices"."due_on" is not null and "invoices"."due_on" >= "invoices"."issued_on"));--> statement-breakpoint
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_void_reason" CHECK ("invoices"."status" <> 'void' or length("invoices"."void_reason") > 0);