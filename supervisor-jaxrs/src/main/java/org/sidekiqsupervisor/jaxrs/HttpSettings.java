package org.sidekiqsupervisor.jaxrs;

import java.util.Objects;

/**
 * How the HTTP front end serves a supervisor: the API token, the dashboard's sign-in, the largest request body, and
 * whether the benchmark's no-op endpoints are mounted. Build one with {@link #builder()}; {@link #DEFAULTS} is an open
 * API and dashboard with a 1 MiB body limit.
 *
 * @param apiToken       the bearer token the API requires, or null when it is open
 * @param dashboardLogin what the dashboard's HTTP Basic sign-in accepts, or null when it is open
 * @param maxBodyBytes   the largest request body read, in bytes (at least 1024)
 * @param noopEndpoint   whether the benchmark's baseline endpoints ({@code /api/v1/noop/...}) are served
 * @param readOnly       whether every action is refused (403): restarts, deletes, and actions on Sidekiq's jobs and
 *                       processes ({@link ReadOnlyFilter})
 */
public record HttpSettings(String apiToken, DashboardLogin dashboardLogin, long maxBodyBytes, boolean noopEndpoint,
                           boolean readOnly) {
    /** The default limit on a request body, in bytes (1 MiB). */
    public static final long DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
    /** An open API and dashboard, bodies up to 1 MiB, no no-op endpoints. */
    public static final HttpSettings DEFAULTS = builder().build();

    /** Checks the settings. */
    public HttpSettings {
        if (apiToken != null && apiToken.isEmpty()) {
            throw new IllegalArgumentException("apiToken must not be empty: pass null for an open API");
        }
        if (maxBodyBytes < 1024) {
            throw new IllegalArgumentException("maxBodyBytes must be at least 1024 (got " + maxBodyBytes + ")");
        }
    }

    /** A builder with every setting at its default. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * What the dashboard's HTTP Basic sign-in accepts.
     *
     * @param user     the user name, or null for any
     * @param password the password
     */
    public record DashboardLogin(String user, String password) {
        /** Checks that there is a password. */
        public DashboardLogin {
            Objects.requireNonNull(password, "password");
        }

        @Override
        public String toString() {
            return "DashboardLogin[user=" + user + ", password=***]";
        }
    }

    /** Builds {@link HttpSettings}; settings are checked in {@link #build()}, which fails naming the setting. */
    public static final class Builder {
        private String apiToken;
        private String dashboardUser = "admin";
        private String dashboardPassword;
        private long maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
        private boolean noopEndpoint;
        private boolean readOnly;

        private Builder() {
        }

        /** A bearer token the HTTP API will require; null or empty (the default) leaves it open. */
        public Builder apiToken(String token) {
            apiToken = token;
            return this;
        }

        /**
         * HTTP Basic sign-in for the dashboard: the user name (default {@code admin}) and password. A null or empty
         * password (the default) leaves it to the API token: with a token, the dashboard asks for the token as the
         * password (any user name), so that locking the API never leaves its controls open in the browser.
         */
        public Builder dashboardLogin(String user, String password) {
            dashboardUser = user == null || user.isEmpty() ? "admin" : user;
            dashboardPassword = password;
            return this;
        }

        /** The largest request body the HTTP API reads; default 1 MiB, at least 1024. */
        public Builder maxBodyBytes(long value) {
            maxBodyBytes = value;
            return this;
        }

        /** Serve the benchmark's baseline endpoints under {@code /api/v1/noop}; default off. */
        public Builder noopEndpoint(boolean value) {
            noopEndpoint = value;
            return this;
        }

        /** Refuse every action on Sidekiq's jobs and processes with 403 ({@code --read-only}); default off. */
        public Builder readOnly(boolean value) {
            readOnly = value;
            return this;
        }

        /**
         * The settings.
         *
         * @throws IllegalArgumentException naming the setting that is wrong
         */
        public HttpSettings build() {
            String token = apiToken == null || apiToken.isEmpty() ? null : apiToken;
            DashboardLogin login = dashboardPassword != null && !dashboardPassword.isEmpty()
                    ? new DashboardLogin(dashboardUser, dashboardPassword)
                    : token == null ? null : new DashboardLogin(null, token);
            return new HttpSettings(token, login, maxBodyBytes, noopEndpoint, readOnly);
        }
    }
}
