package org.sidekiqsupervisor.standalone;

import org.sidekiqsupervisor.Supervisor;
import org.sidekiqsupervisor.SupervisorException;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code java -jar supervisor-standalone.jar [serve] [options]}: the supervisor on its own. Every setting
 * is a flag or an environment variable ({@code --help} lists them).
 *
 * <p>Exit codes: 0 stopped cleanly (or a command done), 1 could not start or the store or Redis did not answer
 * (store unreachable, port taken), 2 bad usage, 3 a restart stopped part-way. A server stopped by SIGTERM or SIGINT
 * exits 0 once every request in flight was answered, else as the JVM ends on that signal (143, 130).
 */
@Command(name = "supervisor", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        subcommands = {ServeCommand.class, JobsCommand.class, DurationsCommand.class, RestartCommand.class, PruneCommand.class,
                CommandLine.HelpCommand.class},
        description = "Sidekiq Supervisor: knows what happened to every Sidekiq job. Without a command it serves.")
public final class Main implements Runnable {
    /** Exit code when the supervisor could not start. */
    static final int CANNOT_START = 1;

    public static void main(String[] args) {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        System.exit(commandLine().execute(defaultToServe(args)));
    }

    static CommandLine commandLine() {
        return new CommandLine(new Main())
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    int code = exitCode(e, cmd.getCommandSpec().exitCodeOnInvalidInput());
                    if (code < 0) {
                        throw e;
                    }
                    cmd.getErr().println("error: " + e.getMessage());
                    return code;
                });
    }

    /**
     * The console's one table of exit codes for failures: input the command cannot use (the usage code), a store or a
     * Redis that does not answer ({@value #CANNOT_START}), or -1 for anything else (a bug: picocli prints its trace).
     */
    static int exitCode(Exception failure, int invalidInput) {
        if (failure instanceof SupervisorException e) {
            return switch (e.kind()) {
                case INVALID_INPUT, NOT_FOUND, SIDEKIQ_NOT_CONFIGURED -> invalidInput;
                case STORE_UNAVAILABLE, SIDEKIQ_UNAVAILABLE -> CANNOT_START;
            };
        }
        if (failure instanceof IllegalArgumentException) {
            return invalidInput;
        }
        if (failure instanceof java.io.IOException) {
            return CANNOT_START;
        }
        return -1;
    }

    /** No command, or only options: serve. */
    static String[] defaultToServe(String[] args) {
        if (args.length > 0 && !args[0].startsWith("-")) {
            return args;
        }
        if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h") || args[0].equals("--version") || args[0].equals("-V"))) {
            return args;
        }
        String[] withServe = new String[args.length + 1];
        withServe[0] = "serve";
        System.arraycopy(args, 0, withServe, 1, args.length);
        return withServe;
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** The version shown by {@code --version}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"Sidekiq Supervisor " + Supervisor.version()};
        }
    }
}
