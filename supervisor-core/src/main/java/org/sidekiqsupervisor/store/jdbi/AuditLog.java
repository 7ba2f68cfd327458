package org.sidekiqsupervisor.store.jdbi;

import java.util.Arrays;
import java.util.List;

import org.sidekiqsupervisor.internal.Times;
import org.sidekiqsupervisor.model.AuditEntry;
import org.sidekiqsupervisor.store.StoreSchema;

/** The audit log's table: see {@link org.sidekiqsupervisor.store.JobStore#recordAudit}. */
final class AuditLog {
    private final Transactions transactions;
    private final String table;

    AuditLog(Transactions transactions, StoreSchema schema) {
        this.transactions = transactions;
        this.table = schema.tablePrefix() + "audit";
    }

    AuditEntry record(AuditEntry entry) {
        long id = transactions.inTransaction(handle -> handle.createUpdate("insert into " + table
                        + " (at_us, actor, action, target, jids, job_count, dry_run)"
                        + " values (:at, :actor, :action, :target, :jids, :count, :dryRun)")
                .bind("at", Times.toMicros(entry.at()))
                .bind("actor", cut(entry.actor(), 255))
                .bind("action", cut(entry.action(), 64))
                .bind("target", cut(entry.target(), 1000))
                .bind("jids", String.join(" ", entry.jids()))
                .bind("count", entry.count())
                .bind("dryRun", entry.dryRun())
                .executeAndReturnGeneratedKeys("audit_id").mapTo(Long.class).one());
        return new AuditEntry(id, entry.at(), cut(entry.actor(), 255), cut(entry.action(), 64), cut(entry.target(), 1000),
                entry.jids(), entry.count(), entry.dryRun());
    }

    List<AuditEntry> page(int limit, Long beforeId) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1 (got " + limit + ")");
        }
        return transactions.withHandle(handle -> handle.createQuery("select audit_id, at_us, actor, action, target, jids,"
                        + " job_count, dry_run from " + table + " where audit_id < :before order by audit_id desc")
                .bind("before", beforeId == null ? Long.MAX_VALUE : beforeId)
                .setMaxRows(limit)
                .map((rs, ctx) -> new AuditEntry(rs.getLong("audit_id"), Times.fromMicros(rs.getLong("at_us")),
                        rs.getString("actor"), rs.getString("action"), rs.getString("target"),
                        rs.getString("jids").isEmpty() ? List.of() : Arrays.asList(rs.getString("jids").split(" ")),
                        rs.getLong("job_count"), rs.getBoolean("dry_run")))
                .list());
    }

    private static String cut(String text, int max) {
        return text.length() > max ? text.substring(0, max) : text;
    }
}
