ALTER TYPE "public"."outbox_status" ADD VALUE 'dismissed';--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "delivering_since" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "revision" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "outbox_ref_idx" ON "outbox" USING btree ("kind",("payload"->>'ref'));