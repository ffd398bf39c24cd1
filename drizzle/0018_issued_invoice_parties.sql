ALTER TABLE "invoices" ADD COLUMN "period_label" text;--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "issued_parties" jsonb;--> statement-breakpoint
-- Invoices issued before their customer and firm were kept with them keep them as they are now,
-- and change no more. (Their period stays the span they were drafted for.)
UPDATE "invoices" i SET "issued_parties" = jsonb_build_object(
  'customer', jsonb_build_object('name', c.name, 'address', coalesce(c.address, ''), 'taxId', coalesce(c.tax_id, ''),
                                 'billingEmail', coalesce(c.billing_email, '')),
  'firm', jsonb_build_object(
    'name', coalesce((SELECT s.value #>> '{}' FROM "settings" s WHERE s.key = 'firm_name'), ''),
    'address', coalesce((SELECT s.value #>> '{}' FROM "settings" s WHERE s.key = 'firm_address'), ''),
    'taxId', coalesce((SELECT s.value #>> '{}' FROM "settings" s WHERE s.key = 'firm_tax_id'), '')))
  FROM "customers" c WHERE c.id = i.customer_id AND i.status <> 'draft';
