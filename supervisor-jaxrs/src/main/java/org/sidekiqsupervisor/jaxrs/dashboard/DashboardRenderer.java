package org.sidekiqsupervisor.jaxrs.dashboard;

import java.util.Map;
import java.util.function.Supplier;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.sidekiqsupervisor.Supervisor;
import org.sidekiqsupervisor.SupervisorException;
import org.sidekiqsupervisor.jaxrs.ApiException;

/**
 * Renders the dashboard's pages: a page's view model inside the {@link Layout}, through jte templates compiled at
 * build time in HTML mode, so every value is escaped for where it stands. A failure a person can act on becomes the
 * problem page ({@link #problem}). Thread-safe.
 */
final class DashboardRenderer {
    private static final TemplateEngine TEMPLATES = TemplateEngine.createPrecompiled(null, ContentType.Html,
            DashboardRenderer.class.getClassLoader(), "org.sidekiqsupervisor.jaxrs.dashboard.templates");
    private static final MediaType HTML = MediaType.TEXT_HTML_TYPE.withCharset("UTF-8");

    /** What every confirmation of a read-only supervisor answers. */
    static final ProblemPage READ_ONLY = new ProblemPage(403, "This supervisor is read-only",
            "It was started with --read-only: restarts, deletes and actions on Sidekiq's jobs and processes are turned off. "
                    + "Nothing was changed.");

    private final DashboardContext context;

    /** Pages about this context's supervisor. */
    DashboardRenderer(DashboardContext context) {
        this.context = context;
    }

    /**
     * Renders the page {@code build} makes with {@code template}, or the problem page when making it fails.
     *
     * @param uri      the request's URI, for the links' root
     * @param request  the request, for its CSRF token
     * @param title    the page's title
     * @param template the template's name, which is also the section the navigation marks
     * @param live     whether the page refreshes itself while open
     * @param build    makes the page's view model (reading the store and Redis as it needs)
     */
    Response render(UriInfo uri, ContainerRequestContext request, String title, String template, boolean live,
                    Supplier<? extends DashboardPage> build) {
        return render(uri, request, title, template, template, live, build);
    }

    /**
     * {@link #render(UriInfo, ContainerRequestContext, String, String, boolean, Supplier)} for a template shared by
     * several sections (the Retries, Scheduled and Dead tabs share theirs): the navigation marks {@code section}.
     */
    Response render(UriInfo uri, ContainerRequestContext request, String title, String section, String template, boolean live,
                    Supplier<? extends DashboardPage> build) {
        Layout layout = new Layout(Layout.root(uri), title, section, String.valueOf(request.getProperty(DashboardGuard.TOKEN_PROPERTY)),
                live, Supervisor.version(), context.storeDescription(), context.manager().sidekiqConfigured(),
                Format.iso(context.clock().instant()), context.readOnly());
        DashboardPage page;
        String view;
        try {
            page = build.get();
            view = template;
        } catch (SupervisorException e) {
            page = problem(e);
            view = "problem";
        }
        StringOutput out = new StringOutput();
        // Every template declares exactly these two parameters: the frame and its own page record.
        TEMPLATES.render(view + ".jte", Map.of("layout", layout, "page", page), out);
        return Response.status(page.status()).type(HTML).entity(out.toString()).build();
    }

    /**
     * A confirmation before an action ({@code template}, made by {@code build}); on a read-only supervisor the 403
     * {@link #READ_ONLY} page instead, before anything is read: there is nothing to confirm. The POST that would act is
     * refused by {@code ReadOnlyFilter}.
     */
    Response confirmation(UriInfo uri, ContainerRequestContext request, String title, String section, String template,
                          Supplier<? extends DashboardPage> build) {
        if (context.readOnly()) {
            return render(uri, request, title, section, "problem", false, () -> READ_ONLY);
        }
        return render(uri, request, title, section, template, false, build);
    }

    /**
     * The dashboard's one table of failures a person can act on: bad input, something unknown, Redis not configured or
     * not answering, the database not answering. Any other failure is a bug and goes on to the application's error
     * handling.
     */
    static ProblemPage problem(SupervisorException failure) {
        return switch (failure.kind()) {
            case INVALID_INPUT -> new ProblemPage(ApiException.status(failure), "That request could not be read", failure.getMessage());
            case NOT_FOUND -> new ProblemPage(ApiException.status(failure), "Not found", failure.getMessage());
            case SIDEKIQ_NOT_CONFIGURED -> new ProblemPage(409, "Sidekiq's Redis is not configured", failure.getMessage()
                    + ". Start the supervisor with --redis-url (or SUPERVISOR_REDIS_URL / REDIS_URL) to find and restart lost jobs.");
            case SIDEKIQ_UNAVAILABLE -> new ProblemPage(503, "Sidekiq's Redis does not answer",
                    failure.getMessage() + ". Nothing was changed; try again shortly.");
            case STORE_UNAVAILABLE -> new ProblemPage(503, "The database does not answer",
                    failure.getMessage() + ". Nothing was changed; try again shortly.");
        };
    }
}
