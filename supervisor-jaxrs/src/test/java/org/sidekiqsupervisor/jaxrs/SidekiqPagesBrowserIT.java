package org.sidekiqsupervisor.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.sidekiqsupervisor.sidekiq.SidekiqVersion;
import org.sidekiqsupervisor.testing.FakeSidekiq;
import org.sidekiqsupervisor.testing.RedisServer;
import org.sidekiqsupervisor.testing.RequiresService;
import org.sidekiqsupervisor.testing.Service;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

/**
 * The monitoring app's pages at Sidekiq Web's paths in a real headless Chromium: a retry set of 10,000 entries paged
 * and filtered, Retry Now on a ticked row, Kill All on a filter after its confirmation, an entry's page, Busy with a
 * running job linked to its supervisor page that says where it runs, Queues, a queue and the audit log; at phone width
 * and in dark mode too. Screenshots go to {@code target/screenshots/sidekiq-*.png}.
 */
@RequiresService({Service.CHROMIUM, Service.REDIS_SERVER})
class SidekiqPagesBrowserIT {
    private static final int RETRIES = 10_000;
    private static final String WORKER = "worker-1:4242:f00d";

    private static RedisServer redis;
    private static FakeSidekiq sidekiq;
    private static Jedis jedis;
    private static TestServer server;
    private static Chromium chromium;
    private static ChromeDriver browser;

    @BeforeAll
    static void start() {
        redis = RedisServer.start();
        sidekiq = new FakeSidekiq(redis, 7);
        jedis = sidekiq.redis();
        server = TestServer.start("/", TestServer.memory().redisUrl(redis.url()).sidekiqVersion(SidekiqVersion.V7));
        long now = Instant.now().getEpochSecond();
        try (Pipeline pipeline = jedis.pipelined()) {
            for (int i = 0; i < RETRIES; i++) {
                // Every 500th fails with a timeout, the rest with the usual error: a rare filter and a common one.
                String entry = sidekiq.failedJob(String.format("retry%05d", i), i % 3 == 0 ? "critical" : "default", i % 5);
                if (i % 500 == 0) {
                    entry = entry.replace("\"error_class\":\"RuntimeError\"", "\"error_class\":\"Net::ReadTimeout\"");
                }
                pipeline.zadd("retry", now + 60 + i, entry);
            }
            for (int i = 0; i < 12; i++) {
                pipeline.zadd("schedule", now + 600 + i * 3600, FakeSidekiq.job("sched" + i, "default"));
                pipeline.zadd("dead", now - 86_400 + i * 600, sidekiq.failedJob("dead" + i, "default", 25));
            }
            pipeline.sync();
        }
        for (int i = 0; i < 30; i++) {
            sidekiq.enqueued("waiting" + i, i % 2 == 0 ? "default" : "critical");
        }
        server.form("/api/v1/jobs", "job_id=busy1&job_class=ReportBuilder&queue=default&arguments=%5B%22monthly%22%5D");
        server.form("/api/v1/jobs/busy1/started", "");
        // A process that beat just now (its key lives 60 s, longer than this class runs), running busy1.
        new SidekiqProcesses(jedis, 7).process(WORKER, "storefront", List.of("critical", "default"), Instant.now(), false,
                Map.of("tid1", SidekiqProcesses.job("busy1", "default", "ReportBuilder", "[\"monthly\"]")));
        chromium = Chromium.start();
        browser = chromium.browser;
    }

