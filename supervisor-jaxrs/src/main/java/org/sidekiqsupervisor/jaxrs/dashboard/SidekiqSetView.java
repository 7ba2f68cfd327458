package org.sidekiqsupervisor.jaxrs.dashboard;

import java.util.List;

import org.sidekiqsupervisor.jaxrs.ApiException;
import org.sidekiqsupervisor.jaxrs.SidekiqResource;
import org.sidekiqsupervisor.sidekiq.SidekiqActions;
import org.sidekiqsupervisor.sidekiq.SidekiqActions.SetAction;
import org.sidekiqsupervisor.sidekiq.SidekiqSet;

/**
 * Sidekiq's three sets as its Web UI shows them: the path (which is also the tab the navigation marks), the words, the
 * columns and the buttons each has, so that Sidekiq users find what they know.
 */
public enum SidekiqSetView {
    /** {@code /sidekiq/retries}. */
    RETRIES("retries", SidekiqSet.RETRY, "Retries", "Retry", "Next Retry", true,
            List.of(SetAction.RETRY, SetAction.DELETE, SetAction.KILL)),
    /** {@code /sidekiq/scheduled}. */
    SCHEDULED("scheduled", SidekiqSet.SCHEDULED, "Scheduled Jobs", "Scheduled Job", "When", false,
            List.of(SetAction.ENQUEUE, SetAction.DELETE)),
    /** {@code /sidekiq/morgue}: the dead set, under the path Sidekiq's Web UI gives it. */
    MORGUE("morgue", SidekiqSet.DEAD, "Dead Jobs", "Dead Job", "Last Retry", true,
            List.of(SetAction.RETRY, SetAction.DELETE));

    private final String path;
    private final SidekiqSet set;
    private final String title;
    private final String entryTitle;
    private final String timeHeading;
    private final boolean failed;
    private final List<SetAction> actions;

    SidekiqSetView(String path, SidekiqSet set, String title, String entryTitle, String timeHeading, boolean failed,
                   List<SetAction> actions) {
        this.path = path;
        this.set = set;
        this.title = title;
        this.entryTitle = entryTitle;
        this.timeHeading = timeHeading;
        this.failed = failed;
        this.actions = actions;
    }

    /**
     * The view a path names.
     *
     * @throws ApiException 404 for any other name, saying which there are
     */
    public static SidekiqSetView of(String path) {
        for (SidekiqSetView view : values()) {
            if (view.path.equals(path)) {
                return view;
            }
        }
        throw new ApiException(404, "There is no page /sidekiq/" + path + ". Sidekiq's sets are at /sidekiq/retries, "
                + "/sidekiq/scheduled and /sidekiq/morgue (the dead jobs).", "set");
    }

    /** The title of the set a path names, or a plain one when it names none (the problem page shows it). */
    static String titleOf(String path) {
        for (SidekiqSetView view : values()) {
            if (view.path.equals(path)) {
                return view.title;
            }
        }
        return "Sidekiq";
    }

    /** The path under {@code /sidekiq}: {@code retries}, {@code scheduled} or {@code morgue}. */
    public String path() {
        return path;
    }

    /** Sidekiq's set. */
    public SidekiqSet set() {
        return set;
    }

    /** The page's heading: {@code Retries}, {@code Scheduled Jobs}, {@code Dead Jobs}. */
    public String title() {
        return title;
    }

    /** An entry page's heading. */
    public String entryTitle() {
        return entryTitle;
    }

    /** What the set's score means, as the time column's heading: {@code Next Retry}, {@code When}, {@code Last Retry}. */
    public String timeHeading() {
        return timeHeading;
    }

    /** Whether the entries failed (an Error column and table); scheduled jobs have not run yet. */
    public boolean failed() {
        return failed;
    }

    /** Whether the entries show how many retries they made (Sidekiq shows it for retries only). */
    public boolean retryCount() {
        return this == RETRIES;
    }

    /** The actions the set offers, in Sidekiq's order. */
    public List<SetAction> actions() {
        return actions;
    }

    /**
     * The action a form names, if this set offers it.
     *
     * @throws org.sidekiqsupervisor.InvalidInputException naming {@code action} otherwise
     */
    SetAction action(String name) {
        SetAction action = SidekiqResource.setAction(name);
        SidekiqActions.check(set, action);
        return action;
    }

    /** The action's name in forms and the audit log. */
    public static String wireName(SetAction action) {
        return action.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The button of an action on the selected rows, in Sidekiq's words. */
    public static String label(SetAction action) {
        return switch (action) {
            case RETRY -> "Retry Now";
            case ENQUEUE -> "Add to queue";
            case DELETE -> "Delete";
            case KILL -> "Kill";
        };
    }

    /** The button of an action on every entry (matching the filter), in Sidekiq's words. */
    public static String allLabel(SetAction action) {
        return switch (action) {
            case RETRY -> "Retry All";
            case ENQUEUE -> "Add All to queue";
            case DELETE -> "Delete All";
            case KILL -> "Kill All";
        };
    }

    /** What the action does to an entry, for a result: {@code retried}, {@code deleted}, ... */
    public static String done(SetAction action) {
        return switch (action) {
            case RETRY -> "retried (pushed onto their queues)";
            case ENQUEUE -> "added to their queues";
            case DELETE -> "deleted";
            case KILL -> "killed (moved to Dead)";
        };
    }

    /** What the action will do, for a confirmation: {@code retry now}, {@code delete}, ... */
    public static String verb(SetAction action) {
        return switch (action) {
            case RETRY -> "retry now";
            case ENQUEUE -> "add to their queues now";
            case DELETE -> "delete";
            case KILL -> "kill (move to Dead)";
        };
    }

    /** Whether the action a form names (valid or not) is destructive: a name that is none is refused later anyway. */
    static boolean destructive(String name) {
        for (SetAction action : SetAction.values()) {
            if (wireName(action).equals(name)) {
                return destructive(action);
            }
        }
        return false;
    }

    /** Whether the action loses something (the entry, or its remaining retries), so that it is confirmed first. */
    public static boolean destructive(SetAction action) {
        return action == SetAction.DELETE || action == SetAction.KILL;
    }
}
