package org.sidekiqsupervisor.store;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The schema settings themselves, before any database: what is refused, and how the refusal reads. */
class StoreSchemaTest {
    @Test
    void bad_prefixes_and_modes_are_refused_naming_the_setting() {
        assertThatThrownBy(() -> new StoreSchema("Drop Table;", StoreSchema.Mode.MIGRATE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tablePrefix");
        assertThatThrownBy(() -> StoreSchema.Mode.parse("sometimes"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("schemaMode");
    }
}
