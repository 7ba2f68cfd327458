package org.sidekiqsupervisor.jaxrs.dashboard;

import java.util.List;

import org.sidekiqsupervisor.sidekiq.SidekiqActionResult;

/**
 * What an action on a Sidekiq set would do, counted by a dry run, with the form to confirm it
 * ({@code sidekiqsetconfirm.jte}). Destructive actions (delete, kill) and every action on all entries come here first.
 *
 * @param view      which set
 * @param setHref   the set's page
 * @param action    the action's name in the form
 * @param label     the action's button, Sidekiq's words
 * @param verb      what it does, for the sentence ({@code delete}, {@code retry now})
 * @param count     how many entries it would act on
 * @param capped    whether more may match than one click acts on
 * @param all       whether it acts on every entry matching {@code filter} (else on the entries named)
 * @param filter    the substring, or null: every entry
 * @param keys      the entries named by {@code <score>-<jid>} that are there now (what the form posts)
 * @param jids      the entries named by jid that are there now (what the form posts)
 * @param notThere  the entries named that are no longer there
 * @param backHref  where Cancel goes
 */
public record SidekiqSetConfirmPage(SidekiqSetView view, String setHref, String action, String label, String verb, long count,
                                 boolean capped, boolean all, String filter, List<String> keys, List<String> jids,
                                 List<SidekiqActionResult.Skipped> notThere, String backHref) implements DashboardPage {
}
