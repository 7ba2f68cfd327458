package org.sidekiqsupervisor.jaxrs.dashboard;

import jakarta.ws.rs.core.UriInfo;

/**
 * What every page's frame shows ({@code layout.jte}): the head, the navigation and the footer.
 *
 * @param root      the dashboard's path under the application's base path, what every link starts with
 * @param title     the page's title
 * @param section   the page family the navigation marks as current ({@code overview}, {@code jobs}, {@code job}, ...)
 * @param csrfToken this request's CSRF token, which every form repeats
 * @param live      whether the page refreshes itself while open
 * @param version   the supervisor's version
 * @param store     where the jobs are stored, described for people
 * @param sidekiq   whether Sidekiq's Redis is configured
 * @param now       when the page was made, ISO-8601 UTC
 * @param readOnly  whether actions are turned off, so pages show no controls for them
 */
public record Layout(String root, String title, String section, String csrfToken, boolean live, String version,
                     String store, boolean sidekiq, String now, boolean readOnly) {

    /** The dashboard's path under the application's base path, for this request. */
    static String root(UriInfo uri) {
        return uri.getBaseUri().getRawPath() + "sidekiq";
    }
}
