package org.sidekiqsupervisor.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MainTest {
    @Test
    void no_command_means_serve_with_the_options_given() {
        assertThat(Main.defaultToServe(new String[0])).containsExactly("serve");
        assertThat(Main.defaultToServe(new String[] {"--port", "9090"})).containsExactly("serve", "--port", "9090");
        assertThat(Main.defaultToServe(new String[] {"serve", "--port", "1"})).containsExactly("serve", "--port", "1");
        assertThat(Main.defaultToServe(new String[] {"--help"})).containsExactly("--help");
    }

    @Test
    void a_port_outside_the_range_is_bad_usage() {
        java.io.StringWriter err = new java.io.StringWriter();
        int code = Main.commandLine().setErr(new java.io.PrintWriter(err)).execute("serve", "--port", "70000");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--port must be 0 to 65535");
    }

    @Test
    void a_negative_shutdown_grace_is_bad_usage() {
        java.io.StringWriter err = new java.io.StringWriter();
        int code = Main.commandLine().setErr(new java.io.PrintWriter(err)).execute("serve", "--shutdown-grace", "-1");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--shutdown-grace must be 0 or more seconds");
    }
}
