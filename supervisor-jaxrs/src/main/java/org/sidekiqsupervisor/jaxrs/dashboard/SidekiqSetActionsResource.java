package org.sidekiqsupervisor.jaxrs.dashboard;

import java.io.InputStream;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.sidekiqsupervisor.InvalidInputException;
import org.sidekiqsupervisor.jaxrs.SidekiqResource;
import org.sidekiqsupervisor.manager.JobManager;
import org.sidekiqsupervisor.sidekiq.SidekiqActionResult;
import org.sidekiqsupervisor.sidekiq.SidekiqActions;
import org.sidekiqsupervisor.sidekiq.SidekiqActions.SetAction;
import org.sidekiqsupervisor.sidekiq.SidekiqEntryKey;
import org.sidekiqsupervisor.sidekiq.SidekiqSelection;

/**
 * The actions of Sidekiq's Web UI on its sets, from the set and entry pages: Retry Now, Add to queue, Delete and Kill
 * on the ticked rows (each posted as {@code key=<score>-<jid>}, the exact entry shown, as Sidekiq's own forms do;
 * {@code jid} is taken too), and the same on every entry matching the filter ("… All"). Destructive actions (delete,
 * kill) and every action on all entries first show a confirmation that counts, by a dry run, the entries it will act
 * on; only its form's POST acts. Every POST needs the CSRF token ({@link PostedForms}); each action goes through
 * {@link JobManager#actOnSidekiqSet}, as the API's do, and is audited with the dashboard's user. On a read-only
 * supervisor the POSTs are refused before they get here ({@code ReadOnlyFilter}). Thread-safe.
 */
@Path("sidekiq")
public final class SidekiqSetActionsResource {
    private final JobManager manager;
    private final DashboardRenderer renderer;
    private final PostedForms forms;

    /** The actions on {@code context}'s Sidekiq sets. */
    SidekiqSetActionsResource(DashboardContext context, DashboardRenderer renderer) {
        this.manager = context.manager();
        this.renderer = renderer;
        this.forms = new PostedForms(context.maxBodyBytes());
    }

    /**
     * {@code GET /sidekiq/{set}/all?action=&filter=}: how many entries "… All" would act on (those holding the filter,
     * or the whole set), and the form to confirm it. Changes nothing.
     */
    @GET
    @Path("{set}/all")
    public Response confirmAll(@Context UriInfo uri, @Context ContainerRequestContext request, @PathParam("set") String path,
                               @QueryParam("action") String action, @QueryParam("filter") String filter) {
        return renderer.confirmation(uri, request, SidekiqSetView.titleOf(path), path, "sidekiqsetconfirm", () -> {
            SidekiqSetView view = SidekiqSetView.of(path);
            return confirm(Layout.root(uri), view, view.action(action), null, blankToNull(filter));
        });
    }

    /**
     * {@code POST /sidekiq/{set}/actions}: {@code action}, then {@code key} (repeated), {@code jid} (repeated), or
     * {@code scope=all} with an optional {@code filter}. Acts when the action is safe on the rows named (retry, add
     * to queue) or when the form says {@code confirmed=yes}; otherwise shows the confirmation.
     */
    @POST
    @Path("{set}/actions")
    public Response act(@Context UriInfo uri, @Context ContainerRequestContext request, @PathParam("set") String path,
                        InputStream body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String type,
                        @HeaderParam(HttpHeaders.CONTENT_LENGTH) String length) {
        return forms.posted(request, body, type, length, form -> {
            String actionName = form.text("action");
            boolean all = "all".equals(form.text("scope"));
            boolean confirmFirst = !"yes".equals(form.text("confirmed")) && (all || SidekiqSetView.destructive(actionName));
            return renderer.render(uri, request, SidekiqSetView.titleOf(path), path,
                    confirmFirst ? "sidekiqsetconfirm" : "sidekiqacted", false, () -> {
                        SidekiqSetView view = SidekiqSetView.of(path);
                        SetAction action = view.action(actionName);
                        String filter = all ? blankToNull(form.text("filter")) : null;
                        SidekiqSelection named = all ? null : named(form);
                        String root = Layout.root(uri);
                        if (confirmFirst) {
                            return confirm(root, view, action, named, filter);
                        }
                        SidekiqActionResult result = manager.actOnSidekiqSet(ActionsResource.actor(request), view.set(), action,
                                all ? SidekiqSelection.matching(filter) : named, false);
                        return new SidekiqActedPage(view, SidekiqSetView.label(action), SidekiqSetView.done(action), result,
                                root + "/" + view.path() + (filter == null ? "" : "?filter=" + Format.encode(filter)));
                    });
        });
    }

    /**
     * The confirmation of {@code action} on the entries {@code named}, or (when null) on every entry holding
     * {@code filter}: a dry run through the same call that acts, which counts them and changes nothing.
     */
    private SidekiqSetConfirmPage confirm(String root, SidekiqSetView view, SetAction action, SidekiqSelection named, String filter) {
        boolean all = named == null;
        SidekiqActionResult dry = manager.actOnSidekiqSet(null, view.set(), action,
                all ? SidekiqSelection.matching(filter) : named, true);
        Set<String> there = new HashSet<>(dry.done());
        // The form posts back only the entries there now, so that the count it shows is what it acts on.
        List<String> keys = all ? List.of() : named.keys().stream().filter(key -> there.contains(key.jid()))
                .map(SidekiqEntryKey::toString).distinct().toList();
        List<String> jids = all ? List.of() : named.jids().stream().filter(there::contains).distinct().toList();
        String setHref = root + "/" + view.path();
        return new SidekiqSetConfirmPage(view, setHref, SidekiqSetView.wireName(action),
                all ? SidekiqSetView.allLabel(action) : SidekiqSetView.label(action), SidekiqSetView.verb(action), dry.count(),
                all && dry.count() >= SidekiqActions.MAX_MATCHED, all, filter, keys, jids, dry.skipped(),
                setHref + (filter == null ? "" : "?filter=" + Format.encode(filter)));
    }

    /** The entries a form names by key or jid; refuses a form that names none. */
    private static SidekiqSelection named(PostedForms.Form form) {
        List<String> keys = form.values("key");
        List<String> jids = form.values("jid");
        if (keys.size() + jids.size() > SidekiqActions.MAX_LISTED) {
            throw new InvalidInputException("key", "at most " + SidekiqActions.MAX_LISTED + " entries at once; use the … All buttons for more");
        }
        if (!keys.isEmpty()) {
            return SidekiqSelection.ofKeys(keys.stream().map(SidekiqEntryKey::parse).toList());
        }
        if (jids.isEmpty()) {
            throw new InvalidInputException("key", "No entry was selected: tick the entries to act on, or use one of the … All buttons.");
        }
        jids.forEach(SidekiqResource::jid);
        return SidekiqSelection.of(jids, null);
    }

    private static String blankToNull(String text) {
        return text == null || text.isEmpty() ? null : text;
    }
}