    @AfterAll
    static void stop() {
        if (chromium != null) {
            chromium.close();
        }
        if (server != null) {
            server.close();
        }
        if (sidekiq != null) {
            sidekiq.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @AfterEach
    void light() {
        chromium.darkMode(false);
        browser.manage().window().setSize(new Dimension(1400, 1000));
    }

    private static String url(String path) {
        return server.uri(path).toString();
    }

    private static List<WebElement> rows() {
        return browser.findElements(By.cssSelector("#set-table tbody tr"));
    }

    @Test
    void ten_thousand_retries_page_and_filter_and_a_ticked_row_is_retried_now() {
        browser.get(url("/sidekiq/retries"));
        assertThat(browser.getTitle()).startsWith("Retries");
        assertThat(chromium.await(By.id("set-size")).getText()).isEqualTo("10,000");
        assertThat(rows()).hasSize(25);
        assertThat(rows().get(0).getText()).contains("retry00000").contains("FlakyJob").contains("Net::ReadTimeout: boom");
        assertThat(rows().get(1).getText()).contains("retry00001").contains("RuntimeError: boom");
        chromium.screenshot("sidekiq-retries");

        WebElement filter = browser.findElement(By.cssSelector("#set-filter input[name=filter]"));
        filter.sendKeys("Net::ReadTimeout");
        filter.submit();
        chromium.await(By.id("filter-note"));
        assertThat(browser.getCurrentUrl()).contains("filter=Net%3A%3AReadTimeout");
        assertThat(rows()).hasSize(20).allSatisfy(row -> assertThat(row.getText()).contains("Net::ReadTimeout"));
        chromium.screenshot("sidekiq-retries-filtered");

        // Retry Now on the first ticked row: it leaves the set for its queue at once.
        long before = jedis.zcard("retry");
        WebElement first = rows().get(0);
        String jid = first.findElement(By.cssSelector("a.jid")).getText();
        first.findElement(By.cssSelector("input[name=key]")).click();
        browser.findElement(By.cssSelector("#set-actions button[value=retry]")).click();
        assertThat(chromium.await(By.id("done-count")).getText()).isEqualTo("1");
        assertThat(jedis.zcard("retry")).isEqualTo(before - 1);
        assertThat(jedis.lrange("queue:critical", 0, -1)).anySatisfy(entry -> assertThat(entry).contains(jid));
        chromium.screenshot("sidekiq-retried");
    }

    @Test
    void kill_all_on_a_filter_says_how_many_first_and_then_moves_exactly_those_to_dead() {
        long dead = jedis.zcard("dead");
        browser.get(url("/sidekiq/retries?filter=retry0999"));
        assertThat(rows()).hasSize(10);
        browser.findElement(By.id("all-kill")).click();
        assertThat(chromium.await(By.id("confirm-count")).getText()).isEqualTo("10");
        assertThat(jedis.zcard("dead")).as("nothing moves before the confirmation").isEqualTo(dead);
        chromium.screenshot("sidekiq-kill-confirm");
        browser.findElement(By.cssSelector("#confirm-form button[type=submit]")).click();
        assertThat(chromium.await(By.id("done-count")).getText()).isEqualTo("10");
        assertThat(jedis.zcard("dead")).isEqualTo(dead + 10);
        assertThat(jedis.zrange("dead", 0, -1)).filteredOn(entry -> entry.contains("retry0999")).hasSize(10);

        browser.get(url("/sidekiq/morgue"));
        assertThat(rows()).hasSize((int) Math.min(25, dead + 10));
        chromium.screenshot("sidekiq-dead");
        browser.get(url("/sidekiq/audit"));
        assertThat(chromium.await(By.id("audit")).getText()).contains("retries.kill").contains("dashboard");
        chromium.screenshot("sidekiq-audit");
    }

    @Test
    void an_entry_shows_its_error_and_backtrace_and_its_jid_leads_to_the_jobs_history() {
        browser.get(url("/sidekiq/retries?filter=retry00005"));
        rows().get(0).findElement(By.cssSelector("td.when a")).click();
        assertThat(chromium.await(By.id("entry-backtrace")).getText()).contains("app.rb:1:in `perform'");
        assertThat(browser.findElement(By.id("entry-error-class")).getText()).isEqualTo("RuntimeError");
        chromium.screenshot("sidekiq-retry-entry");
        browser.findElement(By.id("entry-jid")).click();
        // The supervisor never heard of this job, yet its page says where it is in Sidekiq now.
        assertThat(chromium.await(By.id("place")).getAttribute("data-place")).isEqualTo("retry");
    }

    @Test
    void busy_links_a_running_job_to_its_page_which_says_where_it_runs() {
        browser.get(url("/sidekiq/busy"));
        assertThat(chromium.await(By.id("busy-processes")).getText()).contains("worker-1:4242").contains("storefront")
                .doesNotContain("no heartbeat");
        WebElement jobs = browser.findElement(By.id("busy-jobs"));
        assertThat(jobs.getText()).contains("busy1");
        chromium.screenshot("sidekiq-busy");
        String light = (String) chromium.js("return getComputedStyle(document.body).backgroundColor;");
        chromium.darkMode(true);
        browser.navigate().refresh();
        chromium.await(By.id("busy-processes"));
        String background = (String) chromium.js("return getComputedStyle(document.body).backgroundColor;");
        // Compared with the same page in light mode (not with white, which the light page is not either).
        assertThat(background).as("dark mode").isNotEqualTo(light);
        chromium.screenshot("sidekiq-busy-dark");
        chromium.darkMode(false);

        browser.findElement(By.cssSelector("#busy-jobs a[href$='/jobs/busy1']")).click();
        WebElement place = chromium.await(By.id("place"));
        assertThat(place.getAttribute("data-place")).isEqualTo("running");
        assertThat(place.getText()).contains(WORKER).contains("tid1");
        chromium.screenshot("sidekiq-job-place");
    }

    @Test
    void queues_and_a_queue_page_next_to_run_first_and_every_page_fits_a_phone() {
        browser.get(url("/sidekiq/queues"));
        assertThat(chromium.await(By.id("sidekiq-queues")).getText()).contains("default").contains("critical");
        chromium.screenshot("sidekiq-queues");
        browser.findElement(By.cssSelector("#sidekiq-queues a[href$='/queues/default']")).click();
        assertThat(chromium.await(By.id("queue-size")).getText()).isEqualTo("15");
        assertThat(browser.findElement(By.id("queue-jobs")).getText()).contains("waiting0");
        chromium.screenshot("sidekiq-queue");

        browser.manage().window().setSize(new Dimension(420, 900));
        for (String path : List.of("/sidekiq/retries", "/sidekiq/busy", "/sidekiq/queues", "/sidekiq/morgue")) {
            browser.get(url(path));
            long overflow = (Long) chromium.js("return document.documentElement.scrollWidth - window.innerWidth;");
            assertThat(overflow).as("no sideways scrolling of the page at phone width: " + path).isLessThanOrEqualTo(0);
        }
        browser.get(url("/sidekiq/retries"));
        chromium.screenshot("sidekiq-retries-phone");
    }
}
