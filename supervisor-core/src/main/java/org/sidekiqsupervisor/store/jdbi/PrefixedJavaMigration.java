package org.sidekiqsupervisor.store.jdbi;

import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.JavaMigration;

/**
 * A migration in Java, for what SQL alone cannot do, on the tables of one prefix. Flyway's own base class takes
 * the version from the class name; these are registered as instances (they need the prefix), so each names its
 * version, and its checksum is that version: the code of a migration that has run is not changed.
 */
abstract class PrefixedJavaMigration implements JavaMigration {
    /** The supervisor's table prefix, as in {@code ${prefix}} of the SQL migrations. */
    protected final String prefix;
    private final int version;
    private final String description;

    PrefixedJavaMigration(String prefix, int version, String description) {
        this.prefix = prefix;
        this.version = version;
        this.description = description;
    }

    @Override
    public final MigrationVersion getVersion() {
        return MigrationVersion.fromVersion(Integer.toString(version));
    }

    @Override
    public final String getDescription() {
        return description;
    }

    @Override
    public final Integer getChecksum() {
        return version;
    }

    @Override
    public final boolean canExecuteInTransaction() {
        return true;
    }
}
