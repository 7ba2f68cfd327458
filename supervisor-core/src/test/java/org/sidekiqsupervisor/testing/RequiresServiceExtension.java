package org.sidekiqsupervisor.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * What {@link RequiresService} does: before a class's set-up or a test runs, looks for the services it names. All
 * there: it runs. One missing: skipped with the reason, or, under {@code CI=true}, failed with it.
 */
public final class RequiresServiceExtension implements ExecutionCondition {
    /** Whether this run is a CI run, where a missing service is a broken machine, not a reason to skip. */
    private static boolean underCi() {
        return "true".equals(System.getenv("CI"));
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Optional<RequiresService> required = context.getElement()
                .flatMap(element -> AnnotationSupport.findAnnotation(element, RequiresService.class));
        if (required.isEmpty()) {
            return ConditionEvaluationResult.enabled("needs no service beyond those of its class");
        }
        List<String> missing = new ArrayList<>();
        for (Service service : required.get().value()) {
            service.whyMissing().ifPresent(why -> missing.add(service.displayName() + ", missing here (" + why + "); to get it: "
                    + service.howToGet()));
        }
        if (missing.isEmpty()) {
            return ConditionEvaluationResult.enabled("every service it needs is here");
        }
        String reason = context.getDisplayName() + " needs " + String.join("; and ", missing);
        if (underCi()) {
            // A failure, not a skip: JUnit reports an error thrown here as the test's (or the class's) failure.
            throw new AssertionError("CI=true, so a missing service fails the test instead of skipping it: " + reason);
        }
        return ConditionEvaluationResult.disabled("skipped: " + reason + " (under CI=true this fails instead)");
    }
}
