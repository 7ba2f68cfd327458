package org.sidekiqsupervisor.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HttpSettingsTest {
    @Test
    void defaults_are_an_open_api_and_dashboard_with_a_one_mebibyte_body_limit() {
        assertThat(HttpSettings.DEFAULTS.apiToken()).isNull();
        assertThat(HttpSettings.DEFAULTS.dashboardLogin()).isNull();
        assertThat(HttpSettings.DEFAULTS.maxBodyBytes()).isEqualTo(1024 * 1024);
        assertThat(HttpSettings.DEFAULTS.noopEndpoint()).isFalse();
    }

    @Test
    void settings_are_checked_when_building_and_name_the_setting() {
        assertThatThrownBy(() -> HttpSettings.builder().maxBodyBytes(10).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxBodyBytes");
    }

    @Test
    void an_api_token_locks_the_dashboard_too_unless_it_has_a_password_of_its_own() {
        HttpSettings tokenOnly = HttpSettings.builder().apiToken("tok").build();
        assertThat(tokenOnly.dashboardLogin()).isEqualTo(new HttpSettings.DashboardLogin(null, "tok"));
        HttpSettings both = HttpSettings.builder().apiToken("tok").dashboardLogin(null, "pw").build();
        assertThat(both.dashboardLogin()).isEqualTo(new HttpSettings.DashboardLogin("admin", "pw"));
        assertThat(HttpSettings.builder().apiToken("").build().apiToken()).isNull();
        assertThat(both.dashboardLogin().toString()).doesNotContain("pw");
    }
}
