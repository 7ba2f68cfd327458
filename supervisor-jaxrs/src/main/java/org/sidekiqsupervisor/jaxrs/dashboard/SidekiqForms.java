package org.sidekiqsupervisor.jaxrs.dashboard;

import java.io.InputStream;
import java.util.function.Function;
import java.util.function.Supplier;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

/**
 * The two steps of the Busy and Queues pages' actions on Sidekiq: the confirmation (a GET that changes nothing) and the
 * action (a POST with the CSRF token, through {@link PostedForms}). With {@code --read-only} the confirmation answers the
 * 403 problem page before anything is read, and the POST never gets here ({@code ReadOnlyFilter} refuses it). Thread-safe.
 */
final class SidekiqForms {
    private final DashboardRenderer renderer;
    private final PostedForms forms;

    /** The steps of actions on {@code context}'s Sidekiq. */
    SidekiqForms(DashboardContext context, DashboardRenderer renderer) {
        this.renderer = renderer;
        this.forms = new PostedForms(context.maxBodyBytes());
    }

    /** The confirmation page {@code build} makes, or the read-only refusal. */
    Response confirm(UriInfo uri, ContainerRequestContext request, String title, Supplier<SidekiqConfirmPage> build) {
        return renderer.confirmation(uri, request, title, "sidekiqconfirm", "sidekiqconfirm", build);
    }

    /** Reads the posted form and, when its CSRF token matches, shows what {@code action} did. */
    Response act(UriInfo uri, ContainerRequestContext request, InputStream body, String type, String length, String title,
                 Function<PostedForms.Form, SidekiqDonePage> action) {
        return forms.posted(request, body, type, length,
                form -> renderer.render(uri, request, title, "sidekiqdone", false, () -> action.apply(form)));
    }

}
