package org.sidekiqsupervisor.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The annotated test class or method needs these services outside the JVM. When this machine lacks one, the test is
 * skipped with a reason that says what is missing and how to get it; under {@code CI=true} it fails instead, so that
 * a CI machine without its services can never pass by skipping. Put it on the class when every test needs the
 * services, else on each method that does.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(RequiresServiceExtension.class)
public @interface RequiresService {
    /** The services the test needs, all of them. */
    Service[] value();
}
