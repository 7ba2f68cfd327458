package org.sidekiqsupervisor.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.sidekiqsupervisor.sidekiq.SidekiqVersion;
import org.sidekiqsupervisor.testing.FakeSidekiq;
import org.sidekiqsupervisor.testing.RedisServer;
import org.sidekiqsupervisor.testing.RequiresService;
import org.sidekiqsupervisor.testing.Service;

/**
 * The dashboard in a real headless Chromium (Debian's chromium and chromium-driver), driven by Selenium: what a
 * person sees and clicks. Screenshots of each page go to {@code target/screenshots/}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@RequiresService({Service.CHROMIUM, Service.REDIS_SERVER})
class DashboardBrowserIT {
    private static final String XSS_ARGS = "[\"<img src=x onerror=\\\"window.__xss=1\\\">\",\"<script>window.__xss=2</script>\"]";

    private static RedisServer redis;
    private static FakeSidekiq sidekiq;
    private static TestServer server;
    private static Chromium chromium;
    private static ChromeDriver browser;

    @BeforeAll
    static void start() throws IOException {
        redis = RedisServer.start();
        sidekiq = new FakeSidekiq(redis, 7);
        server = TestServer.start("/", TestServer.memory().redisUrl(redis.url()).sidekiqVersion(SidekiqVersion.V7));
        recordJobs();
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

    /** Jobs of several classes with real wait and run times, failures, an XSS payload, and lost and running jobs. */
    private static void recordJobs() {
        Instant now = Instant.now();
        for (int i = 0; i < 40; i++) {
            String jobClass = i % 3 == 0 ? "InvoiceMailer" : i % 3 == 1 ? "ReportBuilder" : "ImageResizer";
            Instant queued = now.minusSeconds(1800 - i * 40L);
            String id = "done" + i;
            server.form("/api/v1/jobs", "job_id=" + id + "&job_class=" + jobClass + "&queue=default&arguments=%5B%22customer-" + i
                    + "%22%2C" + i + "%5D&at=" + at(queued));
            server.form("/api/v1/jobs/" + id + "/started", "at=" + at(queued.plusMillis(200 + i * 37L)));
            if (i % 10 == 9) {
                server.form("/api/v1/jobs/" + id + "/failed", "at=" + at(queued.plusSeconds(3)) + "&error_class=Net%3A%3AReadTimeout"
                        + "&error_message=execution+expired");
            } else {
                server.form("/api/v1/jobs/" + id + "/complete", "at=" + at(queued.plusMillis(800 + (i % 3) * 4000L + i * 50L)));
            }
        }
        server.form("/api/v1/jobs", "job_id=xss1&job_class=HardWorker&queue=default&arguments="
                + java.net.URLEncoder.encode(XSS_ARGS, java.nio.charset.StandardCharsets.UTF_8));
        Instant longAgo = now.minusSeconds(900);
        for (String id : List.of("lost1", "lost2", "busy1")) {
            server.form("/api/v1/jobs", "job_id=" + id + "&job_class=ReportBuilder&queue=critical&arguments=%5B%22" + id + "%22%5D&at="
                    + at(longAgo));
            server.form("/api/v1/jobs/" + id + "/started", "at=" + at(longAgo.plusSeconds(2)));
        }
        sidekiq.liveProcess("worker-1:4242:f00d", Map.of("tid1", "busy1"));
        sidekiq.enqueued("waiting1", "default");
        // The XSS job waits to run an hour from now: queued, never lost.
        sidekiq.inSet("schedule", "xss1");
        server.looks();
    }

    private static String at(Instant instant) {
        return String.format(java.util.Locale.ROOT, "%.3f", instant.toEpochMilli() / 1000.0);
    }

    private static String url(String path) {
        return server.uri(path).toString();
    }

    private static void screenshot(String name) {
        chromium.screenshot(name);
    }

    private static WebElement await(By by) {
        return chromium.await(by);
    }

    private static Object js(String script, Object... args) {
        return chromium.js(script, args);
    }

    @Test
    @Order(1)
    void the_overview_answers_what_is_stuck_slow_and_lost_at_laptop_and_phone_width() {
        browser.manage().window().setSize(new Dimension(1400, 1000));
        browser.get(url("/sidekiq"));
        assertThat(browser.getTitle()).isEqualTo("Overview · Sidekiq Supervisor");
        WebElement counts = browser.findElement(By.id("counts"));
        assertThat(counts.getText()).contains("36\ncomplete").contains("4\nfailed").contains("3\nstarted").contains("2\nlost");
        assertThat(browser.findElements(By.cssSelector("svg.chart rect"))).isNotEmpty();
        assertThat(browser.findElement(By.id("timings")).getText()).contains("InvoiceMailer").contains("ReportBuilder").contains("p99");
        assertThat(browser.findElement(By.id("queues")).getText()).contains("default");
        assertThat(browser.findElement(By.id("processes")).getText()).contains("1 / 5");
        // The script ran (CSP allows only our own file): times are shown in the viewer's zone, with UTC in the tooltip.
        WebElement made = browser.findElement(By.cssSelector("footer time"));
        assertThat(made.getAttribute("title")).endsWith("Z");
        assertThat(made.getText()).doesNotContain("Z");
        assertThat(browser.findElement(By.id("live-toggle")).isDisplayed()).isTrue();
        screenshot("overview");

        browser.manage().window().setSize(new Dimension(420, 900));
        browser.navigate().refresh();
        long overflow = (Long) js("return document.documentElement.scrollWidth - window.innerWidth;");
        assertThat(overflow).as("no sideways scrolling of the page at phone width").isLessThanOrEqualTo(0);
        screenshot("overview-phone");
        browser.manage().window().setSize(new Dimension(1400, 1000));
    }

    @Test
    @Order(1)
    void filtering_the_job_list_keeps_the_filter_in_a_shareable_url() {
        browser.get(url("/sidekiq/jobs"));
        WebElement all = browser.findElement(By.id("job-table"));
        browser.findElement(By.linkText("Complete 36")).click();
        new WebDriverWait(browser, Duration.ofSeconds(15)).until(ExpectedConditions.stalenessOf(all));
        WebElement filter = await(By.name("filter"));
        filter.sendKeys("customer-1");
        browser.findElement(By.name("job_class")).sendKeys("ReportBuilder");
        WebElement before = browser.findElement(By.id("job-table"));
        browser.findElement(By.cssSelector("#filters button[type=submit]")).click();
        new WebDriverWait(browser, Duration.ofSeconds(15)).until(ExpectedConditions.stalenessOf(before));
        await(By.id("job-table"));
        assertThat(browser.getCurrentUrl()).contains("status=complete").contains("job_class=ReportBuilder").contains("filter=customer-1");
        List<WebElement> rows = browser.findElements(By.cssSelector("#job-table tbody tr"));
        // customer-1, -10, ..., -19 of class ReportBuilder (i % 3 == 1) that completed: 1, 10, 13, 16 (19 failed)
        assertThat(rows).extracting(WebElement::getText).allSatisfy(text -> assertThat(text).contains("ReportBuilder"));
        assertThat(rows).hasSize(4);
        screenshot("jobs-filtered");

        String shared = browser.getCurrentUrl();
        browser.get(url("/sidekiq"));
        browser.get(shared);
        assertThat(browser.findElements(By.cssSelector("#job-table tbody tr"))).hasSize(4);
    }

    @Test
    @Order(1)
    void a_job_page_shows_every_field_its_timeline_and_its_error() {
        browser.get(url("/sidekiq/jobs?status=failed"));
        browser.findElement(By.cssSelector("#job-table tbody tr td.jid a")).click();
        await(By.id("timeline"));
        assertThat(browser.findElements(By.cssSelector("#timeline li"))).hasSize(3);
        assertThat(browser.findElement(By.id("timeline")).getText()).contains("queued").contains("started").contains("failed").contains("+");
        assertThat(browser.findElement(By.id("job-error")).getText()).contains("Net::ReadTimeout").contains("execution expired");
        assertThat(browser.findElement(By.id("job-arguments")).getText()).contains("\"customer-");
        screenshot("job-failed");
    }

    @Test
    @Order(1)
    void html_and_script_in_arguments_stay_inert_text() {
        browser.get(url("/sidekiq/jobs/xss1"));
        WebElement arguments = browser.findElement(By.id("job-arguments"));
        assertThat(arguments.getText()).contains("<img src=x onerror=\\\"window.__xss=1\\\">").contains("<script>window.__xss=2</script>");
        assertThat(arguments.findElements(By.tagName("img"))).isEmpty();
        assertThat(arguments.findElements(By.tagName("script"))).isEmpty();
        browser.get(url("/sidekiq/jobs?filter=__xss"));
        assertThat(browser.findElement(By.id("job-table")).getText()).contains("<img src=x");
        assertThat(browser.findElements(By.cssSelector("#job-table img"))).isEmpty();
        assertThat(js("return window.__xss === undefined;")).isEqualTo(true);
        assertThatThrownBy(() -> browser.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
        screenshot("job-xss");
    }

    @Test
    @Order(1)
    void a_post_without_the_csrf_token_is_refused_in_the_browser_too() {
        browser.get(url("/sidekiq/jobs"));
        Object status = ((JavascriptExecutor) browser).executeAsyncScript(
                "var done = arguments[arguments.length - 1];"
                        + "fetch('" + url("/sidekiq/delete") + "', {method: 'POST', credentials: 'same-origin',"
                        + " headers: {'Content-Type': 'application/x-www-form-urlencoded'}, body: 'status=complete'})"
                        + ".then(function (r) { done(r.status); }, function (e) { done('error ' + e); });");
        assertThat(status).isEqualTo(403L);
        assertThat(server.supervisor.jobManager().queries().countByStatus().get(org.sidekiqsupervisor.model.JobStatus.COMPLETE)).isEqualTo(36);
    }

    // Last: it changes the jobs the other tests count.
    @Test
    @Order(2)
    void restart_a_lost_job_from_its_page_then_the_rest_after_a_confirmation() {
        browser.get(url("/sidekiq/jobs?status=lost"));
        assertThat(browser.findElements(By.cssSelector("#job-table tbody tr"))).hasSize(2);
        screenshot("lost-jobs");
        browser.findElement(By.linkText("lost1")).click();
        assertThat(await(By.id("job-lost")).isDisplayed()).isTrue();
        screenshot("job-lost");
        browser.findElement(By.cssSelector("#restart-one button")).click();
        WebElement result = await(By.id("restart-result"));
        assertThat(result.getText()).contains("1 job(s) restarted");
        screenshot("restarted-one");
        assertThat(sidekiq.redis().llen("queue:critical")).isEqualTo(1);
        // The new job links back to the one it replaced.
        result.findElement(By.cssSelector("tbody a")).click();
        assertThat(await(By.id("restarted-from")).getText()).isEqualTo("lost1");

        browser.get(url("/sidekiq/jobs?status=lost"));
        browser.findElement(By.id("restart-all")).click();
        WebElement plan = await(By.id("restart-plan"));
        assertThat(plan.getText()).contains("1 lost job(s) will be pushed back");
        assertThat(sidekiq.redis().llen("queue:critical")).as("the confirmation is a dry run").isEqualTo(1);
        screenshot("restart-confirm");
        browser.findElement(By.cssSelector("#confirm-restart button")).click();
        assertThat(await(By.id("restart-result")).getText()).contains("1 job(s) restarted");
        assertThat(sidekiq.redis().llen("queue:critical")).isEqualTo(2);
        browser.get(url("/sidekiq/jobs?status=lost"));
        assertThat(browser.findElement(By.tagName("main")).getText()).contains("No lost jobs");
    }
}
