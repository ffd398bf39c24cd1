-- The minimal /log transaction, for pgbench (bench/log-throughput.ts runs it): the reads a /log
-- needs (actor with rights and consultant row; project, assignment and period), the sheet lock,
-- the day's total on that sheet (a day lies in one period, so on its one live sheet), the entry,
-- its audit row and the consultant's App Home queued on the outbox (a row of its own kind, marked
-- sent, which the app's dispatcher never picks up). Consultant users are U000BENCH .. U099BENCH.
\set c random(0, :consultants - 1)
\set minutes random(1, 5)
BEGIN;
SELECT e.id AS emp,
       array(SELECT DISTINCT unnest(r.rights)::text FROM user_roles ur JOIN roles r ON r.id = ur.role_id
              WHERE ur.user_id = u.id) AS rights
  FROM users u
  JOIN employees e ON e.user_id = u.id AND e.archived_at IS NULL
  JOIN consultants k ON k.employee_id = e.id AND k.archived_at IS NULL
 WHERE u.id = 'U' || lpad((:c)::text, 3, '0') || 'BENCH' AND u.active \gset
SELECT p.id AS project, rp.id AS period, pc.project_id IS NOT NULL AS assigned
  FROM projects p
  JOIN customers cu ON cu.id = p.customer_id
  LEFT JOIN project_consultants pc ON pc.project_id = p.id AND pc.consultant_id = :emp AND pc.archived_at IS NULL
  LEFT JOIN reporting_periods rp ON rp.starts_on <= current_date AND rp.ends_on >= current_date AND rp.archived_at IS NULL
 WHERE p.code = 'ACME-WEB' AND p.archived_at IS NULL LIMIT 1 \gset
SELECT id AS sheet FROM timesheets
 WHERE consultant_id = :emp AND period_id = :period AND status <> 'cancelled' FOR UPDATE \gset
SELECT coalesce(sum(e.minutes), 0) AS day_total
  FROM time_entries e
 WHERE e.timesheet_id = :sheet AND e.work_date = current_date;
INSERT INTO time_entries (timesheet_id, project_id, work_date, minutes, description, billable, source, created_by)
VALUES (:sheet, :project, current_date, :minutes, 'pgbench', true, 'command',
        (SELECT user_id FROM employees WHERE id = :emp)) RETURNING id AS entry \gset
INSERT INTO audit_log (at, actor_id, action, entity, entity_id, after)
SELECT now(), user_id, 'time_entry.create', 'time_entry', :entry, '{}' FROM employees WHERE id = :emp;
INSERT INTO outbox (kind, dedupe_key, payload, status)
SELECT 'pgbench-home', 'pgbench-home:' || user_id, jsonb_build_object('userId', user_id), 'sent'
  FROM employees WHERE id = :emp
    ON CONFLICT (dedupe_key) DO UPDATE SET revision = outbox.revision + 1, updated_at = now();
END;
