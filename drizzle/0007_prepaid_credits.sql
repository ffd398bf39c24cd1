CREATE TYPE "public"."credit_alert_kind" AS ENUM('low_credit', 'forecast');--> statement-breakpoint
CREATE TABLE "credit_alerts" (
	"id" serial PRIMARY KEY NOT NULL,
	"customer_id" integer NOT NULL,
	"kind" "credit_alert_kind" NOT NULL,
	"remaining_minutes" integer NOT NULL,
	"threshold_minutes" integer,
	"days_left" integer,
	"alerted_at" timestamp with time zone NOT NULL,
	"rearmed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
DROP INDEX "credit_ledger_customer_idx";--> statement-breakpoint
ALTER TABLE "credit_ledger" ADD COLUMN "price_cents" bigint;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "credit_on_issue" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "credit_alerts" ADD CONSTRAINT "credit_alerts_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "credit_alerts_one_live" ON "credit_alerts" USING btree ("customer_id","kind") WHERE "credit_alerts"."rearmed_at" is null;--> statement-breakpoint
CREATE INDEX "credit_ledger_customer_idx" ON "credit_ledger" USING btree ("customer_id","occurred_on");--> statement-breakpoint
ALTER TABLE "credit_ledger" ADD CONSTRAINT "credit_ledger_adjustment_reason" CHECK ("credit_ledger"."kind" <> 'adjustment' or length(trim("credit_ledger"."note")) > 0);--> statement-breakpoint
ALTER TABLE "credit_ledger" ADD CONSTRAINT "credit_ledger_price" CHECK ("credit_ledger"."price_cents" is null or ("credit_ledger"."kind" = 'purchase' and "credit_ledger"."price_cents" >= 0));