package org.sidekiqsupervisor.standalone;

import org.sidekiqsupervisor.Supervisor;
import org.sidekiqsupervisor.store.IngestJournal;
import org.sidekiqsupervisor.store.StoreSchema;
import picocli.CommandLine.Option;

/** Where the store is: shared by the server and the console commands. */
final class DatabaseOptions {
    @Option(names = "--database-url", paramLabel = "URL",
            defaultValue = "${env:SUPERVISOR_DATABASE_URL:-" + Supervisor.DEFAULT_DATABASE_URL + "}",
            description = "JDBC URL of the store: jdbc:h2:file:... or jdbc:postgresql://host/db "
                    + "(env SUPERVISOR_DATABASE_URL; default: ${DEFAULT-VALUE})")
    String url;

    @Option(names = "--database-user", paramLabel = "USER", defaultValue = "${env:SUPERVISOR_DATABASE_USER}",
            description = "database user (env SUPERVISOR_DATABASE_USER)")
    String user;

    @Option(names = "--database-password", paramLabel = "PASSWORD", defaultValue = "${env:SUPERVISOR_DATABASE_PASSWORD}",
            description = "database password; prefer the environment variable SUPERVISOR_DATABASE_PASSWORD", arity = "1")
    String password;

    @Option(names = "--table-prefix", paramLabel = "PREFIX", defaultValue = "${env:SUPERVISOR_TABLE_PREFIX:-supervisor_}",
            description = "prefix of the supervisor's tables, for a database shared with your application "
                    + "(env SUPERVISOR_TABLE_PREFIX; default: ${DEFAULT-VALUE})")
    String tablePrefix;

    @Option(names = "--schema-mode", paramLabel = "MODE", defaultValue = "${env:SUPERVISOR_SCHEMA_MODE:-migrate}",
            description = "migrate: create and upgrade the tables at start; validate: only check they are current; none: "
                    + "touch nothing (env SUPERVISOR_SCHEMA_MODE; default: ${DEFAULT-VALUE})")
    String schemaMode;

    @Option(names = "--ingest-journal", paramLabel = "FSYNC", defaultValue = "${env:SUPERVISOR_INGEST_JOURNAL:-everysec}",
            description = "on an H2 file: answer events once appended to a journal beside it, flushed to the disk "
                    + "always (before each answer), everysec or no (left to the operating system), and apply them to the "
                    + "store behind; off: answer once the store committed them (env SUPERVISOR_INGEST_JOURNAL; default: "
                    + "${DEFAULT-VALUE})")
    String ingestJournal;

    Supervisor.Builder applyTo(Supervisor.Builder builder) {
        return builder.databaseUrl(url).databaseUser(user).databasePassword(password)
                .schema(new StoreSchema(tablePrefix, StoreSchema.Mode.parse(schemaMode)))
                .ingestJournal(IngestJournal.parse(ingestJournal));
    }
}
