package org.sidekiqsupervisor.internal;

/** URLs fit for logs, start-up lines and error bodies. */
public final class Urls {
    private Urls() {
    }

    /**
     * The text without any {@code user:password@} or {@code :password@} before a host: in a URL, and in a driver's
     * error message that echoes one (PostgreSQL's names whatever stood before the host).
     */
    public static String withoutCredentials(String text) {
        return text.replaceAll("(?<=^|[\\s/])[^\\s/@]*:[^\\s/@]*@", "");
    }
}
