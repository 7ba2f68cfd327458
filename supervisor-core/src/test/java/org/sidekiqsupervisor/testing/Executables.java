package org.sidekiqsupervisor.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Programs the tests run, found on the {@code PATH} as a shell would find them. */
public final class Executables {
    private Executables() {
    }

    /** The first executable file called {@code name} in a directory of the {@code PATH}, if there is one. */
    public static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String directory : path.split(File.pathSeparator)) {
            if (directory.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(directory, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** The executable called {@code name} on the {@code PATH}; fails when there is none (check with {@link Service} first). */
    public static Path require(String name) {
        return onPath(name).orElseThrow(() -> new IllegalStateException(name + " is not on the PATH (" + System.getenv("PATH") + ")"));
    }
}
