package org.sidekiqsupervisor.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** This library's version, from the properties file the build writes; read once, on first use. */
public final class LibraryVersion {
    /** The version, e.g. {@code 0.1.0}, or {@code unknown} when the build wrote none. */
    public static final String VALUE = read();

    private LibraryVersion() {
    }

    private static String read() {
        try (InputStream in = LibraryVersion.class.getResourceAsStream("/org/sidekiqsupervisor/version.properties")) {
            Properties properties = new Properties();
            if (in != null) {
                properties.load(in);
            }
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
